"""The deadline thread: there while a span is parked, gone after an idle wait, back on the next park."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from litetrace.instrumentation.pairing import CallPairing

DEADLINE_S = 0.05


def deadline_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "litetrace-pending"]


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)
    return condition()


def test_a_parked_span_ends_at_its_deadline_with_no_further_call_and_the_thread_then_stops():
    pending = CallPairing(DEADLINE_S, max_entries=100)
    ended: list[object] = []
    try:
        parked_at = time.monotonic()
        assert pending.finish("call-1", ended.append) is False
        assert wait_for(lambda: ended == [None]), "the parked span never ended"
        assert time.monotonic() - parked_at < 2.0
        assert len(pending) == 0
        # Nothing parked for one idle wait: the thread stops.
        assert wait_for(lambda: pending._thread is None and not any(t.is_alive() for t in deadline_threads()))
        # The next park starts it again, and that span ends at its deadline too.
        assert pending.finish("call-2", ended.append) is False
        assert wait_for(lambda: ended == [None, None]), "the span parked after the thread stopped never ended"
        assert wait_for(lambda: pending._thread is None)
    finally:
        pending.close()


def test_the_thread_stays_while_spans_keep_being_parked_and_their_callbacks_come():
    pending = CallPairing(DEADLINE_S, max_entries=100)
    try:
        pending.finish("first", lambda _attributes: None)
        thread = pending._thread
        assert thread is not None and thread.is_alive()
        for index in range(20):
            pending.finish(f"call-{index}", lambda _attributes: None)
            state, _finisher = pending.take(f"call-{index}")  # the callback came
            assert state == "parked"
            assert pending._thread is thread  # the same thread, no start per call
            time.sleep(0.001)
    finally:
        pending.close()


def test_close_stops_the_thread_and_ends_what_is_parked():
    pending = CallPairing(60, max_entries=100)
    ended: list[object] = []
    pending.finish("call", ended.append)
    thread = pending._thread
    assert thread is not None
    pending.close()
    assert ended == [None]
    thread.join(timeout=5)
    assert not thread.is_alive()
