"""The trace a proxied request belongs to: the caller's W3C context in, the trace id back out."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanContext

TRACE_ID_HEADER = "x-litetrace-trace-id"
_MAX_REMEMBERED = 4096  # calls whose headers are not sent yet; a stream's can wait long


def request_headers(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The incoming request's headers, as the proxy put them in the request data (auth removed)."""
    request = data.get("proxy_server_request")
    headers = request.get("headers") if isinstance(request, Mapping) else None
    return headers if isinstance(headers, Mapping) else None


def continue_callers_trace(data: Mapping[str, Any]) -> None:
    """Make the caller's trace (``traceparent``, ``tracestate``, ``baggage``) current for this request.

    A valid current span (a server span from the ASGI app) wins: the LLM span becomes its child.
    The context stays attached for the rest of the request's task: uvicorn runs each request
    in a task of its own, and the proxy starts the LLM call from inside it.
    """
    if trace.get_current_span().get_span_context().is_valid:
        return
    headers = request_headers(data)
    if not headers:
        return
    lowered = {str(key).lower(): value for key, value in headers.items()}
    if "traceparent" not in lowered and "baggage" not in lowered:
        return
    otel_context.attach(propagate.extract(lowered))


def traceparent(span_context: SpanContext) -> str:
    """The W3C ``traceparent`` value naming this span."""
    return f"00-{span_context.trace_id:032x}-{span_context.span_id:016x}-{int(span_context.trace_flags):02x}"


class CallSpans:
    """Span contexts of recent LLM spans by ``litellm_call_id``, for the response headers."""

    def __init__(self, limit: int = _MAX_REMEMBERED) -> None:
        self._spans: OrderedDict[str, SpanContext] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def remember(self, call_id: Any, span_context: SpanContext) -> bool:
        """Keep the call's span context; True the first time (a Router's later attempts come again)."""
        if not isinstance(call_id, str) or not span_context.is_valid:
            return False
        with self._lock:
            if call_id in self._spans:
                return False
            self._spans[call_id] = span_context
            if len(self._spans) > self._limit:
                self._spans.popitem(last=False)
            return True

    def take(self, call_id: Any) -> SpanContext | None:
        if not isinstance(call_id, str):
            return None
        with self._lock:
            return self._spans.pop(call_id, None)
