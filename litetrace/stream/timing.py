"""Times one stream (first chunk, gaps, rate) and ends its span once: a few counters per chunk, the rest at the end."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import TYPE_CHECKING, Any

from litetrace.attributes import names as n
from litetrace.attributes.semconv import OUTPUT_MESSAGES
from litetrace.safety import handle_internal_errors
from litetrace.stream.aggregate import fold, last_usage
from litetrace.stream.cancel import OwnerWatch, cancelling

if TYPE_CHECKING:
    from litetrace.instrumentation.calls import Call, CallRecorder

_ENDING = handle_internal_errors("ending a stream's span")
_FOLD = handle_internal_errors("folding a stream's chunks")

COMPLETED = "completed"
CLOSED_EARLY = "closed_early"
ABANDONED = "abandoned"
ERROR = "error"
CANCELLED = "cancelled"
# The LiteLLM proxy passes the incoming request (url, method, headers) to each call under this key.
PROXY_REQUEST_KEY = "proxy_server_request"


class _Discard(list):  # type: ignore[type-arg]  # holds nothing, whatever it is given
    """Where chunks go once the span has ended: a stream read after ``close()`` holds no memory."""

    def append(self, item: Any) -> None:
        pass


_DISCARD = _Discard()
_now = time.perf_counter_ns


class StreamState:
    """Timing and chunks of one stream; ends its span exactly once."""

    __slots__ = (
        "recorder", "call", "pull", "first_ns", "last_ns", "count", "max_gap_ns", "chunks", "_once", "finalizer",
        "owner",
    )  # fmt: skip

    def __init__(self, recorder: CallRecorder, call: Call) -> None:
        self.recorder = recorder
        self.call = call
        # The wrapped stream's bound __next__ / __anext__, set by the proxy: reading it through
        # the proxy's __wrapped__ costs more than all the rest of a chunk's handling.
        self.pull: Any = None
        self.first_ns = 0
        self.last_ns = 0
        self.count = 0
        self.max_gap_ns = 0
        self.chunks: list[Any] = []
        self._once = threading.Lock()
        self.finalizer: Any = None
        # An async stream's OwnerWatch (stream/cancel.py): was its task cancelled?
        self.owner: OwnerWatch | None = None

    @property
    def done(self) -> bool:
        """Whether the span has been ended (or is being ended)."""
        return self._once.locked()

    def on_chunk(self, chunk: Any) -> None:
        """The hot path: one timestamp, three comparisons, one append."""
        now = _now()
        if self.count:
            gap = now - self.last_ns
            if gap > self.max_gap_ns:
                self.max_gap_ns = gap
        else:
            self.first_ns = now
        self.last_ns = now
        self.count += 1
        self.chunks.append(chunk)

    def gaps_s(self) -> list[float] | None:
        """Each gap between chunks, in seconds, when kept (``ChunkGapStreamState``)."""
        return None

    def finish(self, outcome: str, error: BaseException | None = None) -> None:
        """End the span with this outcome, unless it has already ended."""
        if not self._once.acquire(blocking=False):
            return
        try:
            self._record(outcome, error)  # ends the span in its own finally
        except Exception:
            _ENDING.swallow()
        finally:
            self.chunks = _DISCARD

    def cancelled(self, error: BaseException) -> None:
        """The reading task was cancelled: a failure in-process, the client leaving under the proxy.

        The LiteLLM proxy reads the stream in the request's task, which Starlette cancels when
        the client disconnects: that is a stream closed early, not a failed LLM call.
        """
        if PROXY_REQUEST_KEY in self.call.params:
            self.finish(CLOSED_EARLY)
        else:
            self.finish(CANCELLED, error)

    def abandon(self) -> None:
        """Called by ``weakref.finalize`` when the stream is dropped unread."""
        if self.owner is not None and (self.owner.cancelled or cancelling()):
            self.finish(CANCELLED, asyncio.CancelledError())
        else:
            self.finish(ABANDONED)

    def _record(self, outcome: str, error: BaseException | None) -> None:
        recorder, call = self.recorder, self.call
        end_ns = time.perf_counter_ns()
        attrs: dict[str, Any] = {n.STREAMING: True, n.STREAM_OUTCOME: outcome, n.CHUNK_COUNT: self.count}
        try:
            if self.finalizer is not None:
                self.finalizer.detach()
            if self.owner is not None:
                self.owner.stop()
            if PROXY_REQUEST_KEY in call.params:
                from litetrace.proxy.streams import chunks_sent_to_client

                attrs[n.CHUNK_COUNT] = chunks_sent_to_client(call.params, self.chunks, self.count)
            attrs[n.STREAM_DURATION] = (end_ns - call.t0_ns) / 1e9
            ttft = rate = mean_gap = None
            if self.count:
                ttft = (self.first_ns - call.t0_ns) / 1e9
                attrs[n.TTFT] = ttft
            span_ns = self.last_ns - self.first_ns
            if self.count >= 2:  # one chunk has no gap: leave the key unset rather than write 0
                attrs[n.MAX_CHUNK_GAP] = self.max_gap_ns / 1e9
            if self.count >= 2 and span_ns > 0:
                rate = (self.count - 1) * 1e9 / span_ns
                mean_gap = span_ns / (self.count - 1) / 1e9
                attrs[n.CHUNKS_PER_SECOND] = rate
            try:  # the most intricate step: its failure still leaves the timings and metrics
                if call.recording:
                    settings = recorder.settings
                    capture = recorder.capture_output and _output_allowed(call)
                    fold(call.operation, self.chunks, attrs, settings.content_max_length if capture else None)
                    if capture and not settings.capture_content:  # EVENT_ONLY: the content goes to the event alone
                        output = attrs.pop(OUTPUT_MESSAGES, None)
                        call.details = {OUTPUT_MESSAGES: output} if output else None
                    elif capture and settings.event_content and OUTPUT_MESSAGES in attrs:
                        call.details = {OUTPUT_MESSAGES: attrs[OUTPUT_MESSAGES]}
                    completion = attrs.get(n.USAGE_COMPLETION)
                    if isinstance(completion, int) and completion and span_ns > 0:
                        attrs[n.TOKENS_PER_SECOND] = completion * 1e9 / span_ns
                else:
                    # Metrics still want token counts when the span is not sampled.
                    fold(call.operation, self.chunks, attrs, None)
                if recorder.conventions.current:  # cache-write and per-modality token counts
                    recorder.conventions.usage(last_usage(self.chunks), attrs)
            except Exception:
                _FOLD.swallow()
            dims = recorder.instruments.dimensions({**call.attrs, **attrs}, _error_type(error), True)
            gaps = self.gaps_s()
            if gaps is None:  # the default: one mean gap per stream rather than a record per chunk
                gaps = [mean_gap] if mean_gap is not None else []
            recorder.instruments.record_stream(ttft, gaps, rate, dims, call.context)
            if call.recording:
                recorder.write(call, attrs)
            else:
                call.attrs.update(attrs)
        finally:
            # Whatever failed above (finish()'s guard logs it), the span ends.
            if error is not None:
                recorder.fail(call, error, streaming=True)
            else:
                # LiteLLM's success callback (cost, cache hit) comes only for a response that reached its end.
                whole = outcome == COMPLETED or n.RESP_FINISH_REASONS in attrs
                recorder._end(call, None, streaming=True, park=whole)


def _error_type(error: BaseException | None) -> str | None:
    return type(error).__name__ if error is not None else None


def _output_allowed(call: Call) -> bool:
    from litetrace.attributes import content

    return content.enabled_for(True, call.params, "output")


class ChunkGapStreamState(StreamState):
    """A stream whose every chunk gap goes to time_per_output_chunk (``chunk_gap_metrics``)."""

    __slots__ = ("times",)

    def __init__(self, recorder: CallRecorder, call: Call) -> None:
        super().__init__(recorder, call)
        self.times: list[int] = []

    def on_chunk(self, chunk: Any) -> None:
        super().on_chunk(chunk)
        self.times.append(self.last_ns)

    def gaps_s(self) -> list[float] | None:
        times = self.times
        return [(later - earlier) / 1e9 for earlier, later in zip(times, times[1:], strict=False)]
