"""``with litetrace.buffer() as buf``: hold the spans started inside instead of exporting them.

A span processor placed in front of the tracer provider's processors diverts the spans
started while a buffer is current (decorator spans, LLM spans, and a callback-built span
whose call began inside) to that buffer, whenever they end. ``buf.export()`` sends them
through the provider's processors (``setup()``'s batch/simple processors and exporters);
``buf.discard()`` drops them. After either, late-ending spans of the buffer are exported
(after ``export()``) or dropped (after ``discard()``). Without an open buffer the processor
costs one attribute test per span start and end.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

from litetrace.tracing import state

BUFFER_KEY = otel_context.create_key("litetrace-buffer")


class SpanBuffer:
    """Spans held back from export until ``export()`` or ``discard()``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spans: list[ReadableSpan] = []
        self._outcome: str | None = None  # None (holding), "exported", "discarded"
        self._processor: BufferingProcessor | None = None
        self._tokens: list[object] = []

    @property
    def spans(self) -> list[ReadableSpan]:
        """The spans held so far (ended spans only)."""
        with self._lock:
            return list(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def export(self) -> int:
        """Send the held spans through the configured pipeline; returns how many."""
        with self._lock:
            spans, self._spans = self._spans, []
            self._outcome = "exported"
        if self._processor is not None:
            for span in spans:
                self._processor.forward_end(span)
        return len(spans)

    def discard(self) -> int:
        """Drop the held spans; returns how many."""
        with self._lock:
            count = len(self._spans)
            self._spans = []
            self._outcome = "discarded"
        return count

    def hold(self, span: ReadableSpan) -> bool:
        """Keep ``span``; False when it should go on to the pipeline (exported buffer)."""
        with self._lock:
            if self._outcome is None:
                self._spans.append(span)
                return True
            return self._outcome == "discarded"

    def __enter__(self) -> SpanBuffer:
        self._processor = install(state.tracer_provider())
        if self._processor is not None:
            self._processor.opened()
        self._tokens.append(otel_context.attach(otel_context.set_value(BUFFER_KEY, self)))
        return self

    def __exit__(self, *exc: object) -> None:
        otel_context.detach(self._tokens.pop())  # type: ignore[arg-type]  # token came from attach()
        if self._processor is not None:
            self._processor.closed()


def buffer() -> SpanBuffer:
    """A new span buffer: ``with litetrace.buffer() as buf: ...``."""
    return SpanBuffer()


class BufferingProcessor(SpanProcessor):  # type: ignore[misc]  # the SDK's base class is untyped here
    """Wraps a provider's processors; diverts spans started inside a buffer."""

    def __init__(self, inner: Sequence[SpanProcessor]) -> None:
        self.inner = tuple(inner)
        self._open_buffers = 0
        self._lock = threading.Lock()
        # span id -> its buffer, from start to end (only spans started inside a buffer).
        self._owner: dict[int, SpanBuffer] = {}

    def opened(self) -> None:
        with self._lock:
            self._open_buffers += 1

    def closed(self) -> None:
        with self._lock:
            self._open_buffers -= 1

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        if self._open_buffers:
            owner = otel_context.get_value(BUFFER_KEY, parent_context)
            if owner is None and parent_context is not None:
                owner = otel_context.get_value(BUFFER_KEY)
            if isinstance(owner, SpanBuffer):
                self._owner[span.context.span_id] = owner
        for processor in self.inner:
            processor.on_start(span, parent_context=parent_context)

    def _on_ending(self, span: Span) -> None:
        for processor in self.inner:
            on_ending = getattr(processor, "_on_ending", None)
            if on_ending is not None:
                on_ending(span)

    def on_end(self, span: ReadableSpan) -> None:
        if self._owner:
            owner = self._owner.pop(span.context.span_id, None)
            if owner is not None and owner.hold(span):
                return
        self.forward_end(span)

    def forward_end(self, span: ReadableSpan) -> None:
        """Hand an ended span to the wrapped processors (the export pipeline)."""
        for processor in self.inner:
            processor.on_end(span)

    def shutdown(self) -> None:
        for processor in self.inner:
            processor.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return all(processor.force_flush(timeout_millis) for processor in self.inner)


def install(provider: Any) -> BufferingProcessor | None:
    """Put a ``BufferingProcessor`` in front of ``provider``'s processors (once); None if it has none.

    The SDK gives each tracer the provider's multi-processor object itself, so the wrapper
    goes inside that object (its ``_span_processors`` tuple), which every tracer then sees.
    Processors added to the provider later are folded in at the next ``buffer()``.
    """
    multi = getattr(provider, "_active_span_processor", None)
    processors = getattr(multi, "_span_processors", None)
    lock = getattr(multi, "_lock", None)
    if not isinstance(processors, tuple) or lock is None:
        return None
    with lock:
        processors = multi._span_processors
        ours = [p for p in processors if isinstance(p, BufferingProcessor)]
        others = [p for p in processors if not isinstance(p, BufferingProcessor)]
        if ours and not others:
            return ours[0]
        if ours:
            found = ours[0]
            found.inner = found.inner + tuple(others)
        else:
            found = BufferingProcessor(others)
        multi._span_processors = (found,)
        return found
