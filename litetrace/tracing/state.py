"""Which tracer, meter and settings the decorators use.

After ``instrument()`` (or ``setup()``): the providers it was given, so workflow spans and
LLM spans land in the same pipeline. Before it, or after ``uninstrument()``: the global
providers (proxies that follow a later ``set_tracer_provider``), with no-op spans when
nothing is configured, and content capture from its environment variable.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from opentelemetry import metrics, trace

from litetrace.attributes import capture
from litetrace.tracing.durations import SpanDurations
from litetrace.version import __version__

SCOPE_NAME = "litetrace.tracing"


@dataclass(frozen=True)
class Tracing:
    """What a decorated function's span is made with."""

    tracer: trace.Tracer
    durations: SpanDurations
    capture_content: bool
    content_max_length: int
    # The tracer provider litetrace.buffer() diverts spans of (None: the global one).
    tracer_provider: Any = None


_lock = threading.Lock()
_active: Tracing | None = None


def active() -> Tracing:
    """The current configuration (built from the global providers on first use)."""
    found = _active
    return found if found is not None else _use_globals()


def _use_globals() -> Tracing:
    global _active
    with _lock:
        if _active is None:
            _active = Tracing(
                tracer=trace.get_tracer(SCOPE_NAME, __version__),
                durations=SpanDurations(metrics.get_meter(SCOPE_NAME, __version__)),
                capture_content=capture.resolve(None).on_span,
                content_max_length=8192,
            )
        return _active


def configure(tracer_provider: Any, meter_provider: Any, capture_content: bool, content_max_length: int) -> None:
    """Use the providers and settings ``instrument()`` was given."""
    global _active
    with _lock:
        _active = Tracing(
            tracer=trace.get_tracer(SCOPE_NAME, __version__, tracer_provider),
            durations=SpanDurations(metrics.get_meter(SCOPE_NAME, __version__, meter_provider)),
            capture_content=capture_content,
            content_max_length=content_max_length,
            tracer_provider=tracer_provider,
        )


def reset() -> None:
    """Back to the global providers (``uninstrument()``)."""
    global _active
    with _lock:
        _active = None


def tracer_provider() -> Any:
    """The SDK tracer provider spans of decorators and LiteLLM calls go to, if any."""
    provider = active().tracer_provider
    return provider if provider is not None else trace.get_tracer_provider()
