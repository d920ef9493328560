"""Anthropic Messages, rerank, transcription and speech: one span each, nothing changed for the caller."""

from __future__ import annotations

import asyncio
import io
import json
import re
from typing import Any

import litellm
import pytest
from opentelemetry.trace import SpanKind, StatusCode
from support import ANTHROPIC_CHAT, OPENAI_CHAT, adrain, afinished, behave, drain, only_span

from litetrace.stream import anthropic_events

LOCAL_TEXT = "Hello from the local provider."
MESSAGES = [{"role": "user", "content": "Say hi"}]
TOOL = {"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}
RERANK_MODEL = "cohere/rerank-english-v3.0"
DOCUMENTS = ["a red fox", "a blue sky", "the fox"]


def _audio() -> io.BytesIO:
    audio = io.BytesIO(b"\0" * 64000)  # two seconds of 16 kHz, 16-bit silence
    audio.name = "clip.wav"
    return audio


def messages_kwargs(provider: Any, **extra: Any) -> dict[str, Any]:
    return dict(model=ANTHROPIC_CHAT, max_tokens=64, messages=MESSAGES, api_base=provider.base_url, api_key="sk-ant-test", **extra)


def same_except_ids(bare: Any, instrumented: Any) -> None:
    """Two responses of the local provider are equal but for their fresh ids."""
    strip = re.compile(r'"(msg_|rerank-|req_|resp_)[\w=-]+"')
    as_text = [strip.sub('"ID"', json.dumps(_plain(item), sort_keys=True, default=str)) for item in (bare, instrumented)]
    assert type(bare) is type(instrumented)
    assert as_text[0] == as_text[1]


def _plain(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    return dump() if callable(dump) else value


def stream_text(chunks: list[Any]) -> str:
    """The text the caller reads out of a Messages stream."""
    return "".join(
        event["delta"].get("text", "") for event in anthropic_events.events(chunks) if event.get("type") == "content_block_delta"
    )


@pytest.fixture
def bare_then(telemetry_factory: Any) -> Any:
    """Run a call bare, then instrumented: (bare result, instrumented result, telemetry)."""

    def run(call: Any) -> tuple[Any, Any, Any]:
        bare = call()
        drain()
        found = telemetry_factory()
        return bare, call(), found

    return run


# -- Anthropic Messages ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_async_messages_make_one_chat_span_with_usage_and_cache_tokens(telemetry, provider):
    tracer = telemetry.tracer_provider.get_tracer("test")
    headers = behave(cache_read_tokens=30, cache_creation_tokens=20)
    with tracer.start_as_current_span("parent") as parent:
        result = await litellm.anthropic.messages.acreate(
            **messages_kwargs(provider, temperature=0.3, top_k=5, system="Be brief.", stop_sequences=["END"], extra_headers=headers)
        )
    await adrain()
    spans = [s for s in await afinished(telemetry) if s.name != "parent"]
    assert len(spans) == 1, [s.name for s in spans]
    span = spans[0]
    attrs = dict(span.attributes)
    assert span.name == f"anthropic_messages {ANTHROPIC_CHAT}"
    assert span.kind is SpanKind.CLIENT
    assert span.parent.span_id == parent.get_span_context().span_id
    assert result["content"][0]["text"] == LOCAL_TEXT
    assert attrs["llm.request.type"] == "anthropic_messages"
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["llm.provider"] == "anthropic"
    assert attrs["gen_ai.provider.name"] == "anthropic"
    assert attrs["llm.request.messages_count"] == 2  # the system prompt counts as a message
    assert attrs["llm.request.messages.system_count"] == 1
    assert attrs["llm.request.content_length"] == len("Say hi") + len("Be brief.")
    assert attrs["llm.request.max_tokens"] == 64
    assert attrs["llm.request.temperature"] == 0.3
    assert attrs["llm.request.top_k"] == 5
    assert attrs["gen_ai.request.top_k"] == 5
    assert attrs["llm.request.stop"] == ("END",)
    assert attrs["llm.response.id"] == result["id"]
    assert attrs["llm.response.model"] == "claude-sonnet-4-5"
    assert attrs["llm.response.finish_reasons"] == ("end_turn",)
    assert attrs["llm.response.content_length"] == len(LOCAL_TEXT)
    # Anthropic's input_tokens (12) leave the cache out; prompt tokens put reads and writes back.
    assert attrs["llm.usage.prompt_tokens"] == 12 + 30 + 20
    assert attrs["llm.usage.completion_tokens"] == 5
    assert attrs["llm.usage.total_tokens"] == 12 + 30 + 20 + 5
    assert attrs["llm.usage.cached_tokens"] == 30
    assert attrs["llm.usage.cache_write_tokens"] == 20
    assert attrs["gen_ai.usage.cache_read.input_tokens"] == 30
    assert attrs["gen_ai.usage.cache_creation.input_tokens"] == 20
    assert attrs["llm.usage.cost"] > 0  # from LiteLLM's callback: the dict result carries no cost


@pytest.mark.asyncio
async def test_async_messages_with_tool_use(telemetry, provider):
    headers = behave(tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}}])
    await litellm.anthropic.messages.acreate(**messages_kwargs(provider, tools=[TOOL], tool_choice={"type": "auto"}, extra_headers=headers))
    await adrain()
    attrs = dict((await afinished(telemetry))[0].attributes)
    assert attrs["llm.request.tools_count"] == 1
    assert attrs["llm.request.tool_names"] == ("get_weather",)
    assert attrs["llm.request.tool_choice"] == "auto"
    assert attrs["llm.response.tool_calls_count"] == 1
    assert attrs["llm.response.tool_names"] == ("get_weather",)
    assert attrs["llm.response.finish_reason"] == "tool_use"


@pytest.mark.asyncio
async def test_async_messages_stream_records_ttft_chunks_and_usage(telemetry, provider):
    headers = behave(first_chunk_delay=0.15, chunk_delay=0.02, cache_read_tokens=7)
    stream = await litellm.anthropic.messages.acreate(**messages_kwargs(provider, stream=True, extra_headers=headers))
    chunks = [chunk async for chunk in stream]
    await adrain()
    spans = await afinished(telemetry)
    assert len(spans) == 1
    attrs = dict(spans[0].attributes)
    assert stream_text(chunks) == LOCAL_TEXT
    assert attrs["llm.response.is_streaming"] is True
    assert attrs["llm.response.stream_outcome"] == "completed"
    # LiteLLM 1.110's native Anthropic relay may hand the whole body over as one chunk: count what the caller got.
    assert attrs["llm.response.chunk_count"] == len(chunks) >= 1
    assert 0.15 <= attrs["llm.response.time_to_first_token"] <= attrs["llm.response.stream_duration"]
    assert attrs["gen_ai.response.time_to_first_chunk"] == attrs["llm.response.time_to_first_token"]
    assert attrs["llm.response.content_length"] == len(LOCAL_TEXT)
    assert attrs["llm.response.finish_reason"] == "end_turn"
    assert attrs["llm.usage.prompt_tokens"] == 12 + 7
    assert attrs["llm.usage.completion_tokens"] == 5
    assert attrs["llm.usage.cached_tokens"] == 7
    assert attrs["llm.response.id"].startswith("msg_")
    points = telemetry.metrics()["gen_ai.client.operation.time_to_first_chunk"]
    assert points and points[0].count == 1


@pytest.mark.asyncio
async def test_async_messages_stream_reads_the_same_as_bare(telemetry_factory, provider):
    async def read() -> tuple[type, str]:
        stream = await litellm.anthropic.messages.acreate(**messages_kwargs(provider, stream=True))
        chunks = [chunk async for chunk in stream]
        return stream.__class__, stream_text(chunks)

    bare = await read()
    await adrain()
    found = telemetry_factory()
    instrumented = await read()
    assert instrumented[1] == bare[1] == LOCAL_TEXT
    assert instrumented[0] is bare[0]  # the proxy passes for the stream's own class
    await adrain()
    assert len(await afinished(found)) == 1


@pytest.mark.asyncio
async def test_async_messages_result_is_unchanged(telemetry_factory, provider):
    bare = await litellm.anthropic.messages.acreate(**messages_kwargs(provider))
    await adrain()
    telemetry_factory()
    same_except_ids(bare, await litellm.anthropic.messages.acreate(**messages_kwargs(provider)))
    await adrain()


def test_sync_messages_to_a_bridged_provider_make_one_span(bare_then, provider):
    def call() -> Any:
        return litellm.anthropic.messages.create(model=OPENAI_CHAT, max_tokens=32, messages=MESSAGES, api_base=provider.openai_base, api_key="sk-test")

    bare, result, found = bare_then(call)
    same_except_ids(bare, result)
    span = only_span(found)
    attrs = dict(span.attributes)
    assert span.name == f"anthropic_messages {OPENAI_CHAT}"
    assert attrs["llm.provider"] == "openai"
    assert attrs["llm.response.content_length"] == len(LOCAL_TEXT)
    assert attrs["llm.usage.prompt_tokens"] == 12


def test_sync_messages_stream_is_async_only_and_still_timed(telemetry, provider):
    """create(stream=True) bridged to another provider hands back an async-only byte stream."""
    stream = litellm.anthropic.messages.create(
        model=OPENAI_CHAT, max_tokens=32, messages=MESSAGES, api_base=provider.openai_base, api_key="sk-test", stream=True
    )

    async def read() -> list[Any]:
        return [chunk async for chunk in stream]

    chunks = asyncio.run(read())
    assert stream_text(chunks) == LOCAL_TEXT
    span = only_span(telemetry)
    attrs = dict(span.attributes)
    assert attrs["llm.response.stream_outcome"] == "completed"
    assert attrs["llm.response.chunk_count"] == len(chunks)
    assert attrs["llm.response.content_length"] == len(LOCAL_TEXT)
    assert "llm.response.time_to_first_token" in attrs


def test_sync_messages_to_anthropic_raise_litellms_own_error_once(telemetry_factory, provider):
    """LiteLLM 1.110 has no sync native Anthropic path: the same exception, bare or not, and one failed span."""
    with pytest.raises(Exception) as bare:
        litellm.anthropic.messages.create(**messages_kwargs(provider))
    found = telemetry_factory()
    with pytest.raises(Exception) as instrumented:
        litellm.anthropic.messages.create(**messages_kwargs(provider))
    assert type(instrumented.value) is type(bare.value)
    assert str(instrumented.value) == str(bare.value)
    span = only_span(found)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["llm.error.type"] == type(bare.value).__name__


@pytest.mark.asyncio
async def test_async_messages_error_is_reraised_and_recorded_once(telemetry, provider):
    with pytest.raises(litellm.RateLimitError):
        await litellm.anthropic.messages.acreate(**messages_kwargs(provider, extra_headers=behave(error_status=429)))
    await adrain()
    spans = await afinished(telemetry)
    assert len(spans) == 1
    assert spans[0].status.status_code is StatusCode.ERROR
    assert spans[0].attributes["llm.error.status_code"] == 429


# -- Rerank --------------------------------------------------------------------------------


def rerank_kwargs(provider: Any) -> dict[str, Any]:
    return dict(model=RERANK_MODEL, query="red fox", documents=DOCUMENTS, top_n=2, api_base=provider.base_url, api_key="co-test")


def test_rerank_makes_one_span_and_returns_the_same_result(bare_then, provider):
    bare, result, found = bare_then(lambda: litellm.rerank(**rerank_kwargs(provider)))
    same_except_ids(bare, result)
    span = only_span(found)
    attrs = dict(span.attributes)
    assert span.name == f"rerank {RERANK_MODEL}"
    assert attrs["llm.request.type"] == "rerank"
    assert attrs["gen_ai.operation.name"] == "rerank"
    assert attrs["llm.provider"] == "cohere"
    assert attrs["llm.request.documents_count"] == 3
    assert attrs["llm.request.top_n"] == 2
    assert attrs["llm.request.content_length"] == len("red fox")
    assert attrs["llm.response.results_count"] == 2
    assert attrs["llm.response.top_score"] == 1.0
    assert attrs["llm.response.id"] == result.id
    assert attrs["llm.usage.cost"] > 0
    assert "a red fox" not in span.to_json()  # document text is never recorded


@pytest.mark.asyncio
async def test_async_rerank_makes_one_span(telemetry_factory, provider):
    bare = await litellm.arerank(**rerank_kwargs(provider))
    await adrain()
    found = telemetry_factory()
    result = await litellm.arerank(**rerank_kwargs(provider))
    same_except_ids(bare, result)
    await adrain()
    spans = await afinished(found)
    assert len(spans) == 1
    assert spans[0].attributes["llm.response.results_count"] == 2


def test_rerank_error_is_the_same_exception(telemetry_factory, provider):
    kwargs = {**rerank_kwargs(provider), "headers": behave(error_status=401)}
    with pytest.raises(Exception) as bare:
        litellm.rerank(**kwargs)
    found = telemetry_factory()
    with pytest.raises(Exception) as instrumented:
        litellm.rerank(**kwargs)
    assert type(instrumented.value) is type(bare.value)
    span = only_span(found)
    assert span.status.status_code is StatusCode.ERROR


# -- Transcription -------------------------------------------------------------------------


def test_transcription_makes_one_span_and_returns_the_same_result(bare_then, provider):
    def call() -> Any:
        return litellm.transcription(model="openai/whisper-1", file=_audio(), language="en", api_base=provider.openai_base, api_key="sk-test")

    bare, result, found = bare_then(call)
    same_except_ids(bare, result)
    span = only_span(found)
    attrs = dict(span.attributes)
    assert span.name == "transcription openai/whisper-1"
    assert attrs["llm.request.type"] == "transcription"
    assert attrs["gen_ai.operation.name"] == "transcription"
    assert attrs["llm.request.language"] == "en"
    assert attrs["llm.response.content_length"] == len(LOCAL_TEXT)
    assert attrs["llm.response.audio_duration"] == 2.0
    assert attrs["llm.usage.cost"] > 0
    assert LOCAL_TEXT not in span.to_json()


@pytest.mark.asyncio
async def test_async_transcription_with_token_usage(telemetry, provider):
    result = await litellm.atranscription(model="openai/gpt-4o-transcribe", file=_audio(), api_base=provider.openai_base, api_key="sk-test")
    assert result.text == LOCAL_TEXT
    await adrain()
    spans = await afinished(telemetry)
    assert len(spans) == 1
    attrs = dict(spans[0].attributes)
    assert attrs["llm.response.content_length"] == len(LOCAL_TEXT)
    assert attrs["llm.usage.prompt_tokens"] == 12
    assert attrs["llm.usage.completion_tokens"] == 5


# -- Speech --------------------------------------------------------------------------------


def speech_kwargs(provider: Any) -> dict[str, Any]:
    return dict(model="openai/tts-1", input="Hello there", voice="alloy", response_format="wav", api_base=provider.openai_base, api_key="sk-test")


def test_speech_makes_one_span_and_returns_the_same_audio(bare_then, provider):
    bare, result, found = bare_then(lambda: litellm.speech(**speech_kwargs(provider)))
    assert type(result) is type(bare)
    assert result.content == bare.content
    span = only_span(found)
    attrs = dict(span.attributes)
    assert span.name == "speech openai/tts-1"
    assert attrs["llm.request.type"] == "speech"
    assert attrs["gen_ai.operation.name"] == "speech"
    assert attrs["llm.request.content_length"] == len("Hello there")
    assert attrs["llm.request.voice"] == "alloy"
    assert attrs["llm.request.audio_format"] == "wav"
    assert attrs["llm.response.audio_bytes"] == len(bare.content)
    assert attrs["llm.usage.cost"] > 0


@pytest.mark.asyncio
async def test_async_speech_makes_one_span(telemetry, provider):
    result = await litellm.aspeech(**speech_kwargs(provider))
    assert result.content[:4] == b"RIFF"
    await adrain()
    spans = await afinished(telemetry)
    assert len(spans) == 1
    assert spans[0].attributes["llm.response.audio_bytes"] == len(result.content)


# -- batch_completion ----------------------------------------------------------------------


def test_batch_completion_makes_one_span_per_inner_completion(telemetry, provider):
    with telemetry.tracer_provider.get_tracer("test").start_as_current_span("parent") as parent:
        results = litellm.batch_completion(
            model=OPENAI_CHAT, messages=[MESSAGES, MESSAGES, MESSAGES], api_base=provider.openai_base, api_key="sk-test"
        )
    assert [r.choices[0].message.content for r in results] == [LOCAL_TEXT] * 3
    drain()
    spans = [span for span in telemetry.spans(4) if span.name != "parent"]
    assert len(spans) == 3
    assert {s.name for s in spans} == {f"chat {OPENAI_CHAT}"}
    # LiteLLM runs them on its thread pool; with thread context on (the default), each is the caller's child.
    assert {s.parent.span_id for s in spans} == {parent.get_span_context().span_id}
    assert len({s.attributes["llm.litellm.call_id"] for s in spans}) == 3


# -- Router --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_router_rerank_and_messages_are_one_span_each_named_by_the_model_group(telemetry, provider):
    router = litellm.Router(model_list=[
        {"model_name": "ranker", "litellm_params": {"model": RERANK_MODEL, "api_base": provider.base_url, "api_key": "co-test"}},
        {"model_name": "claude", "litellm_params": {"model": ANTHROPIC_CHAT, "api_base": provider.base_url, "api_key": "sk-ant-test"}},
    ])
    ranked = await router.arerank(model="ranker", query="red fox", documents=DOCUMENTS, top_n=2)
    message = await router.aanthropic_messages(model="claude", max_tokens=16, messages=MESSAGES)
    assert len(ranked.results) == 2 and message["content"][0]["text"] == LOCAL_TEXT
    await adrain()
    spans = await afinished(telemetry, 2)
    # Before LiteLLM 1.110 the Router builds anthropic_messages per instance (factory_function),
    # so there is no class method to wrap: the one span is LiteLLM's module call, named by the
    # deployment's model (README, "Supported versions").
    messages_name = "anthropic_messages claude" if router_defines("aanthropic_messages") else f"anthropic_messages {ANTHROPIC_CHAT}"
    assert sorted(span.name for span in spans) == [messages_name, "rerank ranker"]
    by_name = {span.name: dict(span.attributes) for span in spans}
    assert by_name["rerank ranker"]["llm.response.results_count"] == 2
    assert by_name[messages_name]["llm.usage.completion_tokens"] == 5


def router_defines(method: str) -> bool:
    """Whether one of the Router classes litetrace wraps defines ``method`` on the class itself."""
    import importlib

    from litetrace.instrumentation.targets import ROUTER_CLASSES

    for module_name, class_name in ROUTER_CLASSES:
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError):
            continue
        if method in vars(cls):
            return True
    return False


@pytest.mark.asyncio
async def test_messages_content_is_captured_only_when_asked(telemetry_factory, provider):
    found = telemetry_factory(capture_content=True)
    await litellm.anthropic.messages.acreate(**messages_kwargs(provider, system="Be brief."))
    await adrain()
    attrs = dict((await afinished(found))[0].attributes)
    assert json.loads(attrs["gen_ai.input.messages"]) == [
        {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},
        {"role": "user", "parts": [{"type": "text", "content": "Say hi"}]},
    ]
    output = json.loads(attrs["gen_ai.output.messages"])
    assert output == [{"role": "assistant", "parts": [{"type": "text", "content": LOCAL_TEXT}], "finish_reason": "end_turn"}]
