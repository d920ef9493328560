"""The proxy's hooks: LiteLLM calls them around each request it serves."""

from __future__ import annotations

from typing import Any

from litellm.integrations.custom_logger import CustomLogger
from opentelemetry import trace

from litetrace.proxy.context import TRACE_ID_HEADER, CallSpans, continue_callers_trace, traceparent
from litetrace.proxy.requester import end_user_of, metadata_of, requester_attributes
from litetrace.safety import internal_error


class ProxyHooks(CustomLogger):  # type: ignore[misc]  # LiteLLM's class is untyped
    """Request-level work the LLM span cannot do from inside the call."""

    def __init__(self) -> None:
        super().__init__()
        self.spans = CallSpans()

    async def async_pre_call_hook(self, user_api_key_dict: Any, cache: Any, data: dict[str, Any], call_type: Any) -> None:
        """Before routing: continue the caller's trace, so the LLM span is its child."""
        try:
            continue_callers_trace(data)
        except Exception:
            internal_error("reading the caller's trace context")
        return None

    def log_pre_api_call(self, model: Any, messages: Any, kwargs: dict[str, Any]) -> None:
        """Inside the call (the LLM span is current): who asked, and its trace for the response headers."""
        try:
            span = trace.get_current_span()
            first = self.spans.remember(kwargs.get("litellm_call_id"), span.get_span_context())
            # Once per request: a fallback attempt's metadata names the fallback's model group.
            if first and span.is_recording():
                import litellm

                redact = litellm.redact_user_api_key_info is True
                span.set_attributes(requester_attributes(metadata_of(kwargs), redact, end_user_of(kwargs)))
        except Exception:
            internal_error("remembering a call's trace")

    async def async_post_call_response_headers_hook(
        self, data: dict[str, Any], user_api_key_dict: Any, response: Any, request_headers: Any = None,
        litellm_call_info: Any = None,
    ) -> dict[str, str] | None:
        """The trace id back to the caller: ``traceparent`` (the LLM span) and ``x-litetrace-trace-id``."""
        try:
            span_context = self.spans.take(data.get("litellm_call_id"))
            if span_context is None:
                return None
            return {"traceparent": traceparent(span_context), TRACE_ID_HEADER: f"{span_context.trace_id:032x}"}
        except Exception:
            internal_error("adding the trace id to the response")
            return None
