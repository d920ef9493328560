"""Content capture modes as OpenTelemetry's GenAI utilities name them, the details event, and
what captured content holds (system instructions, tool definitions, base64 placeholders)."""

from __future__ import annotations

import base64
import json
from typing import Any

import litellm
import pytest
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from support import MESSAGES, aonly_span, drain, only_span

from litetrace.attributes import content
from litetrace.attributes.capture import CAPTURE_CONTENT_ENV, EMIT_EVENT_ENV
from litetrace.attributes.genai_names import DETAILS_EVENT

INPUT = "gen_ai.input.messages"
OUTPUT = "gen_ai.output.messages"
TOOLS = "gen_ai.tool.definitions"
WEATHER_TOOL = {
    "type": "function",
    "function": {"name": "weather", "description": "Weather in a city", "parameters": {"type": "object"}},
}
IMAGE_BYTES = b"\x89PNG" + bytes(range(256)) * 12  # 3076 bytes: base64 with "=" padding
IMAGE_B64 = base64.b64encode(IMAGE_BYTES).decode()


@pytest.fixture
def clean_env(monkeypatch) -> None:
    monkeypatch.delenv(CAPTURE_CONTENT_ENV, raising=False)
    monkeypatch.delenv(EMIT_EVENT_ENV, raising=False)


@pytest.fixture
def logs() -> InMemoryLogRecordExporter:
    return InMemoryLogRecordExporter()


@pytest.fixture
def instrumented(telemetry_factory, logs):
    """Instrument with a logger provider whose records land in ``logs``."""

    def make(**kwargs: Any) -> Any:
        provider = LoggerProvider()
        provider.add_log_record_processor(SimpleLogRecordProcessor(logs))
        return telemetry_factory(logger_provider=provider, **kwargs)

    return make


def chat(**kwargs: Any) -> Any:
    return litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok", **kwargs)


def events(logs: InMemoryLogRecordExporter) -> list[Any]:
    return [record.log_record for record in logs.get_finished_logs() if record.log_record.event_name == DETAILS_EVENT]


CASES = [
    # (value, content on span, event emitted with content)
    ("NO_CONTENT", False, False),
    ("SPAN_ONLY", True, False),
    ("event_only", False, True),
    ("SPAN_AND_EVENT", True, True),
    ("true", True, False),
    ("1", True, False),
    ("false", False, False),
    ("0", False, False),
]


@pytest.mark.parametrize(("value", "on_span", "on_event"), CASES)
def test_capture_mode_from_the_environment(clean_env, monkeypatch, instrumented, logs, value, on_span, on_event):
    monkeypatch.setenv(CAPTURE_CONTENT_ENV, value)
    telemetry = instrumented()
    chat()
    attrs = only_span(telemetry).attributes
    assert (INPUT in attrs and OUTPUT in attrs) is on_span
    found = events(logs)
    assert len(found) == (1 if on_event else 0)
    if on_event:
        assert found[0].attributes[INPUT] == ({"role": "user", "parts": ({"type": "text", "content": "hi"},)},)
        assert found[0].attributes[OUTPUT][0]["parts"][0]["content"] == "ok"


@pytest.mark.parametrize(("value", "on_span", "on_event"), [*CASES, (True, True, False), (False, False, False)])
def test_capture_mode_from_the_argument(clean_env, monkeypatch, instrumented, logs, value, on_span, on_event):
    monkeypatch.setenv(CAPTURE_CONTENT_ENV, "SPAN_AND_EVENT")  # the argument wins
    telemetry = instrumented(capture_content=value)
    chat()
    attrs = only_span(telemetry).attributes
    assert (INPUT in attrs and OUTPUT in attrs) is on_span
    assert len(events(logs)) == (1 if on_event else 0)


def test_unknown_mode_argument_is_refused(clean_env, telemetry_factory):
    with pytest.raises(ValueError, match="capture_content"):
        telemetry_factory(capture_content="EVERYTHING")


def test_unknown_mode_in_the_environment_captures_nothing(clean_env, monkeypatch, instrumented, logs):
    monkeypatch.setenv(CAPTURE_CONTENT_ENV, "EVERYTHING")
    telemetry = instrumented()
    chat()
    assert INPUT not in only_span(telemetry).attributes and not events(logs)


def test_details_event_is_linked_to_the_span_and_carries_gen_ai_keys(clean_env, instrumented, logs):
    telemetry = instrumented(capture_content="EVENT_ONLY")
    chat()
    span = only_span(telemetry)
    (event,) = events(logs)
    assert (event.trace_id, event.span_id) == (span.context.trace_id, span.context.span_id)
    attrs = event.attributes
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["gen_ai.request.model"] == "gpt-4o-mini"
    assert not [key for key in attrs if key.startswith("llm.")]


@pytest.mark.asyncio
async def test_async_failed_call_event_has_the_error_type(clean_env, instrumented, logs):
    telemetry = instrumented(capture_content="SPAN_AND_EVENT")
    with pytest.raises(Exception) as caught:
        await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("boom"))
    await aonly_span(telemetry)
    (event,) = events(logs)
    assert event.attributes["error.type"] == type(caught.value).__name__
    assert event.attributes[INPUT][0]["parts"][0]["content"] == "hi"


def test_event_only_stream_keeps_the_output_off_the_span(clean_env, instrumented, logs):
    telemetry = instrumented(capture_content="EVENT_ONLY")
    stream = litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="a b c", stream=True)
    for _ in stream:
        pass
    telemetry.instrumentor.flush()
    drain()
    attrs = only_span(telemetry).attributes
    assert INPUT not in attrs and OUTPUT not in attrs
    (event,) = events(logs)
    assert event.attributes[OUTPUT][0]["parts"][0]["content"] == "a b c"


def test_emit_event_false_overrides_the_mode(clean_env, monkeypatch, instrumented, logs):
    monkeypatch.setenv(EMIT_EVENT_ENV, "false")
    telemetry = instrumented(capture_content="EVENT_ONLY")
    chat()
    assert INPUT not in only_span(telemetry).attributes and not events(logs)


def test_emit_event_true_without_content_sends_the_event_bare(clean_env, monkeypatch, instrumented, logs):
    monkeypatch.setenv(EMIT_EVENT_ENV, "true")
    telemetry = instrumented()
    chat()
    only_span(telemetry)
    (event,) = events(logs)
    assert INPUT not in event.attributes and OUTPUT not in event.attributes
    assert event.attributes["gen_ai.operation.name"] == "chat"


def test_masked_input_stays_out_of_the_event(clean_env, instrumented, logs):
    telemetry = instrumented(capture_content="EVENT_ONLY")
    chat(metadata={"mask_input": True})
    only_span(telemetry)
    (event,) = events(logs)
    assert INPUT not in event.attributes and OUTPUT in event.attributes


def test_embeddings_have_no_details_event(clean_env, instrumented, logs):
    telemetry = instrumented(capture_content="SPAN_AND_EVENT")
    litellm.embedding(model="text-embedding-3-small", input=["a"], mock_response=[0.1])
    only_span(telemetry)
    assert not events(logs)


def test_tool_definitions_recorded_with_capture_on(clean_env, telemetry_factory):
    telemetry = telemetry_factory(capture_content="SPAN_ONLY")
    chat(tools=[WEATHER_TOOL])
    definitions = json.loads(only_span(telemetry).attributes[TOOLS])
    assert definitions == [
        {"type": "function", "name": "weather", "description": "Weather in a city", "parameters": {"type": "object"}}
    ]


def test_tool_definitions_not_recorded_with_capture_off(clean_env, telemetry_factory):
    telemetry = telemetry_factory()
    chat(tools=[WEATHER_TOOL])
    attrs = only_span(telemetry).attributes
    assert TOOLS not in attrs and "Weather in a city" not in str(dict(attrs))


def test_system_instructions_of_the_responses_api():
    found: dict[str, Any] = {}
    content.add_input("responses", {"input": "hi", "instructions": "Be brief."}, 1000, found)
    assert json.loads(found["gen_ai.system_instructions"]) == [{"type": "text", "content": "Be brief."}]
    found = {}
    content.add_input("chat", {"messages": MESSAGES, "system": [{"type": "text", "text": "Be kind."}]}, 1000, found)
    assert json.loads(found["gen_ai.system_instructions"]) == [{"type": "text", "content": "Be kind."}]


def test_base64_image_replaced_by_a_placeholder_with_its_size(clean_env, telemetry_factory):
    telemetry = telemetry_factory(capture_content=True)
    url = f"data:image/png;base64,{IMAGE_B64}"
    messages = [{"role": "user", "content": [{"type": "text", "text": "what is it?"}, {"type": "image_url", "image_url": {"url": url}}]}]
    litellm.completion(model="gpt-4o-mini", messages=messages, mock_response="a cat")
    text = only_span(telemetry).attributes[INPUT]
    assert IMAGE_B64[:40] not in text
    parts = json.loads(text)[0]["parts"]
    placeholder = f"[base64 omitted: {len(IMAGE_BYTES)} bytes]"
    assert parts[1] == {"type": "blob", "modality": "image", "mime_type": "image/png", "content": placeholder}


def test_inline_base64_of_other_shapes_is_replaced_too():
    anthropic = {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": IMAGE_B64}}
    audio = {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}
    remote = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
    found: dict[str, Any] = {}
    content.add_input("chat", {"messages": [{"role": "user", "content": [anthropic, audio, remote]}]}, 100_000, found)
    parts = json.loads(found[INPUT])[0]["parts"]
    assert parts[0]["content"] == f"[base64 omitted: {len(IMAGE_BYTES)} bytes]" and parts[0]["mime_type"] == "image/jpeg"
    assert parts[1] == {"type": "blob", "modality": "audio", "mime_type": "audio/wav", "content": "[base64 omitted: 4 bytes]"}
    assert parts[2] == {"type": "generic", "generic_type": "image_url"}  # a link is not inline data: named only
    assert IMAGE_B64[:40] not in found[INPUT]
