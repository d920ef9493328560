"""Calls between the wrapper and LiteLLM's callback, keyed by ``litellm_call_id``.

Four states: *open* (the wrapper's span is live), *parked* (the wrapper is done; the
span waits for LiteLLM's callback to bring cost and cache hit), *taken* (the span has
ended or the callback was handled: a later event makes no span), or unknown (a call no
wrapper saw: the callback makes its own span). Everything here is bounded: a
parked span is ended at its deadline, with the end time the wrapper recorded, and the
oldest entries go first when the cap is reached.

The deadline needs a thread of its own: a span whose callback never comes must end even
if the program makes no further call, and no thread that already runs is sure to run
again (LiteLLM's logging pool works only when LiteLLM hands it work; a batch span
processor's worker exists only with that processor). So a daemon thread is started when
a span is parked and none is running, and it stops after one idle wait with nothing
parked: a process between bursts of calls keeps no litetrace thread. Parking also ends
the spans already past their deadline, on the caller's thread.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from litetrace.safety import handle_internal_errors

_TAKEN_MEMORY = 4096
_AT_DEADLINE = handle_internal_errors("ending a span at its deadline")

# Ends a parked span, given the attributes the callback brought (None: deadline passed).
Finisher = Callable[[dict[str, Any] | None], None]


class CallPairing:
    """Bounded, thread-safe bookkeeping of calls awaiting LiteLLM's callback."""

    def __init__(self, deadline_s: float, max_entries: int) -> None:
        self._deadline_ns = int(deadline_s * 1e9)
        # The deadline thread's idle wait lasts one deadline: an entry parked meanwhile expires
        # after the thread wakes, so parking never has to wake it (a wake-up costs the caller
        # a thread switch, ~50 us a stream). Not shorter than 50 ms, so a tiny deadline (tests)
        # does not turn the idle wait into polling; such entries wake the thread instead.
        self._idle_s = max(deadline_s, 0.05)
        self._wake_at = 0  # monotonic ns at which the deadline thread's current wait ends
        self._max_entries = max_entries
        # Ended calls whose callback may still come: as many as may be in flight.
        self._taken_memory = max(_TAKEN_MEMORY, max_entries)
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._open: dict[str, Any] = {}
        # call id -> (expiry in monotonic ns, finisher): parked spans only
        self._waiting: OrderedDict[str, tuple[int, Finisher | None]] = OrderedDict()
        # Ids whose callback was handled, so a repeated event makes no second span.
        self._taken: OrderedDict[str, None] = OrderedDict()
        self._thread: threading.Thread | None = None
        self._closed = False

    def __len__(self) -> int:
        return len(self._open) + len(self._waiting)

    def open(self, call_id: str, call: Any) -> None:
        """The wrapper started a span for this call.

        Bounded too: past the cap the oldest open call loses its pairing (its wrapper still
        ends its span; a stream kept unread forever must not hold an entry forever).
        """
        with self._lock:
            self._open[call_id] = call
            if len(self._open) > self._max_entries:
                del self._open[next(iter(self._open))]

    def discard(self, call_id: str) -> None:
        """Forget the call in every state (its span is being ended elsewhere)."""
        with self._lock:
            self._open.pop(call_id, None)
            self._waiting.pop(call_id, None)
            self._remember_taken_locked(call_id)

    def ignore(self, call_id: str) -> None:
        """A call litetrace must not trace (suppressed): its callback makes no span."""
        with self._lock:
            self._remember_taken_locked(call_id)

    def finish(self, call_id: str, finisher: Finisher | None) -> bool:
        """The wrapper is done. Returns True when the caller should end the span now.

        With a ``finisher`` the span is parked until the callback (or the deadline); if
        the callback already came while the call was open, there is nothing to wait for.
        """
        expired: list[Finisher] = []
        with self._lock:
            call = self._open.pop(call_id, None)
            enriched = call is not None and getattr(call, "enriched", False)
            park = finisher is not None and not enriched and not self._closed
            if not park:
                # The span ends now: a callback still to come finds the id taken and makes no
                # second span. Nothing stays pending for a call whose span has ended.
                self._remember_taken_locked(call_id)
            else:
                now = time.monotonic_ns()
                expiry = now + self._deadline_ns
                self._waiting[call_id] = (expiry, finisher)
                self._waiting.move_to_end(call_id)
                expired = self._evict_locked(now)
                self._ensure_thread_locked()
                if expiry < self._wake_at:  # the deadline thread would sleep past this deadline
                    self._wake.notify()
        if expired:
            self._run(expired)
        return not park

    def take(self, call_id: str) -> tuple[str, Any]:
        """The callback arrived: ("open", call), ("parked", finisher), ("seen", None) or ("unknown", None)."""
        with self._lock:
            call = self._open.get(call_id)
            if call is not None:
                return "open", call
            entry = self._waiting.pop(call_id, None)
            if entry is None and call_id in self._taken:
                return "seen", None  # a repeated event for a call already handled
            self._remember_taken_locked(call_id)
        if entry is None:
            return "unknown", None
        return ("parked", entry[1]) if entry[1] is not None else ("seen", None)

    def enrich_open(self, call_id: str, apply: Callable[[Any], None], final: bool) -> Finisher | None:
        """Apply ``apply(call)`` while the call is still open.

        If the wrapper finished the call since ``take()`` (a stream ending meanwhile), its
        parked finisher is handed back for the caller to run, outside the lock, with the
        same view: the span ends now, with its cost, rather than at the deadline.
        ``final`` (a success event) means the wrapper need not wait for another one.
        """
        with self._lock:
            call = self._open.get(call_id)
            if call is None:
                entry = self._waiting.pop(call_id, None)
                self._remember_taken_locked(call_id)
                return entry[1] if entry is not None else None
            try:
                apply(call)
            finally:
                if final:
                    call.enriched = True
            return None

    def _remember_taken_locked(self, call_id: str) -> None:
        self._taken[call_id] = None
        if len(self._taken) > self._taken_memory:
            self._taken.popitem(last=False)

    def flush(self) -> None:
        """End every parked span now (uninstrument, shutdown, tests)."""
        with self._lock:
            finishers = [entry[1] for entry in self._waiting.values() if entry[1] is not None]
            # A callback arriving after the flush belongs to a call whose span is ended: no second span.
            for call_id in self._waiting:
                self._remember_taken_locked(call_id)
            self._waiting.clear()
        self._run(finishers)

    def close(self) -> None:
        """Flush and stop the deadline thread."""
        with self._lock:
            self._closed = True
            self._wake.notify()
        self.flush()

    def _evict_locked(self, now: int) -> list[Finisher]:
        # Entries are ordered by expiry (same deadline for all), so only the head can be due.
        due: list[Finisher] = []
        while self._waiting:
            call_id, (expiry, finisher) = next(iter(self._waiting.items()))
            if expiry > now and len(self._waiting) <= self._max_entries:
                break
            del self._waiting[call_id]
            self._remember_taken_locked(call_id)  # a late callback must not make a second span
            if finisher is not None:
                due.append(finisher)
        return due

    def _ensure_thread_locked(self) -> None:
        # The thread clears _thread (under the lock) when it stops; is_alive() covers a fork.
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._deadline_loop, name="litetrace-pending", daemon=True)
            self._thread.start()

    def _deadline_loop(self) -> None:
        idle = False  # the last wait was an idle one (nothing was parked)
        while True:
            with self._lock:
                if self._closed or (idle and not self._waiting):
                    # Nothing parked for a whole idle wait: stop; the next park starts a thread again.
                    if self._thread is threading.current_thread():
                        self._thread = None
                    self._wake_at = 0
                    return
                due = self._evict_locked(time.monotonic_ns())
                if not due:
                    # Entries are ordered by expiry: the head expires first.
                    head = next(iter(self._waiting.values()), None)
                    now = time.monotonic_ns()
                    idle = head is None
                    timeout = max((head[0] - now) / 1e9 if head else self._idle_s, 0.001)
                    self._wake_at = now + int(timeout * 1e9)
                    self._wake.wait(timeout=timeout)
                    continue
            idle = False
            self._run(due)

    @staticmethod
    def _run(finishers: list[Finisher]) -> None:
        for finisher in finishers:
            with _AT_DEADLINE:
                finisher(None)
