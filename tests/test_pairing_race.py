"""The wrapper and LiteLLM's callback racing for one call: the span ends once, now, with its cost."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from support import MESSAGES

from litetrace.attributes import names as n
from litetrace.instrumentation.callback import LitetraceCallback
from litetrace.instrumentation.pairing import CallPairing

COST = 0.0042


def callback_kwargs(call_id: str) -> dict[str, Any]:
    """What LiteLLM hands a success callback at the end of a stream (the parts litetrace reads)."""
    return {
        "litellm_call_id": call_id,
        "standard_logging_object": {"response_cost": COST, "custom_llm_provider": "openai", "cache_hit": False},
    }


def open_stream_call(telemetry: Any) -> Any:
    """A chat call started by the wrapper, its stream still being read."""
    recorder = telemetry.instrumentor.telemetry
    call = recorder.begin("chat", (), {"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True})
    recorder.detach(call)
    return call


def cost_total(telemetry: Any) -> float:
    points = telemetry.metrics().get(n.COST, [])
    return sum(point.value for point in points)


def test_stream_ending_between_take_and_enrich_ends_the_span_at_once_with_its_cost(monkeypatch, telemetry_factory):
    # A deadline far beyond the test: before the fix the span waited for it, without its cost.
    telemetry = telemetry_factory(callback_deadline=60)
    recorder = telemetry.instrumentor.telemetry
    call = open_stream_call(telemetry)
    states: list[str] = []
    take, enrich_open = CallPairing.take, CallPairing.enrich_open

    def spied_take(self: CallPairing, call_id: str) -> tuple[str, Any]:
        found = take(self, call_id)
        states.append(found[0])
        return found

    def stream_ends_first(self: CallPairing, *args: Any, **kwargs: Any) -> Any:
        # The pause between the callback's take() and its enrich_open(): the stream ends in it.
        recorder.end(call, None, streaming=True)
        assert not telemetry.exporter.get_finished_spans(), "the span should be parked for the callback"
        return enrich_open(self, *args, **kwargs)

    monkeypatch.setattr(CallPairing, "take", spied_take)
    monkeypatch.setattr(CallPairing, "enrich_open", stream_ends_first)
    LitetraceCallback(recorder).log_success_event(callback_kwargs(call.call_id), None, None, None)

    assert states == ["open"]
    spans = telemetry.exporter.get_finished_spans()
    assert len(spans) == 1
    assert spans[0].attributes[n.COST] == pytest.approx(COST)
    assert cost_total(telemetry) == pytest.approx(COST)
    assert len(recorder.pending) == 0


def test_racing_threads_end_every_span_once_with_its_cost(telemetry_factory):
    """The same race run for real: the callback on another thread, the stream ending meanwhile."""
    telemetry = telemetry_factory(callback_deadline=60)
    recorder = telemetry.instrumentor.telemetry
    callback = LitetraceCallback(recorder)
    rounds = 200
    for _ in range(rounds):
        call = open_stream_call(telemetry)
        start = threading.Barrier(2)

        def deliver(call_id: str = call.call_id, barrier: threading.Barrier = start) -> None:
            barrier.wait()
            callback.log_success_event(callback_kwargs(call_id), None, None, None)

        thread = threading.Thread(target=deliver)
        thread.start()
        start.wait()
        recorder.end(call, None, streaming=True)
        thread.join()
    deadline = time.monotonic() + 2.0
    while len(telemetry.exporter.get_finished_spans()) < rounds and time.monotonic() < deadline:
        time.sleep(0.01)
    spans = telemetry.exporter.get_finished_spans()
    assert len(spans) == rounds
    assert all(span.attributes.get(n.COST) == pytest.approx(COST) for span in spans)
    assert cost_total(telemetry) == pytest.approx(COST * rounds)
    assert len(recorder.pending) == 0


def test_open_calls_are_bounded_and_an_evicted_call_still_ends_its_span_once(telemetry_factory):
    """Streams kept unread forever hold no entry forever: past max_pending the oldest lose their pairing."""
    telemetry = telemetry_factory(callback_deadline=60)
    recorder = telemetry.instrumentor.telemetry
    pending = CallPairing(60, max_entries=50)
    recorder.pending = pending
    calls = [open_stream_call(telemetry) for _ in range(80)]
    assert len(pending) == 50
    oldest = calls[0]
    # Its callback finds no entry; the id is the wrapper's own, so no second span is built.
    LitetraceCallback(recorder).log_success_event(callback_kwargs(oldest.call_id), None, None, None)
    assert telemetry.exporter.get_finished_spans() == ()
    for call in calls:
        recorder.end(call, None, streaming=True, park=False)
    spans = telemetry.exporter.get_finished_spans()
    assert len(spans) == 80 and len({span.context.span_id for span in spans}) == 80
    assert len(pending) == 0
