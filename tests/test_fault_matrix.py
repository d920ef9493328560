"""Each internal step of litetrace made to raise, for each kind of call: the call is unchanged and
every span that was started ends exactly once, with nothing left pending and no duplicate.

Calls go through real LiteLLM with ``mock_response`` (fast, no HTTP). Strict mode is off here:
this is what a user's process sees when litetrace has a bug.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import litellm
import pytest
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from support import MESSAGES, adrain, drain

import litetrace.safety
import litetrace.stream.timing as state_module
from litetrace.attributes import chat, common, content, embedding, errors, semconv
from litetrace.instrumentation import callback as callback_module
from litetrace.instrumentation.calls import CallRecorder
from litetrace.instrumentation.pairing import CallPairing
from litetrace.metrics import Instruments
from litetrace.stream import StreamState

# step -> (owner, attribute): the table of litetrace's internal steps, each made to raise in turn.
STEPS: dict[str, tuple[Any, str]] = {
    "request attributes": (common, "request"),
    "chat request extractor": (chat, "request"),
    "embedding request extractor": (embedding, "request"),
    "chat response extraction": (chat, "response"),
    "embedding response extraction": (embedding, "response"),
    "hidden params": (common, "hidden_params"),
    "gen_ai twins (semconv.add)": (semconv, "add"),
    "input content capture": (content, "add_input"),
    "output content capture": (content, "add_output"),
    "attribute write": (CallRecorder, "write"),
    "meter record_call": (Instruments, "record_call"),
    "meter record_stream": (Instruments, "record_stream"),
    "meter record_late": (Instruments, "record_late"),
    "error attributes": (errors, "attributes"),
    "secret collection": (errors, "collect"),
    "exception_event": (errors, "exception_event"),
    "stream wrapping (StreamState)": (StreamState, "__init__"),
    "stream fold": (state_module, "fold"),
    "pending.open": (CallPairing, "open"),
    "pending.finish": (CallPairing, "finish"),
    "pending.take": (CallPairing, "take"),
    "pending.enrich_open": (CallPairing, "enrich_open"),
    "callback view (logged_view)": (callback_module, "logged_view"),
    "callback enrich": (CallRecorder, "enrich"),
}
KINDS = ("chat", "chat error", "embedding", "stream")
MODEL = "gpt-4o-mini"
DEADLINE_S = 0.3


class Injected(Exception):
    """Raised by a litetrace step on purpose."""


class SpanCounter(SpanProcessor):
    """Counts each span's starts and ends."""

    def __init__(self) -> None:
        self.started: Counter[int] = Counter()
        self.ended: Counter[int] = Counter()

    def on_start(self, span: Span, parent_context: Any = None) -> None:
        self.started[span.context.span_id] += 1

    def on_end(self, span: ReadableSpan) -> None:
        self.ended[span.context.span_id] += 1


# -- the calls, and what the caller sees of them (``__class__``: what isinstance sees through a proxy)


def call_sync(kind: str) -> tuple[Any, ...]:
    try:
        if kind == "chat":
            result = litellm.completion(model=MODEL, messages=MESSAGES, mock_response="ok")
            return ("returned", result.__class__.__name__, result.choices[0].message.content, result.model)
        if kind == "chat error":
            litellm.completion(model=MODEL, messages=MESSAGES, mock_response=Exception("boom"))
        if kind == "embedding":
            result = litellm.embedding(model="text-embedding-3-small", input=["hi"], mock_response=[0.5, 0.25])
            return ("returned", result.__class__.__name__, result.data[0]["embedding"])
        stream = litellm.completion(model=MODEL, messages=MESSAGES, mock_response="one two three", stream=True)
        pieces = [chunk.choices[0].delta.content for chunk in stream]
        return ("streamed", stream.__class__.__name__, pieces)
    except Exception as error:
        return ("raised", type(error).__name__, str(error))


async def call_async(kind: str) -> tuple[Any, ...]:
    try:
        if kind == "chat":
            result = await litellm.acompletion(model=MODEL, messages=MESSAGES, mock_response="ok")
            return ("returned", result.__class__.__name__, result.choices[0].message.content, result.model)
        if kind == "chat error":
            await litellm.acompletion(model=MODEL, messages=MESSAGES, mock_response=Exception("boom"))
        if kind == "embedding":
            result = await litellm.aembedding(model="text-embedding-3-small", input=["hi"], mock_response=[0.5, 0.25])
            return ("returned", result.__class__.__name__, result.data[0]["embedding"])
        stream = await litellm.acompletion(model=MODEL, messages=MESSAGES, mock_response="one two three", stream=True)
        pieces = [chunk.choices[0].delta.content async for chunk in stream]
        return ("streamed", stream.__class__.__name__, pieces)
    except Exception as error:
        return ("raised", type(error).__name__, str(error))


# Each kind's outcome with no instrumentation, taken once (before any instrument()).
_UNINSTRUMENTED: dict[tuple[str, bool], tuple[Any, ...]] = {}


@pytest.fixture
def lenient(monkeypatch) -> None:
    monkeypatch.setattr(litetrace.safety, "STRICT", False)


def break_step(monkeypatch, step: str) -> list[int]:
    owner, name = STEPS[step]
    hits: list[int] = []

    def broken(*args: Any, **kwargs: Any) -> Any:
        hits.append(1)
        raise Injected(step)

    monkeypatch.setattr(owner, name, broken)
    return hits


def instrumented(telemetry_factory, deadline_s: float = DEADLINE_S) -> tuple[Any, SpanCounter]:
    counter = SpanCounter()
    telemetry = telemetry_factory(capture_content=True, callback_deadline=deadline_s)
    telemetry.tracer_provider.add_span_processor(counter)
    return telemetry, counter


def check(telemetry: Any, counter: SpanCounter, outcome: tuple[Any, ...], expected: tuple[Any, ...]) -> None:
    """The matrix's four promises; one message names every one broken (the report counts them)."""
    pending = telemetry.instrumentor.telemetry.pending
    deadline = time.monotonic() + 3 * DEADLINE_S + 2.0
    while (len(pending) or counter.started != counter.ended) and time.monotonic() < deadline:
        time.sleep(0.02)
    broken = []
    if outcome != expected:
        broken.append(f"changed result: {outcome} != {expected}")
    unended = [span for span in counter.started if span not in counter.ended]
    if unended:
        broken.append(f"span not ended: {len(unended)} of {len(counter.started)}")
    if any(count != 1 for count in counter.ended.values()):
        broken.append(f"span ended twice: {counter.ended}")
    if len(pending):
        broken.append(f"pending left: {len(pending)} (open {len(pending._open)}, waiting {len(pending._waiting)})")
    spans = telemetry.exporter.get_finished_spans()
    if len(spans) != 1:
        broken.append(f"{'no span' if not spans else 'duplicate spans'}: {len(spans)} exported")
    assert not broken, "; ".join(broken)


@pytest.fixture
def no_double_end(caplog) -> Iterator[None]:
    with caplog.at_level(logging.WARNING, logger="opentelemetry.sdk.trace"):
        yield
    assert not [record for record in caplog.records if "ended span" in record.getMessage()], "end() called twice"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("step", list(STEPS))
def test_sync_call_survives_a_broken_step(step, kind, lenient, no_double_end, monkeypatch, telemetry_factory):
    if (kind, False) not in _UNINSTRUMENTED:
        _UNINSTRUMENTED[(kind, False)] = call_sync(kind)
    telemetry, counter = instrumented(telemetry_factory)
    break_step(monkeypatch, step)
    outcome = call_sync(kind)
    drain()
    check(telemetry, counter, outcome, _UNINSTRUMENTED[(kind, False)])


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("step", list(STEPS))
async def test_async_call_survives_a_broken_step(step, kind, lenient, no_double_end, monkeypatch, telemetry_factory):
    if (kind, True) not in _UNINSTRUMENTED:
        _UNINSTRUMENTED[(kind, True)] = await call_async(kind)
    telemetry, counter = instrumented(telemetry_factory)
    break_step(monkeypatch, step)
    outcome = await call_async(kind)
    await adrain()
    await asyncio.to_thread(check, telemetry, counter, outcome, _UNINSTRUMENTED[(kind, True)])


def test_every_step_of_the_table_is_reached(lenient, monkeypatch, telemetry_factory):
    """The table is not stale: each step runs in at least one kind of call."""
    unreached = []
    for step in STEPS:
        with monkeypatch.context() as patch:
            hits = break_step(patch, step)
            # A deadline long enough for a loaded machine: record_late runs only when LiteLLM's
            # callback reaches a parked stream before it.
            telemetry, _ = instrumented(telemetry_factory, deadline_s=10.0)
            for kind in KINDS:
                call_sync(kind)
            drain()
            # A stream's success callback (record_late's only caller) runs on LiteLLM's own thread.
            waited_until = time.monotonic() + 5
            while not hits and time.monotonic() < waited_until:
                time.sleep(0.02)
            telemetry.instrumentor.uninstrument()
        if not hits:
            unreached.append(step)
    assert unreached == []
