"""Each of LiteLLM's twelve entry points: one CLIENT span, named, parented, with the contract's keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import litellm
import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode
from support import (
    ANTHROPIC_CHAT,
    MESSAGES,
    OPENAI_CHAT,
    adrain,
    aonly_span,
    behave,
    drain,
    only_span,
)

LOCAL_TEXT = "Hello from the local provider."  # the local provider's default answer
WEATHER_TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
}


@dataclass
class Op:
    """One operation: how to call it (locally / with mock_response) and what its span must say."""

    sync: str
    asynchronous: str
    operation: str
    genai_operation: str
    local: dict[str, Any]
    mock: dict[str, Any] | None
    # Keys and values the span must carry for the local-provider call.
    expected: dict[str, Any] = field(default_factory=dict)
    # Keys the local-provider span must carry, whatever their value.
    present: tuple[str, ...] = ()
    # LiteLLM's provider id for the mock call's bare model name.
    mock_provider: str = "openai"


CHAT_MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weather in Paris?"}]

OPS = {
    "chat": Op(
        "completion",
        "acompletion",
        "chat",
        "chat",
        local=dict(
            model=OPENAI_CHAT,
            messages=CHAT_MESSAGES,
            temperature=0.2,
            max_tokens=50,
            top_p=0.9,
            n=1,
            stop=["END"],
            presence_penalty=0.1,
            frequency_penalty=0.2,
            seed=7,
            user="user-1",
            tools=[WEATHER_TOOL],
            tool_choice="auto",
            extra_headers=behave(tool_calls=[{"name": "get_weather", "arguments": '{"city": "Paris"}'}]),
        ),
        mock=dict(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok"),
        expected={
            "llm.request.messages_count": 2,
            "llm.request.messages.system_count": 1,
            "llm.request.messages.user_count": 1,
            "llm.request.content_length": len("Be brief.") + len("Weather in Paris?"),
            "llm.request.multimodal": False,
            "llm.request.temperature": 0.2,
            "llm.request.max_tokens": 50,
            "llm.request.top_p": 0.9,
            "llm.request.n": 1,
            "llm.request.stop": ("END",),
            "llm.request.presence_penalty": 0.1,
            "llm.request.frequency_penalty": 0.2,
            "llm.request.seed": 7,
            "llm.request.user": "user-1",
            "llm.request.tools_count": 1,
            "llm.request.tool_names": ("get_weather",),
            "llm.request.tool_choice": "auto",
            "llm.response.model": "gpt-4o-mini",
            "llm.response.choices_count": 1,
            "llm.response.finish_reason": "tool_calls",
            "llm.response.finish_reasons": ("tool_calls",),
            "llm.response.tool_calls_count": 1,
            "llm.response.tool_names": ("get_weather",),
            "llm.response.system_fingerprint": "fp_local0001",
            "llm.usage.prompt_tokens": 12,
            "llm.usage.completion_tokens": 5,
            "llm.usage.total_tokens": 17,
            "gen_ai.request.temperature": 0.2,
            "gen_ai.request.max_tokens": 50,
            "gen_ai.request.top_p": 0.9,
            "gen_ai.request.seed": 7,
            "gen_ai.request.stop_sequences": ("END",),
            "gen_ai.request.presence_penalty": 0.1,
            "gen_ai.request.frequency_penalty": 0.2,
            "gen_ai.response.finish_reasons": ("tool_calls",),
            "gen_ai.openai.response.system_fingerprint": "fp_local0001",
        },
        present=("llm.response.id", "llm.usage.cost", "gen_ai.response.id"),
    ),
    "text_completion": Op(
        "text_completion",
        "atext_completion",
        "text_completion",
        "text_completion",
        local=dict(model="openai/gpt-3.5-turbo-instruct", prompt="Say hi", temperature=0.5, max_tokens=20, stop=["\n"]),
        mock=dict(model="gpt-3.5-turbo-instruct", prompt="Say hi", mock_response="ok"),
        expected={
            "llm.request.messages_count": 1,
            "llm.request.content_length": 6,
            "llm.request.temperature": 0.5,
            "llm.request.max_tokens": 20,
            "llm.request.stop": ("\n",),
            "llm.response.model": "gpt-3.5-turbo-instruct",
            "llm.response.choices_count": 1,
            "llm.response.finish_reason": "stop",
            "llm.response.content_length": len(LOCAL_TEXT),
            "llm.response.tool_calls_count": 0,
            "llm.usage.prompt_tokens": 12,
            "llm.usage.completion_tokens": 5,
            "llm.usage.total_tokens": 17,
        },
        present=("llm.response.id", "llm.usage.cost"),
        mock_provider="text-completion-openai",  # LiteLLM's id for bare instruct models
    ),
    "embedding": Op(
        "embedding",
        "aembedding",
        "embedding",
        "embeddings",
        local=dict(
            model="openai/text-embedding-3-small", input=["hello", "world!"], encoding_format="float", dimensions=16
        ),
        mock=dict(model="text-embedding-3-small", input=["hello", "world!"], mock_response=[0.1, 0.2, 0.3]),
        expected={
            "llm.request.input_count": 2,
            "llm.request.content_length": 11,
            "llm.request.encoding_format": "float",
            "llm.request.dimensions": 16,
            "llm.response.model": "text-embedding-3-small",
            "llm.response.embedding_count": 2,
            "llm.response.embedding_dimensions": 16,
            "llm.usage.prompt_tokens": 12,
            "gen_ai.embeddings.dimension.count": 16,
            "gen_ai.request.encoding_formats": ("float",),
        },
        present=("llm.usage.cost",),
    ),
    "image_generation": Op(
        "image_generation",
        "aimage_generation",
        "image_generation",
        "image_generation",
        local=dict(model="openai/gpt-image-1", prompt="a red cat", n=2, size="1024x1024", quality="high"),
        mock=dict(model="gpt-image-1", prompt="a red cat", mock_response="https://example.invalid/cat.png"),
        expected={
            "llm.request.prompt_length": 9,
            "llm.request.n": 2,
            "llm.request.image_size": "1024x1024",
            "llm.request.image_quality": "high",
            "llm.response.image_count": 2,
        },
    ),
    "moderation": Op(
        "moderation",
        "amoderation",
        "moderation",
        "moderation",
        local=dict(model="openai/omni-moderation-latest", input=["I will kill it", "hello"]),
        mock=None,  # LiteLLM's moderation() has no mock_response
        expected={
            "llm.request.input_count": 2,
            "llm.request.content_length": len("I will kill it") + len("hello"),
            "llm.response.results_count": 2,
            "llm.response.flagged_count": 1,
            "llm.response.flagged_categories": ("violence",),
        },
        present=("llm.response.id", "llm.response.model"),
    ),
    "responses": Op(
        "responses",
        "aresponses",
        "responses",
        "chat",
        local=dict(model=OPENAI_CHAT, input="Say hi", temperature=0.3, max_output_tokens=40),
        mock=dict(model="gpt-4o-mini", input="Say hi", mock_response="ok"),
        expected={
            "llm.request.messages_count": 1,
            "llm.request.content_length": 6,
            "llm.request.temperature": 0.3,
            "llm.request.max_tokens": 40,
            "llm.response.model": "gpt-4o-mini",
            "llm.response.finish_reason": "completed",
            "llm.response.content_length": len(LOCAL_TEXT),
            "llm.response.tool_calls_count": 0,
            "llm.usage.prompt_tokens": 12,
            "llm.usage.completion_tokens": 5,
            "llm.usage.total_tokens": 17,
            "gen_ai.request.temperature": 0.3,
            "gen_ai.request.max_tokens": 40,
        },
        present=("llm.response.id", "llm.usage.cost", "gen_ai.response.id"),
    ),
}
MOCKED = [name for name, op in OPS.items() if op.mock is not None]


def local_kwargs(op: Op, provider: Any) -> dict[str, Any]:
    return {**op.local, "api_base": provider.openai_base, "api_key": "sk-test"}


def assert_common(span: Any, op: Op, model: str, provider: str = "openai") -> None:
    """Name, kind, status and the keys every operation shares, in both vocabularies."""
    attrs = span.attributes
    assert span.name == f"{op.operation} {model}"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    assert attrs["llm.vendor"] == "litellm"
    assert attrs["llm.request.type"] == op.operation
    assert attrs["llm.request.model"] == model
    assert attrs["llm.provider"] == provider
    assert attrs["llm.litellm.call_id"]
    assert attrs["gen_ai.operation.name"] == op.genai_operation
    assert attrs["gen_ai.request.model"] == model
    assert attrs["gen_ai.provider.name"] == "openai"
    for source, twin in (
        ("llm.response.model", "gen_ai.response.model"),
        ("llm.usage.prompt_tokens", "gen_ai.usage.input_tokens"),
        ("llm.usage.completion_tokens", "gen_ai.usage.output_tokens"),
        ("llm.response.id", "gen_ai.response.id"),
    ):
        assert attrs.get(twin) == attrs.get(source), twin
    # A value that is unknown is left unset, never a stand-in.
    for key, value in attrs.items():
        assert value is not None and value != "" and value != "unknown", key


def assert_local(span: Any, op: Op, provider: Any) -> None:
    assert_common(span, op, op.local["model"])
    attrs = span.attributes
    for key, value in op.expected.items():
        assert attrs.get(key) == value, key
    for key in op.present:
        assert key in attrs, key
    assert attrs["llm.api_base"] == provider.openai_base
    assert attrs["server.address"] == "127.0.0.1"
    assert attrs["server.port"] == int(provider.openai_base.rsplit(":", 1)[1].split("/")[0])


def assert_matches_response(span: Any, response: Any) -> None:
    """The usage and identity keys repeat what the returned object says."""
    attrs = span.attributes
    usage = getattr(response, "usage", None)
    prompt = getattr(usage, "prompt_tokens", None) or getattr(usage, "input_tokens", None)
    if prompt:
        assert attrs["llm.usage.prompt_tokens"] == prompt
    response_id = getattr(response, "id", None)
    if response_id:
        assert attrs["llm.response.id"] == response_id
    hidden = getattr(response, "_hidden_params", None) or {}
    if hidden.get("litellm_call_id"):
        assert attrs["llm.litellm.call_id"] == hidden["litellm_call_id"]


# -- through the local provider, over HTTP ---------------------------------------------------


@pytest.mark.parametrize("name", list(OPS))
def test_sync_call_over_http_makes_one_client_span_under_the_callers_span(name, telemetry, provider):
    op = OPS[name]
    tracer = telemetry.tracer_provider.get_tracer("test")
    with tracer.start_as_current_span("caller") as parent:
        response = getattr(litellm, op.sync)(**local_kwargs(op, provider))
        assert trace.get_current_span() is parent
    span = only_span(telemetry)
    assert span.parent is not None and span.parent.span_id == parent.get_span_context().span_id
    assert span.context.trace_id == parent.get_span_context().trace_id
    assert_local(span, op, provider)
    assert_matches_response(span, response)


@pytest.mark.asyncio
@pytest.mark.parametrize("name", list(OPS))
async def test_async_call_over_http_makes_one_client_span_under_the_callers_span(name, telemetry, provider):
    op = OPS[name]
    tracer = telemetry.tracer_provider.get_tracer("test")
    with tracer.start_as_current_span("caller") as parent:
        response = await getattr(litellm, op.asynchronous)(**local_kwargs(op, provider))
        assert trace.get_current_span() is parent
    span = await aonly_span(telemetry)
    assert span.parent is not None and span.parent.span_id == parent.get_span_context().span_id
    assert_local(span, op, provider)
    assert_matches_response(span, response)


def test_a_call_without_a_current_span_makes_a_root_span(telemetry, provider):
    litellm.completion(model=OPENAI_CHAT, messages=MESSAGES, api_base=provider.openai_base, api_key="sk-test")
    assert only_span(telemetry).parent is None


def test_the_callers_litellm_call_id_is_reused(telemetry):
    response = litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok", litellm_call_id="my-id-1")
    assert only_span(telemetry).attributes["llm.litellm.call_id"] == "my-id-1"
    assert response._hidden_params["litellm_call_id"] == "my-id-1"


POSITIONAL_CALLS = {
    # LiteLLM's own parameter order differs per entry point.
    "completion": (("gpt-4o-mini", MESSAGES), {"mock_response": "ok"}, "chat gpt-4o-mini", "llm.request.messages_count", 1),
    "text_completion": (("Say hi", "gpt-3.5-turbo-instruct"), {"mock_response": "ok"},
                        "text_completion gpt-3.5-turbo-instruct", "llm.request.content_length", 6),
    "embedding": (("text-embedding-3-small", ["a", "b"]), {"mock_response": [0.1]},
                  "embedding text-embedding-3-small", "llm.request.input_count", 2),
    "image_generation": (("a red cat", "gpt-image-1"), {"mock_response": "x"},
                         "image_generation gpt-image-1", "llm.request.prompt_length", 9),
    "responses": (("Say hi", "gpt-4o-mini"), {"mock_response": "ok"}, "responses gpt-4o-mini",
                  "llm.request.content_length", 6),
}  # fmt: skip


@pytest.mark.parametrize("name", list(POSITIONAL_CALLS))
def test_positional_arguments_are_read_like_keywords(name, telemetry):
    args, kwargs, span_name, key, value = POSITIONAL_CALLS[name]
    getattr(litellm, name)(*args, **kwargs)
    span = only_span(telemetry)
    assert span.name == span_name
    assert span.attributes[key] == value


# -- mock_response (in process) ----------------------------------------------------------------


@pytest.mark.parametrize("name", MOCKED)
def test_sync_mock_call_makes_one_span_with_the_operations_keys(name, telemetry):
    op = OPS[name]
    response = getattr(litellm, op.sync)(**op.mock)
    span = only_span(telemetry)
    assert_common(span, op, op.mock["model"], op.mock_provider)
    assert_matches_response(span, response)


@pytest.mark.asyncio
@pytest.mark.parametrize("name", MOCKED)
async def test_async_mock_call_makes_one_span_with_the_operations_keys(name, telemetry):
    op = OPS[name]
    response = await getattr(litellm, op.asynchronous)(**op.mock)
    span = await aonly_span(telemetry)
    assert_common(span, op, op.mock["model"], op.mock_provider)
    assert_matches_response(span, response)


def test_mock_chat_span_describes_the_response(telemetry):
    response = litellm.completion(**OPS["chat"].mock)
    attrs = only_span(telemetry).attributes
    assert attrs["llm.response.content_length"] == len("ok")
    assert attrs["llm.response.finish_reasons"] == ("stop",)
    assert attrs["llm.usage.completion_tokens"] == response.usage.completion_tokens
    assert attrs["llm.usage.total_tokens"] == response.usage.total_tokens
    assert attrs["llm.response.tool_calls_count"] == 0


def test_mock_embedding_never_records_the_vectors(telemetry):
    litellm.embedding(**OPS["embedding"].mock)
    attrs = only_span(telemetry).attributes
    assert attrs["llm.response.embedding_dimensions"] == 3
    assert not any(value in (0.1, 0.2, 0.3) for value in attrs.values())


def test_image_without_reported_usage_leaves_token_counts_unset(telemetry, provider):
    litellm.image_generation(**local_kwargs(OPS["image_generation"], provider))
    attrs = only_span(telemetry).attributes
    assert "llm.usage.prompt_tokens" not in attrs
    assert "gen_ai.usage.input_tokens" not in attrs


# -- Anthropic, through the local provider's Messages API ---------------------------------------


def anthropic_kwargs(provider: Any) -> dict[str, Any]:
    return dict(model=ANTHROPIC_CHAT, messages=MESSAGES, api_base=provider.base_url, api_key="sk-test", max_tokens=30)


def assert_anthropic(span: Any, response: Any, provider: Any) -> None:
    attrs = span.attributes
    assert span.name == f"chat {ANTHROPIC_CHAT}"
    assert span.kind is SpanKind.CLIENT
    assert attrs["llm.provider"] == "anthropic"
    assert attrs["gen_ai.provider.name"] == "anthropic"
    assert attrs["llm.api_base"] == provider.base_url
    assert attrs["llm.response.model"] == "claude-sonnet-4-5"
    assert attrs["llm.usage.prompt_tokens"] == 12
    assert attrs["llm.usage.completion_tokens"] == 5
    assert attrs["gen_ai.usage.input_tokens"] == 12
    assert attrs["llm.response.finish_reason"] == "stop"
    assert attrs["llm.response.content_length"] == len(LOCAL_TEXT)
    assert attrs["llm.request.max_tokens"] == 30
    assert attrs["llm.usage.cost"] == pytest.approx(litellm.completion_cost(response))
    assert attrs["llm.litellm.call_id"] == response._hidden_params["litellm_call_id"]


def test_anthropic_chat_makes_one_span_with_anthropic_as_provider(telemetry, provider):
    response = litellm.completion(**anthropic_kwargs(provider))
    assert_anthropic(only_span(telemetry), response, provider)


@pytest.mark.asyncio
async def test_anthropic_async_chat_makes_one_span_with_anthropic_as_provider(telemetry, provider):
    response = await litellm.acompletion(**anthropic_kwargs(provider))
    assert_anthropic(await aonly_span(telemetry), response, provider)


# -- the returned object is LiteLLM's own -------------------------------------------------------


def kwargs_for(op: Op, provider: Any) -> dict[str, Any]:
    return dict(op.mock) if op.mock is not None else local_kwargs(op, provider)


@pytest.mark.parametrize("name", list(OPS))
def test_sync_call_returns_the_very_object_litellm_returned(name, monkeypatch, telemetry_factory, provider):
    op = OPS[name]
    original = getattr(litellm, op.sync)
    plain = original(**kwargs_for(op, provider))
    drain()  # its callbacks must not reach the instrumentor made below
    returned: list[Any] = []

    def recorder(*args: Any, **kwargs: Any) -> Any:
        returned.append(original(*args, **kwargs))
        return returned[-1]

    monkeypatch.setattr(litellm, op.sync, recorder)
    telemetry = telemetry_factory()
    response = getattr(litellm, op.sync)(**kwargs_for(op, provider))
    assert response is returned[0]
    assert type(response) is type(plain)
    only_span(telemetry)


@pytest.mark.asyncio
@pytest.mark.parametrize("name", list(OPS))
async def test_async_call_returns_the_very_object_litellm_returned(name, monkeypatch, telemetry_factory, provider):
    op = OPS[name]
    original = getattr(litellm, op.asynchronous)
    plain = await original(**kwargs_for(op, provider))
    await adrain()  # its callbacks must not reach the instrumentor made below
    returned: list[Any] = []

    async def recorder(*args: Any, **kwargs: Any) -> Any:
        returned.append(await original(*args, **kwargs))
        return returned[-1]

    monkeypatch.setattr(litellm, op.asynchronous, recorder)
    telemetry = telemetry_factory()
    response = await getattr(litellm, op.asynchronous)(**kwargs_for(op, provider))
    assert response is returned[0]
    assert type(response) is type(plain)
    await aonly_span(telemetry)


# -- the gen_ai.* vocabulary can be switched off ---------------------------------------------------------


def test_genai_attributes_switched_off_leave_only_the_llm_vocabulary(telemetry_factory, provider):
    telemetry = telemetry_factory(genai_attributes=False)
    litellm.completion(**local_kwargs(OPS["chat"], provider))
    attrs = only_span(telemetry).attributes
    assert attrs["llm.request.model"] == OPENAI_CHAT
    assert not [key for key in attrs if key.startswith(("gen_ai.", "server.", "error."))]


@pytest.mark.asyncio
async def test_genai_attributes_switched_off_for_async_calls(telemetry_factory):
    telemetry = telemetry_factory(genai_attributes=False)
    with pytest.raises(litellm.InternalServerError):
        await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("boom"))
    attrs = (await aonly_span(telemetry)).attributes
    assert attrs["llm.error.type"] == "InternalServerError"
    assert not [key for key in attrs if key.startswith(("gen_ai.", "server.", "error."))]
