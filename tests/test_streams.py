"""Streams through real LiteLLM against the local provider: timing, keys, end paths, context, metrics."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import litellm
import pytest
from litellm.integrations.custom_logger import CustomLogger
from opentelemetry import trace
from opentelemetry.trace import StatusCode
from support import afinished

import litetrace.safety
from litetrace.stream import AsyncStreamWrapper, StreamState, StreamWrapper

OPENAI_MODEL = "openai/gpt-4o-mini"
ANTHROPIC_MODEL = "anthropic/claude-sonnet-4-5"
TEXT_MODEL = "openai/gpt-3.5-turbo-instruct"
MESSAGES = [{"role": "user", "content": "hi"}]
TEXT = "Hello from the local provider."
TOOLS = [
    {"name": "get_weather", "arguments": '{"city": "Paris", "unit": "celsius"}'},
    {"name": "get_time", "arguments": '{"tz": "Europe/Paris"}'},
]
# A timed stream: the first chunk 200 ms after the request, then 20 chunks 10 ms apart.
TIMED = {"first_chunk_delay": 0.2, "chunk_delay": 0.01, "chunk_count": 20}

STREAM_KEYS = (
    "llm.response.is_streaming",
    "llm.response.time_to_first_token",
    "llm.response.chunk_count",
    "llm.response.chunks_per_second",
    "llm.response.stream_duration",
    "llm.response.max_chunk_gap",
    "llm.response.stream_outcome",
)


# -- helpers -----------------------------------------------------------------------------


def behave(**fields: Any) -> dict[str, str]:
    """Per-request behaviour of the local provider (its x-local-provider header)."""
    return {"x-local-provider": json.dumps(fields)}


def chat(provider: Any, behavior: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return litellm.completion(
        model=OPENAI_MODEL, api_base=provider.openai_base, api_key="sk-test", messages=MESSAGES,
        stream=True, max_retries=0, extra_headers=behave(**(behavior or {})), **kwargs,
    )  # fmt: skip


async def achat(provider: Any, behavior: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return await litellm.acompletion(
        model=OPENAI_MODEL, api_base=provider.openai_base, api_key="sk-test", messages=MESSAGES,
        stream=True, max_retries=0, extra_headers=behave(**(behavior or {})), **kwargs,
    )  # fmt: skip


def claude(provider: Any, behavior: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return litellm.completion(
        model=ANTHROPIC_MODEL, api_base=provider.base_url, api_key="sk-test", messages=MESSAGES,
        stream=True, extra_headers=behave(**(behavior or {})), **kwargs,
    )  # fmt: skip


async def aclaude(provider: Any, behavior: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return await litellm.acompletion(
        model=ANTHROPIC_MODEL, api_base=provider.base_url, api_key="sk-test", messages=MESSAGES,
        stream=True, extra_headers=behave(**(behavior or {})), **kwargs,
    )  # fmt: skip


def delta_text(chunk: Any) -> str:
    choices = chunk.choices or []
    return (choices[0].delta.content or "") if choices else ""


def finished(telemetry: Any, count: int = 1) -> list[Any]:
    """The finished spans once ``count`` have ended, after a pause in which a surplus one would show."""
    telemetry.spans(count, timeout=3.0)
    time.sleep(0.1)
    return list(telemetry.exporter.get_finished_spans())


def warm_up(telemetry: Any, run: Any) -> None:
    """One call first: the first call in a process pays LiteLLM's client set-up."""
    run()
    telemetry.instrumentor.flush()
    telemetry.exporter.clear()


async def awarm_up(telemetry: Any, run: Any) -> None:
    await run()
    telemetry.instrumentor.flush()
    telemetry.exporter.clear()


OUR_PACKAGES = (
    os.path.dirname(litetrace.__file__) + os.sep,
    os.path.dirname(os.path.dirname(trace.__file__)) + os.sep,  # the opentelemetry namespace: api and sdk
)


class Hygiene:
    """The OpenTelemetry SDK's complaints (double end, writes to an ended span) and warnings seen."""

    def __init__(self, caplog: pytest.LogCaptureFixture, caught: list[warnings.WarningMessage]) -> None:
        self.caplog = caplog
        self.caught = caught

    def check(self) -> None:
        complaints = [
            record.getMessage()
            for record in self.caplog.records
            if record.name.startswith("opentelemetry") and record.levelno >= logging.WARNING
        ]
        assert complaints == []
        # Warnings about spans, or raised from litetrace's or OpenTelemetry's code, by the file's
        # package directory: a path that merely contains "litetrace" (CI's temp dirs do) is not ours.
        ours = [
            str(w.message)
            for w in self.caught
            if "span" in str(w.message).lower() or w.filename.startswith(OUR_PACKAGES)
        ]
        assert ours == []


@pytest.fixture
def hygiene(caplog: pytest.LogCaptureFixture) -> Iterator[Hygiene]:
    caplog.set_level(logging.DEBUG, logger="opentelemetry")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield Hygiene(caplog, caught)


def only_span(telemetry: Any, hygiene: Hygiene) -> Any:
    spans = finished(telemetry)
    assert len(spans) == 1, [s.name for s in spans]
    hygiene.check()
    return spans[0]


async def aonly_span(telemetry: Any, hygiene: Hygiene) -> Any:
    spans = await afinished(telemetry)
    assert len(spans) == 1, [s.name for s in spans]
    hygiene.check()
    return spans[0]


def error_chain_text(error: BaseException | None) -> str:
    """The messages of an exception and of its causes (LiteLLM wraps the transport's error)."""
    messages = []
    while error is not None and len(messages) < 10:
        messages.append(str(error))
        error = error.__cause__ or error.__context__
    return " | ".join(messages)


def exception_events(span: Any) -> list[Any]:
    return [event for event in span.events if event.name == "exception"]


class CostSpy(CustomLogger):  # type: ignore[misc]  # LiteLLM's base class is untyped
    """Records LiteLLM's own response_cost and token counts per call id, as its callbacks see them."""

    def __init__(self) -> None:
        super().__init__()
        self.costs: dict[str, float] = {}
        self.tokens: dict[str, tuple[Any, Any, Any]] = {}

    def log_success_event(self, kwargs: dict[str, Any], response_obj: Any, start_time: Any, end_time: Any) -> None:
        logged = kwargs.get("standard_logging_object") or {}
        self.tokens[kwargs["litellm_call_id"]] = (logged.get("prompt_tokens"), logged.get("completion_tokens"), logged.get("total_tokens"))
        self.costs[kwargs["litellm_call_id"]] = kwargs.get("response_cost")

    async def async_log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self.log_success_event(kwargs, response_obj, start_time, end_time)


# -- timing fidelity ---------------------------------------------------------------------


def timed_read(open_stream: Any) -> tuple[float, list[float], list[Any]]:
    """t0 before the call, then the time the loop body first (and each time) runs."""
    arrivals: list[float] = []
    chunks: list[Any] = []
    t0 = time.perf_counter()
    for chunk in open_stream():
        arrivals.append(time.perf_counter())
        chunks.append(chunk)
    return t0, arrivals, chunks


async def atimed_read(open_stream: Any) -> tuple[float, list[float], list[Any]]:
    arrivals: list[float] = []
    chunks: list[Any] = []
    t0 = time.perf_counter()
    async for chunk in await open_stream():
        arrivals.append(time.perf_counter())
        chunks.append(chunk)
    return t0, arrivals, chunks


def assert_timing_matches(span: Any, t0: float, arrivals: list[float]) -> None:
    attrs = span.attributes
    observed_ttft = arrivals[0] - t0
    observed_rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    assert attrs["llm.response.chunk_count"] == len(arrivals)
    assert attrs["llm.response.time_to_first_token"] >= 0.2
    assert abs(attrs["llm.response.time_to_first_token"] - observed_ttft) <= 0.005
    assert attrs["llm.response.chunks_per_second"] == pytest.approx(observed_rate, rel=0.05)


def test_stream_timing_matches_what_the_caller_sees(telemetry, provider):
    warm_up(telemetry, lambda: list(chat(provider)))
    t0, arrivals, _ = timed_read(lambda: chat(provider, TIMED))
    assert_timing_matches(finished(telemetry)[0], t0, arrivals)


@pytest.mark.asyncio
async def test_async_stream_timing_matches_what_the_caller_sees(telemetry, provider):
    async def drain() -> None:
        async for _ in await achat(provider):
            pass

    await awarm_up(telemetry, drain)
    t0, arrivals, _ = await atimed_read(lambda: achat(provider, TIMED))
    assert_timing_matches((await afinished(telemetry))[0], t0, arrivals)


def test_anthropic_stream_timing_matches_what_the_caller_sees(telemetry, provider):
    warm_up(telemetry, lambda: list(claude(provider)))
    t0, arrivals, _ = timed_read(lambda: claude(provider, TIMED))
    assert_timing_matches(finished(telemetry)[0], t0, arrivals)


@pytest.mark.asyncio
async def test_async_anthropic_stream_timing_matches_what_the_caller_sees(telemetry, provider):
    async def drain() -> None:
        async for _ in await aclaude(provider):
            pass

    await awarm_up(telemetry, drain)
    t0, arrivals, _ = await atimed_read(lambda: aclaude(provider, TIMED))
    assert_timing_matches((await afinished(telemetry))[0], t0, arrivals)


# -- streaming keys ----------------------------------------------------------------------


def assert_stream_keys(span: Any, chunks: list[Any], usage: bool) -> None:
    attrs = span.attributes
    for key in STREAM_KEYS:
        assert key in attrs, key
    assert attrs["llm.response.is_streaming"] is True
    assert attrs["llm.response.stream_outcome"] == "completed"
    assert attrs["llm.response.chunk_count"] == len(chunks)
    ttft, duration = attrs["llm.response.time_to_first_token"], attrs["llm.response.stream_duration"]
    assert 0 < ttft <= duration
    assert 0 < attrs["llm.response.max_chunk_gap"] <= duration - ttft
    assert attrs["llm.response.content_length"] == sum(len(delta_text(c)) for c in chunks)
    assert attrs["llm.response.finish_reasons"] == ("stop",)
    assert attrs["llm.response.finish_reason"] == "stop"
    assert attrs["llm.response.tool_calls_count"] == 0
    assert span.status.status_code == StatusCode.UNSET
    if not usage:
        assert "llm.response.tokens_per_second" not in attrs
        return
    reported = [c.usage for c in chunks if getattr(c, "usage", None) is not None][-1]
    assert attrs["llm.usage.prompt_tokens"] == reported.prompt_tokens
    assert attrs["llm.usage.completion_tokens"] == reported.completion_tokens
    assert attrs["llm.usage.total_tokens"] == reported.total_tokens
    # tokens/s and chunks/s share the same window (first to last chunk).
    window = (attrs["llm.response.chunk_count"] - 1) / attrs["llm.response.chunks_per_second"]
    assert attrs["llm.response.tokens_per_second"] == pytest.approx(reported.completion_tokens / window)


@pytest.mark.parametrize("open_stream", [chat, claude], ids=["openai", "anthropic"])
def test_stream_span_has_every_streaming_key_and_litellms_cost(telemetry, provider, open_stream):
    spy = CostSpy()
    litellm.callbacks.append(spy)
    chunks = list(open_stream(provider, {"chunk_count": 8, "chunk_delay": 0.002}, stream_options={"include_usage": True}))
    span = finished(telemetry)[0]
    assert_stream_keys(span, chunks, usage=True)
    call_id = span.attributes["llm.litellm.call_id"]
    deadline = time.monotonic() + 3
    while call_id not in spy.costs and time.monotonic() < deadline:
        time.sleep(0.01)
    assert spy.costs[call_id] > 0
    assert span.attributes["llm.usage.cost"] == spy.costs[call_id]


@pytest.mark.asyncio
async def test_async_stream_span_has_every_streaming_key(telemetry, provider):
    stream = await achat(provider, {"chunk_count": 8}, stream_options={"include_usage": True})
    chunks = [chunk async for chunk in stream]
    assert_stream_keys((await afinished(telemetry))[0], chunks, usage=True)


def test_stream_without_usage_leaves_token_keys_unset(telemetry, provider):
    chunks = list(chat(provider))
    assert_stream_keys(finished(telemetry)[0], chunks, usage=False)


def test_streamed_tool_calls_match_the_non_streamed_response(telemetry, provider):
    behavior = {"tool_calls": TOOLS, "chunk_count": 4}
    response = litellm.completion(
        model=OPENAI_MODEL, api_base=provider.openai_base, api_key="sk-test", messages=MESSAGES,
        extra_headers=behave(**behavior),
    )  # fmt: skip
    chunks = list(chat(provider, behavior))
    plain, streamed = sorted(finished(telemetry, 2), key=lambda s: "llm.response.is_streaming" in s.attributes)
    assert "llm.response.is_streaming" not in plain.attributes
    expected_names = tuple(call.function.name for call in response.choices[0].message.tool_calls)
    assert expected_names == ("get_weather", "get_time")
    for span in (plain, streamed):
        assert span.attributes["llm.response.tool_names"] == expected_names
        assert span.attributes["llm.response.tool_calls_count"] == len(expected_names)
        assert span.attributes["llm.response.finish_reason"] == "tool_calls"
    assert streamed.attributes["llm.response.chunk_count"] == len(chunks)


# -- end paths: exactly one end, the right outcome ----------------------------------------


def test_exhausted_stream_ends_once_as_completed(telemetry, provider, hygiene):
    chunks = list(chat(provider))
    span = only_span(telemetry, hygiene)
    assert span.attributes["llm.response.stream_outcome"] == "completed"
    assert span.attributes["llm.response.chunk_count"] == len(chunks)


@pytest.mark.asyncio
async def test_async_exhausted_stream_ends_once_as_completed(telemetry, provider, hygiene):
    chunks = [chunk async for chunk in await achat(provider)]
    span = await aonly_span(telemetry, hygiene)
    assert span.attributes["llm.response.stream_outcome"] == "completed"
    assert span.attributes["llm.response.chunk_count"] == len(chunks)


def test_stream_closed_early_ends_span_once(telemetry, provider, hygiene):
    stream = chat(provider, {"chunk_count": 10})
    next(stream)
    next(stream)
    # Held before close(): LiteLLM >= 1.108 has a close() of its own, which also drops its completion_stream.
    provider_stream = stream.completion_stream
    stream.close()
    stream.close()
    assert provider_stream.response.is_closed  # the HTTP response under LiteLLM's stream is released
    span = only_span(telemetry, hygiene)
    assert span.attributes["llm.response.stream_outcome"] == "closed_early"
    assert span.attributes["llm.response.chunk_count"] == 2
    assert "llm.response.finish_reason" not in span.attributes


# LiteLLM <= 1.106: its stream has no close(), and an Anthropic stream has no HTTP stream to close either,
# so reading after close() goes on to the end. LiteLLM >= 1.108: its close() ends the stream (StopIteration).
LITELLM_STREAM_CLOSES = getattr(litellm.CustomStreamWrapper, "close", None) is not None


def test_reading_on_after_close_neither_ends_again_nor_keeps_chunks(telemetry, provider, hygiene):
    stream = claude(provider, {"chunk_count": 6})
    first = next(stream)
    stream.close()
    rest = list(stream)
    # The caller reads exactly what LiteLLM gives after close(), whichever of the two it is.
    assert "".join(delta_text(c) for c in [first, *rest]) == (delta_text(first) if LITELLM_STREAM_CLOSES else TEXT)
    assert len(stream._self_state.chunks) == 0
    span = only_span(telemetry, hygiene)
    assert span.attributes["llm.response.stream_outcome"] == "closed_early"
    assert span.attributes["llm.response.chunk_count"] == 1


def test_reading_on_after_close_of_a_stream_with_nothing_to_close_passes_chunks_through(telemetry, hygiene):
    """Chunks read after close() reach the caller but are neither counted nor kept (on any LiteLLM)."""
    chunks = list(litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response=TEXT, stream=True))
    telemetry.instrumentor.flush()
    telemetry.exporter.clear()
    calls = telemetry.instrumentor.telemetry
    call = calls.begin("chat", (), {"model": "gpt-4o-mini"})
    calls.detach(call)
    stream = StreamWrapper(iter(chunks), StreamState(calls, call))  # a list iterator: no close() of its own
    first = next(stream)
    stream.close()
    rest = list(stream)
    assert [first, *rest] == chunks
    assert len(stream._self_state.chunks) == 0
    span = only_span(telemetry, hygiene)
    assert span.attributes["llm.response.stream_outcome"] == "closed_early"
    assert span.attributes["llm.response.chunk_count"] == 1


@pytest.mark.asyncio
async def test_async_stream_closed_early_ends_span_once(telemetry, provider, hygiene):
    stream = await achat(provider, {"chunk_count": 10})
    await stream.__anext__()
    await stream.aclose()
    await stream.aclose()
    span = await aonly_span(telemetry, hygiene)
    assert span.attributes["llm.response.stream_outcome"] == "closed_early"
    assert span.attributes["llm.response.chunk_count"] == 1
    # One chunk: no gap and no rate to speak of, so those keys stay unset (never a stand-in 0).
    assert "llm.response.max_chunk_gap" not in span.attributes
    assert "llm.response.chunks_per_second" not in span.attributes


def test_with_block_exit_before_the_end_closes_the_stream_early(telemetry, provider, hygiene):
    with chat(provider, {"chunk_count": 10}) as stream:
        for index, _ in enumerate(stream):
            if index == 2:
                break
        assert not telemetry.exporter.get_finished_spans()  # the block has not exited: the span is still open
    span = only_span(telemetry, hygiene)
    assert span.attributes["llm.response.stream_outcome"] == "closed_early"
    assert span.attributes["llm.response.chunk_count"] == 3
    assert span.attributes["llm.response.time_to_first_token"] > 0


@pytest.mark.asyncio
async def test_async_with_block_exit_before_the_end_closes_the_stream_early(telemetry, provider, hygiene):
    async with await achat(provider, {"chunk_count": 10}) as stream:
        async for _ in stream:
            break
    span = await aonly_span(telemetry, hygiene)
    assert span.attributes["llm.response.stream_outcome"] == "closed_early"
    assert span.attributes["llm.response.chunk_count"] == 1
    assert stream.completion_stream is None  # LiteLLM's own aclose() ran


def test_with_block_around_a_whole_stream_records_completed(telemetry, provider, hygiene):
    with chat(provider) as stream:
        chunks = list(stream)
    span = only_span(telemetry, hygiene)
    assert span.attributes["llm.response.stream_outcome"] == "completed"
    assert span.attributes["llm.response.chunk_count"] == len(chunks)


def assert_error_span(span: Any, error: BaseException, received: int) -> None:
    assert span.attributes["llm.response.stream_outcome"] == "error"
    assert span.attributes["llm.response.chunk_count"] == received
    assert span.status.status_code == StatusCode.ERROR
    events = exception_events(span)
    assert len(events) == 1
    assert events[0].attributes["exception.type"] == type(error).__qualname__
    assert span.attributes["llm.error.type"] == type(error).__name__


def test_provider_error_mid_stream_is_reraised_and_recorded_once(telemetry, provider, hygiene):
    received: list[Any] = []
    with pytest.raises(Exception) as caught:
        for chunk in chat(provider, {"break_after_chunks": 2}):
            received.append(chunk)
    # LiteLLM's own mapped exception reaches the caller, not a litetrace one (from 1.108 a
    # MidStreamFallbackError saying "Connection error", with the broken read as its cause).
    assert type(caught.value).__module__.startswith("litellm."), type(caught.value)
    assert "incomplete chunked read" in error_chain_text(caught.value)
    assert "".join(delta_text(c) for c in received) == "Hello from "
    assert_error_span(only_span(telemetry, hygiene), caught.value, len(received))


@pytest.mark.asyncio
async def test_async_provider_error_mid_stream_is_reraised_and_recorded_once(telemetry, provider, hygiene):
    received: list[Any] = []
    with pytest.raises(Exception) as caught:
        async for chunk in await achat(provider, {"break_after_chunks": 2}):
            received.append(chunk)
    assert type(caught.value).__module__.startswith("litellm."), type(caught.value)
    assert "".join(delta_text(c) for c in received) == "Hello from "
    assert_error_span(await aonly_span(telemetry, hygiene), caught.value, len(received))


@pytest.mark.asyncio
async def test_cancelled_task_ends_the_stream_span_as_cancelled(telemetry, provider, hygiene):
    stream = await achat(provider, {"chunk_count": 5, "chunk_delay": 0.5})
    first = asyncio.Event()

    async def consume() -> None:
        async for _ in stream:
            first.set()

    task = asyncio.create_task(consume())
    await first.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await stream.aclose()  # closing after the end must not end the span again
    span = await aonly_span(telemetry, hygiene)
    assert span.attributes["llm.response.stream_outcome"] == "cancelled"
    assert span.attributes["llm.response.chunk_count"] >= 1
    assert len(exception_events(span)) == 1


def test_stream_dropped_unread_ends_as_abandoned(telemetry, provider, hygiene):
    stream = chat(provider)
    assert not telemetry.exporter.get_finished_spans()
    del stream
    gc.collect()
    span = only_span(telemetry, hygiene)
    assert span.attributes["llm.response.stream_outcome"] == "abandoned"
    assert span.attributes["llm.response.chunk_count"] == 0
    assert "llm.response.time_to_first_token" not in span.attributes


@pytest.mark.asyncio
async def test_async_stream_dropped_unread_ends_as_abandoned(telemetry, provider, hygiene):
    stream = await achat(provider)
    del stream
    gc.collect()
    span = await aonly_span(telemetry, hygiene)
    assert span.attributes["llm.response.stream_outcome"] == "abandoned"
    assert span.attributes["llm.response.chunk_count"] == 0


def test_close_after_exhaustion_does_not_end_twice(telemetry, provider, hygiene):
    stream = chat(provider)
    chunks = list(stream)
    stream.close()
    with stream:
        pass
    del stream
    gc.collect()
    span = only_span(telemetry, hygiene)
    assert span.attributes["llm.response.stream_outcome"] == "completed"
    assert span.attributes["llm.response.chunk_count"] == len(chunks)


@pytest.mark.asyncio
async def test_async_aclose_after_exhaustion_does_not_end_twice(telemetry, provider, hygiene):
    stream = await achat(provider)
    chunks = [chunk async for chunk in stream]
    await stream.aclose()
    async with stream:
        pass
    del stream
    gc.collect()
    span = await aonly_span(telemetry, hygiene)
    assert span.attributes["llm.response.stream_outcome"] == "completed"
    assert span.attributes["llm.response.chunk_count"] == len(chunks)


# -- context safety ----------------------------------------------------------------------


def test_iterating_leaves_the_callers_current_span_alone(telemetry, provider):
    tracer = telemetry.tracer_provider.get_tracer("test")
    with tracer.start_as_current_span("outer") as outer:
        stream = chat(provider)
        assert trace.get_current_span() is outer
        for _ in stream:
            assert trace.get_current_span() is outer
            with tracer.start_as_current_span("caller work"):
                pass
        assert trace.get_current_span() is outer
    spans = finished(telemetry, 7)
    llm = next(s for s in spans if s.name.startswith("chat"))
    work = [s for s in spans if s.name == "caller work"]
    assert llm.parent.span_id == outer.get_span_context().span_id
    assert work and all(s.parent.span_id == outer.get_span_context().span_id for s in work)


def test_stream_consumed_in_another_thread_leaves_both_contexts_alone(telemetry, provider):
    tracer = telemetry.tracer_provider.get_tracer("test")
    seen: dict[str, Any] = {}

    def consume(stream: Any) -> None:
        seen["before"] = trace.get_current_span()
        for _ in stream:
            with tracer.start_as_current_span("worker work"):
                pass
        seen["after"] = trace.get_current_span()

    with tracer.start_as_current_span("outer") as outer:
        stream = chat(provider)
        worker = threading.Thread(target=consume, args=(stream,))
        worker.start()
        worker.join()
        assert trace.get_current_span() is outer
    assert seen["before"] is seen["after"]
    spans = finished(telemetry, 8)
    llm = next(s for s in spans if s.name.startswith("chat"))
    assert llm.attributes["llm.response.stream_outcome"] == "completed"
    # The thread starts in the caller's context (litetrace switches on threading context
    # propagation); iterating the stream never makes the LLM span current there.
    assert all(s.parent.span_id == outer.get_span_context().span_id for s in spans if s.name == "worker work")


@pytest.mark.asyncio
async def test_stream_consumed_in_another_task_leaves_both_contexts_alone(telemetry, provider):
    tracer = telemetry.tracer_provider.get_tracer("test")

    async def consume(stream: Any) -> tuple[Any, Any]:
        before = trace.get_current_span()
        async for _ in stream:
            with tracer.start_as_current_span("task work"):
                pass
        return before, trace.get_current_span()

    with tracer.start_as_current_span("outer") as outer:
        stream = await achat(provider)
        before, after = await asyncio.create_task(consume(stream))
        assert trace.get_current_span() is outer
    assert before is after is outer
    spans = await afinished(telemetry, 8)
    llm = next(s for s in spans if s.name.startswith("chat"))
    work = [s for s in spans if s.name == "task work"]
    assert work and all(s.parent.span_id == outer.get_span_context().span_id for s in work)
    assert all(s.parent.span_id != llm.context.span_id for s in work)


# -- the proxy is the real stream --------------------------------------------------------


def test_stream_proxy_is_litellms_stream(telemetry, provider):
    stream = chat(provider)
    assert isinstance(stream, StreamWrapper)
    assert isinstance(stream, litellm.CustomStreamWrapper)
    real = stream.__wrapped__
    assert stream._hidden_params is real._hidden_params
    assert stream.completion_stream is real.completion_stream
    assert stream.logging_obj is real.logging_obj
    assert stream.model == real.model == "gpt-4o-mini"
    stream.user_note = "set through the proxy"
    assert real.user_note == "set through the proxy"
    list(stream)


@pytest.mark.asyncio
async def test_async_stream_proxy_is_litellms_stream(telemetry, provider):
    stream = await achat(provider)
    assert isinstance(stream, AsyncStreamWrapper)
    assert isinstance(stream, litellm.CustomStreamWrapper)
    assert stream._hidden_params is stream.__wrapped__._hidden_params
    assert stream.logging_obj is stream.__wrapped__.logging_obj
    assert [chunk async for chunk in stream]


# -- internal failures cost telemetry, never chunks ---------------------------------------


def broken_on_chunk(self: StreamState, chunk: Any) -> None:
    raise RuntimeError("litetrace bug")


def test_chunk_handling_failure_does_not_interrupt_iteration(telemetry, provider, monkeypatch):
    monkeypatch.setattr(litetrace.safety, "STRICT", False)
    monkeypatch.setattr(StreamState, "on_chunk", broken_on_chunk)
    chunks = list(chat(provider))
    assert "".join(delta_text(c) for c in chunks) == TEXT
    assert chunks[-1].choices[0].finish_reason == "stop"
    span = finished(telemetry)[0]
    assert span.attributes["llm.response.stream_outcome"] == "completed"


@pytest.mark.asyncio
async def test_async_chunk_handling_failure_does_not_interrupt_iteration(telemetry, provider, monkeypatch):
    monkeypatch.setattr(litetrace.safety, "STRICT", False)
    monkeypatch.setattr(StreamState, "on_chunk", broken_on_chunk)
    chunks = [chunk async for chunk in await achat(provider)]
    assert "".join(delta_text(c) for c in chunks) == TEXT
    assert (await afinished(telemetry))[0].attributes["llm.response.stream_outcome"] == "completed"


# -- metrics -----------------------------------------------------------------------------


def test_stream_metrics_match_the_span(telemetry, provider):
    list(chat(provider, {"chunk_count": 10, "chunk_delay": 0.005}, stream_options={"include_usage": True}))
    attrs = finished(telemetry)[0].attributes
    metrics = telemetry.metrics()
    rate = attrs["llm.response.chunks_per_second"]

    def single(name: str) -> Any:
        points = metrics[name]
        assert len(points) == 1 and points[0].count == 1, name
        assert points[0].attributes["llm.response.is_streaming"] is True
        assert points[0].attributes["gen_ai.operation.name"] == "chat"
        return points[0]

    assert single("gen_ai.client.operation.time_to_first_chunk").sum == attrs["llm.response.time_to_first_token"]
    assert single("llm.response.chunks_per_second").sum == pytest.approx(rate)
    # One point per stream: the mean time between chunks after the first.
    assert single("gen_ai.client.operation.time_per_output_chunk").sum == pytest.approx(1 / rate)
    duration = single("gen_ai.client.operation.duration").sum
    assert attrs["llm.response.stream_duration"] <= duration < attrs["llm.response.stream_duration"] + 0.05


def test_chunk_gap_metrics_record_every_gap_the_caller_saw(telemetry_factory, provider):
    """chunk_gap_metrics=True: time_per_output_chunk as the semantic conventions define it, one
    point per chunk after the first, each the gap the caller observed between chunks."""
    telemetry = telemetry_factory(chunk_gap_metrics=True)
    seen: list[float] = []
    for _chunk in chat(provider, {"chunk_count": 10, "chunk_delay": 0.01}, stream_options={"include_usage": True}):
        seen.append(time.perf_counter())
    attrs = finished(telemetry)[0].attributes
    point = telemetry.metrics()["gen_ai.client.operation.time_per_output_chunk"][0]
    assert point.count == attrs["llm.response.chunk_count"] - 1 == len(seen) - 1
    # The gaps add up to the time from the first chunk to the last, as the caller measured it.
    assert point.sum == pytest.approx(seen[-1] - seen[0], abs=0.005)
    assert point.max == pytest.approx(attrs["llm.response.max_chunk_gap"])


# -- other streamed operations -----------------------------------------------------------


def assert_streamed_operation(span: Any, operation: str, received: int) -> None:
    assert span.attributes["llm.request.type"] == operation
    assert span.attributes["llm.response.stream_outcome"] == "completed"
    assert span.attributes["llm.response.chunk_count"] == received
    assert span.attributes["llm.response.time_to_first_token"] > 0
    assert span.attributes["llm.response.content_length"] == len(TEXT)


def test_text_completion_stream_has_one_span_with_chunk_timing(telemetry, provider):
    spy = CostSpy()
    litellm.callbacks.append(spy)
    chunks = list(
        litellm.text_completion(model=TEXT_MODEL, api_base=provider.openai_base, api_key="sk-test", prompt="hi", stream=True)
    )
    span = finished(telemetry)[0]
    assert_streamed_operation(span, "text_completion", len(chunks))
    call_id = span.attributes["llm.litellm.call_id"]
    deadline = time.monotonic() + 3
    while call_id not in spy.tokens and time.monotonic() < deadline:
        time.sleep(0.01)
    prompt, completion, total = spy.tokens[call_id]
    if total:
        # LiteLLM >= 1.108 puts no usage on these chunks and logs (and prices) its own counts: the span has them.
        assert all(getattr(chunk, "usage", None) is None for chunk in chunks)
        assert (span.attributes["llm.usage.prompt_tokens"], span.attributes["llm.usage.completion_tokens"]) == (prompt, completion)
        assert span.attributes["llm.usage.total_tokens"] == total
    else:
        # LiteLLM <= 1.106 puts an all-zero usage on every chunk and logs zeros: that stand-in is no count.
        assert "llm.usage.prompt_tokens" not in span.attributes
        assert "llm.usage.completion_tokens" not in span.attributes


@pytest.mark.asyncio
async def test_async_text_completion_stream_has_one_span_with_chunk_timing(telemetry, provider):
    stream = await litellm.atext_completion(
        model=TEXT_MODEL, api_base=provider.openai_base, api_key="sk-test", prompt="hi", stream=True,
        stream_options={"include_usage": True},
    )  # fmt: skip
    chunks = [chunk async for chunk in stream]
    span = (await afinished(telemetry))[0]
    assert_streamed_operation(span, "text_completion", len(chunks))
    assert span.attributes["llm.usage.completion_tokens"] == 5


def test_responses_stream_has_one_span_with_chunk_timing(telemetry, provider):
    events = list(litellm.responses(model=OPENAI_MODEL, api_base=provider.openai_base, api_key="sk-test", input="hi", stream=True))
    span = finished(telemetry)[0]
    assert_streamed_operation(span, "responses", len(events))
    assert span.attributes["llm.usage.completion_tokens"] == 5


@pytest.mark.asyncio
async def test_async_responses_stream_has_one_span_with_chunk_timing(telemetry, provider):
    stream = await litellm.aresponses(
        model=OPENAI_MODEL, api_base=provider.openai_base, api_key="sk-test", input="hi", stream=True
    )
    events = [event async for event in stream]
    assert_streamed_operation((await afinished(telemetry))[0], "responses", len(events))


def test_captured_stream_output_is_the_text_the_caller_received(telemetry_factory, provider):
    telemetry = telemetry_factory(capture_content=True)
    chunks = list(chat(provider, {"chunk_count": 7}))
    span = finished(telemetry)[0]
    messages = json.loads(span.attributes["gen_ai.output.messages"])
    assert messages[0]["parts"][0]["content"] == "".join(delta_text(c) for c in chunks) == TEXT
    assert messages[0]["finish_reason"] == "stop"


def test_callback_after_flush_makes_no_second_span(telemetry, provider, hygiene):
    spy = CostSpy()
    litellm.callbacks.append(spy)
    list(chat(provider, {"chunk_count": 3}))
    telemetry.instrumentor.flush()  # ends the parked span before LiteLLM's logging thread calls back
    deadline = time.monotonic() + 3
    while not spy.costs and time.monotonic() < deadline:
        time.sleep(0.01)
    assert spy.costs  # LiteLLM did call back, after the span had ended
    span = only_span(telemetry, hygiene)
    assert span.attributes["llm.response.stream_outcome"] == "completed"


def test_anthropic_stream_without_include_usage_gets_litellms_token_counts(telemetry, provider, hygiene):
    """LiteLLM surfaces no usage chunk here; the span takes the counts LiteLLM priced the call on."""
    stream = litellm.completion(
        model="anthropic/claude-sonnet-4-5", messages=[{"role": "user", "content": "hi"}], stream=True,
        api_base=provider.base_url, api_key="sk-test",
    )
    chunks = list(stream)
    assert all(getattr(chunk, "usage", None) is None for chunk in chunks)
    attrs = only_span(telemetry, hygiene).attributes
    assert attrs["llm.usage.completion_tokens"] > 0 and attrs["llm.usage.prompt_tokens"] > 0
    assert attrs["llm.usage.total_tokens"] == attrs["llm.usage.prompt_tokens"] + attrs["llm.usage.completion_tokens"]
    points = telemetry.metrics()["gen_ai.client.token.usage"]
    assert {point.attributes["gen_ai.token.type"] for point in points} == {"input", "output"}
