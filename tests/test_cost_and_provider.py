"""Cost from LiteLLM's own cost map, provider from LiteLLM itself (never a regex or a price table of ours)."""

from __future__ import annotations

from typing import Any

import litellm
import pytest
from support import MESSAGES, OPENAI_CHAT, adrain, aonly_span, drain, only_span, ours

# model string -> (llm.provider, gen_ai.provider.name)
PROVIDERS = {
    "openai/gpt-4o-mini": ("openai", "openai"),
    "anthropic/claude-sonnet-4-5": ("anthropic", "anthropic"),
    "azure/my-gpt-deployment": ("azure", "azure.ai.openai"),
    "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0": ("bedrock", "aws.bedrock"),
    "gemini/gemini-2.0-flash": ("gemini", "gcp.gemini"),
    "groq/llama-3.1-8b-instant": ("groq", "groq"),
    "mistral/mistral-small-latest": ("mistral", "mistral_ai"),
    "vertex_ai/gemini-2.0-flash": ("vertex_ai", "gcp.vertex_ai"),
    "gpt-4o-mini": ("openai", "openai"),
    "claude-sonnet-4-5": ("anthropic", "anthropic"),
    # An OpenAI-compatible endpoint serving a model with another vendor's name: the prefix decides.
    "openai/claude-sonnet-4-5": ("openai", "openai"),
}


def counter_total(telemetry: Any, name: str = "llm.usage.cost") -> float:
    return sum(point.value for point in telemetry.metrics().get(name, []))


# -- cost ------------------------------------------------------------------------------------------


def test_chat_cost_is_litellms_completion_cost(telemetry):
    response = litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    cost = only_span(telemetry).attributes["llm.usage.cost"]
    assert cost > 0
    assert cost == litellm.completion_cost(response)


@pytest.mark.asyncio
async def test_async_chat_cost_is_litellms_completion_cost(telemetry):
    response = await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    assert (await aonly_span(telemetry)).attributes["llm.usage.cost"] == litellm.completion_cost(response)


def test_chat_cost_over_http_is_litellms_completion_cost(telemetry, provider):
    response = litellm.completion(model=OPENAI_CHAT, messages=MESSAGES, api_base=provider.openai_base, api_key="sk-test")
    assert only_span(telemetry).attributes["llm.usage.cost"] == pytest.approx(litellm.completion_cost(response))


@pytest.mark.asyncio
async def test_async_chat_cost_over_http_is_litellms_completion_cost(telemetry, provider):
    response = await litellm.acompletion(
        model=OPENAI_CHAT, messages=MESSAGES, api_base=provider.openai_base, api_key="sk-test"
    )
    assert (await aonly_span(telemetry)).attributes["llm.usage.cost"] == pytest.approx(litellm.completion_cost(response))


def test_embedding_cost_is_litellms_completion_cost(telemetry):
    response = litellm.embedding(model="text-embedding-3-small", input=["hello"], mock_response=[0.1, 0.2])
    cost = only_span(telemetry).attributes["llm.usage.cost"]
    assert cost > 0
    assert cost == litellm.completion_cost(response)


@pytest.mark.asyncio
async def test_async_embedding_cost_over_http_is_litellms_completion_cost(telemetry, provider):
    response = await litellm.aembedding(
        model="openai/text-embedding-3-small", input=["hello"], api_base=provider.openai_base, api_key="sk-test"
    )
    assert (await aonly_span(telemetry)).attributes["llm.usage.cost"] == pytest.approx(litellm.completion_cost(response))


def test_text_completion_cost_comes_from_litellms_hidden_params(telemetry, provider):
    response = litellm.text_completion(
        model="openai/gpt-3.5-turbo-instruct", prompt="hi", api_base=provider.openai_base, api_key="sk-test"
    )
    assert only_span(telemetry).attributes["llm.usage.cost"] == pytest.approx(response._hidden_params.response_cost)


@pytest.mark.asyncio
async def test_async_text_completion_cost_comes_from_litellms_hidden_params(telemetry, provider):
    response = await litellm.atext_completion(
        model="openai/gpt-3.5-turbo-instruct", prompt="hi", api_base=provider.openai_base, api_key="sk-test"
    )
    cost = (await aonly_span(telemetry)).attributes["llm.usage.cost"]
    assert cost > 0
    assert cost == pytest.approx(response._hidden_params.response_cost)


def test_cost_of_a_model_litellm_cannot_price_is_left_unset(telemetry, provider):
    litellm.completion(
        model="openai/my-local-model", messages=MESSAGES, api_base=provider.openai_base, api_key="sk-test"
    )
    attrs = only_span(telemetry).attributes
    assert "llm.usage.cost" not in attrs
    assert attrs["llm.usage.prompt_tokens"] == 12


def test_cost_counter_adds_each_calls_cost_once(telemetry):
    responses = [litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok") for _ in range(5)]
    drain()
    assert len(ours(telemetry)) == 5
    assert counter_total(telemetry) == pytest.approx(sum(litellm.completion_cost(r) for r in responses))


@pytest.mark.asyncio
async def test_cost_counter_adds_each_async_calls_cost_once(telemetry):
    responses = [
        await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok") for _ in range(5)
    ]
    await adrain()
    assert counter_total(telemetry) == pytest.approx(sum(litellm.completion_cost(r) for r in responses))


# -- provider --------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", list(PROVIDERS))
def test_provider_is_litellms_provider_id_for_the_model(model, telemetry):
    provider, genai_provider = PROVIDERS[model]
    response = litellm.completion(model=model, messages=MESSAGES, mock_response="ok")
    attrs = only_span(telemetry).attributes
    assert attrs["llm.provider"] == provider
    assert attrs["llm.provider"] == response._hidden_params["custom_llm_provider"]
    assert attrs["gen_ai.provider.name"] == genai_provider


@pytest.mark.asyncio
@pytest.mark.parametrize("model", ["anthropic/claude-sonnet-4-5", "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0"])
async def test_async_provider_is_litellms_provider_id_for_the_model(model, telemetry):
    await litellm.acompletion(model=model, messages=MESSAGES, mock_response="ok")
    assert (await aonly_span(telemetry)).attributes["llm.provider"] == PROVIDERS[model][0]


def test_provider_is_known_before_the_call_returns(telemetry):
    # The request side alone (the call fails before any response): LiteLLM's get_llm_provider decides.
    with pytest.raises(litellm.InternalServerError):
        litellm.completion(model="groq/llama-3.1-8b-instant", messages=MESSAGES, mock_response=Exception("boom"))
    assert only_span(telemetry).attributes["llm.provider"] == "groq"


def test_custom_llm_provider_argument_decides_the_provider(telemetry):
    litellm.completion(model="my-model", custom_llm_provider="openai", messages=MESSAGES, mock_response="ok")
    assert only_span(telemetry).attributes["llm.provider"] == "openai"


def test_provider_of_a_model_litellm_does_not_know_is_left_unset(telemetry):
    with pytest.raises(litellm.BadRequestError):
        litellm.completion(model="no-such-model-xyz", messages=MESSAGES)
    attrs = only_span(telemetry).attributes
    assert "llm.provider" not in attrs
    assert "gen_ai.provider.name" not in attrs
    assert attrs["llm.request.model"] == "no-such-model-xyz"
