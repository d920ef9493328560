"""Message content: off by default, on when asked, forced off by LiteLLM or per call, and size-capped."""

from __future__ import annotations

import json
from typing import Any

import litellm
import pytest
from support import MESSAGES, OPENAI_CHAT, aonly_span, only_span

from litetrace.attributes.content import TRUNCATED
from litetrace.settings import CAPTURE_CONTENT_ENV

INPUT = "gen_ai.input.messages"
OUTPUT = "gen_ai.output.messages"


def chat(**kwargs: Any) -> Any:
    return litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok", **kwargs)


async def achat(**kwargs: Any) -> Any:
    return await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok", **kwargs)


def assert_captured(attrs: Any) -> None:
    assert json.loads(attrs[INPUT]) == [{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]
    assert json.loads(attrs[OUTPUT]) == [
        {"role": "assistant", "parts": [{"type": "text", "content": "ok"}], "finish_reason": "stop"}
    ]


@pytest.fixture
def no_capture_env(monkeypatch) -> None:
    monkeypatch.delenv(CAPTURE_CONTENT_ENV, raising=False)


def test_content_is_off_by_default(no_capture_env, telemetry):
    chat()
    attrs = only_span(telemetry).attributes
    assert INPUT not in attrs and OUTPUT not in attrs
    assert "hi" not in attrs.values() and "ok" not in attrs.values()


@pytest.mark.asyncio
async def test_async_content_is_off_by_default(no_capture_env, telemetry):
    await achat()
    attrs = (await aonly_span(telemetry)).attributes
    assert INPUT not in attrs and OUTPUT not in attrs


def test_capture_content_argument_records_input_and_output(no_capture_env, telemetry_factory):
    telemetry = telemetry_factory(capture_content=True)
    chat()
    assert_captured(only_span(telemetry).attributes)


@pytest.mark.asyncio
async def test_capture_content_argument_records_async_input_and_output(no_capture_env, telemetry_factory):
    telemetry = telemetry_factory(capture_content=True)
    await achat()
    assert_captured((await aonly_span(telemetry)).attributes)


def test_capture_env_variable_turns_content_on(monkeypatch, telemetry_factory):
    monkeypatch.setenv(CAPTURE_CONTENT_ENV, "true")
    telemetry = telemetry_factory()
    chat()
    assert_captured(only_span(telemetry).attributes)


@pytest.mark.asyncio
async def test_capture_env_variable_turns_async_content_on(monkeypatch, telemetry_factory):
    monkeypatch.setenv(CAPTURE_CONTENT_ENV, "true")
    telemetry = telemetry_factory()
    await achat()
    assert_captured((await aonly_span(telemetry)).attributes)


def test_capture_argument_false_wins_over_the_env_variable(monkeypatch, telemetry_factory):
    monkeypatch.setenv(CAPTURE_CONTENT_ENV, "true")
    telemetry = telemetry_factory(capture_content=False)
    chat()
    assert INPUT not in only_span(telemetry).attributes


def test_capture_env_variable_false_keeps_content_off(monkeypatch, telemetry_factory):
    monkeypatch.setenv(CAPTURE_CONTENT_ENV, "false")
    telemetry = telemetry_factory()
    chat()
    assert INPUT not in only_span(telemetry).attributes


def test_litellm_turn_off_message_logging_forces_content_off(telemetry_factory):
    telemetry = telemetry_factory(capture_content=True)
    litellm.turn_off_message_logging = True
    chat()
    attrs = only_span(telemetry).attributes
    assert INPUT not in attrs and OUTPUT not in attrs


@pytest.mark.asyncio
async def test_litellm_turn_off_message_logging_forces_async_content_off(telemetry_factory):
    telemetry = telemetry_factory(capture_content=True)
    litellm.turn_off_message_logging = True
    await achat()
    attrs = (await aonly_span(telemetry)).attributes
    assert INPUT not in attrs and OUTPUT not in attrs


def test_mask_input_metadata_hides_the_input_only(telemetry_factory):
    telemetry = telemetry_factory(capture_content=True)
    chat(metadata={"mask_input": True})
    attrs = only_span(telemetry).attributes
    assert INPUT not in attrs
    assert "ok" in attrs[OUTPUT]


def test_mask_output_metadata_hides_the_output_only(telemetry_factory):
    telemetry = telemetry_factory(capture_content=True)
    chat(metadata={"mask_output": True})
    attrs = only_span(telemetry).attributes
    assert OUTPUT not in attrs
    assert "hi" in attrs[INPUT]


@pytest.mark.asyncio
async def test_mask_metadata_hides_async_content(telemetry_factory):
    telemetry = telemetry_factory(capture_content=True)
    await achat(metadata={"mask_input": True, "mask_output": True})
    attrs = (await aonly_span(telemetry)).attributes
    assert INPUT not in attrs and OUTPUT not in attrs


def test_captured_content_is_capped_with_a_truncation_marker(telemetry_factory):
    telemetry = telemetry_factory(capture_content=True, content_max_length=100)
    litellm.completion(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "x" * 5000}], mock_response="y" * 5000
    )
    attrs = only_span(telemetry).attributes
    for key in (INPUT, OUTPUT):
        assert len(attrs[key]) <= 100
        assert attrs[key].endswith(TRUNCATED)


def test_short_content_is_not_marked_truncated(telemetry_factory):
    telemetry = telemetry_factory(capture_content=True, content_max_length=100)
    chat()
    assert not only_span(telemetry).attributes[INPUT].endswith(TRUNCATED)


def test_embedding_input_text_follows_the_same_switches(no_capture_env, telemetry_factory):
    telemetry = telemetry_factory(capture_content=True)
    litellm.embedding(model="text-embedding-3-small", input=["find me"], mock_response=[0.1])
    assert "find me" in only_span(telemetry).attributes[INPUT]
    telemetry.exporter.clear()
    litellm.embedding(model="text-embedding-3-small", input=["hide me"], mock_response=[0.1], metadata={"mask_input": True})
    assert INPUT not in only_span(telemetry).attributes


def test_responses_output_text_is_captured_when_on(telemetry_factory, provider):
    telemetry = telemetry_factory(capture_content=True)
    litellm.responses(model=OPENAI_CHAT, input="Say hi", api_base=provider.openai_base, api_key="sk-test")
    attrs = only_span(telemetry).attributes
    assert "Say hi" in attrs[INPUT]
    assert "Hello from the local provider." in attrs[OUTPUT]


def test_text_completion_prompt_is_captured_when_on(telemetry_factory):
    telemetry = telemetry_factory(capture_content=True)
    litellm.text_completion(model="gpt-3.5-turbo-instruct", prompt="Once upon", mock_response="a time")
    attrs = only_span(telemetry).attributes
    assert "Once upon" in attrs[INPUT]
    assert "a time" in attrs[OUTPUT]
