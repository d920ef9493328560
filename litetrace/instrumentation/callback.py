"""litetrace's LiteLLM callback: enriches the wrapper's span, or covers calls no wrapper saw.

LiteLLM calls it with its own view of each call (``standard_logging_object``). Sync
success events arrive on LiteLLM's logging thread after the call returned; failure
events before the exception is raised; async events as tasks on the caller's loop.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from litellm.integrations.custom_logger import CustomLogger
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from litetrace.attributes import common, semconv
from litetrace.attributes import names as n
from litetrace.attributes.errors import exception_event
from litetrace.attributes.redaction import secrets_in
from litetrace.instrumentation.calls import CallRecorder
from litetrace.instrumentation.targets import OPERATION_BY_CALL_TYPE
from litetrace.operations import CHAT
from litetrace.safety import internal_error


class LitetraceCallback(CustomLogger):  # type: ignore[misc]  # LiteLLM's base class is untyped
    """The CustomLogger paired with the wrapt patches through ``litellm_call_id``."""

    def __init__(self, recorder: CallRecorder) -> None:
        super().__init__()
        self.recorder = recorder

    # LiteLLM passes these by keyword: the parameter names must match its base class.
    def log_success_event(self, kwargs: dict[str, Any], response_obj: Any, start_time: Any, end_time: Any) -> None:
        self._on_event(kwargs, response_obj, start_time, end_time, failed=False)

    def log_failure_event(self, kwargs: dict[str, Any], response_obj: Any, start_time: Any, end_time: Any) -> None:
        self._on_event(kwargs, response_obj, start_time, end_time, failed=True)

    async def async_log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._on_event(kwargs, response_obj, start_time, end_time, failed=False)

    async def async_log_failure_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._on_event(kwargs, response_obj, start_time, end_time, failed=True)

    def _on_event(self, kwargs: Any, response: Any, start_time: Any, end_time: Any, failed: bool) -> None:
        try:
            if not isinstance(kwargs, dict):
                return
            call_id = kwargs.get("litellm_call_id")
            if not isinstance(call_id, str):
                return
            pending = self.recorder.pending
            state, entry = pending.take(call_id)
            if state == "seen":
                return
            extra = logged_view(kwargs)
            if failed:
                # LiteLLM logs a failed call at cost 0.0; the contract leaves an unknown cost unset.
                extra.pop(n.COST, None)
            if state == "open":
                pending.enrich_open(call_id, lambda call: self.recorder.enrich(call, extra), final=not failed)
            elif state == "parked":
                entry(extra)
            else:
                self._span_from_payload(kwargs, response, start_time, end_time, failed, extra)
        except Exception:
            internal_error("LiteLLM callback")

    def _span_from_payload(
        self, kwargs: dict[str, Any], response: Any, start_time: Any, end_time: Any, failed: bool, extra: dict[str, Any]
    ) -> None:
        """A call no wrapper saw: build its span from LiteLLM's record of it."""
        from litetrace.attributes import EXTRACTORS, errors

        logged = kwargs.get("standard_logging_object") or {}
        operation = OPERATION_BY_CALL_TYPE.get(str(kwargs.get("call_type") or logged.get("call_type")), CHAT)
        model = requested_model(logged) or kwargs.get("model") or logged.get("model")
        params = dict(kwargs.get("optional_params") or {})
        params.update({key: kwargs[key] for key in ("messages", "input", "prompt") if key in kwargs})
        if model:
            params["model"] = model
        attrs: dict[str, Any] = {}
        common.request(operation, params, kwargs["litellm_call_id"], attrs)
        EXTRACTORS[operation].request(params, attrs)
        attrs.update(extra)
        error: BaseException | None = kwargs.get("exception") if failed else None
        if response is not None and not failed and not isinstance(response, (str, bytes)):
            EXTRACTORS[operation].response(response, attrs)
        secrets: list[str] = []
        if failed:
            if isinstance(error, BaseException):
                secrets = secrets_in({**(kwargs.get("litellm_params") or {}), **kwargs})
                errors.attributes(error, secrets, attrs)
            else:
                info = logged.get("error_information") or {}
                attrs[n.ERROR_TYPE] = info.get("error_class") or "Exception"
        if self.recorder.settings.genai_attributes:
            semconv.add(attrs)
        name = f"{operation} {model}" if isinstance(model, str) and model else operation
        start_ns, end_ns = _epoch_ns(start_time), _epoch_ns(end_time)
        span = self.recorder.tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attrs, start_time=start_ns)
        if failed:
            if isinstance(error, BaseException):
                span.add_event("exception", exception_event(error, secrets, attrs.get(n.ERROR_MESSAGE)))
            # Already scrubbed by errors.attributes(), or a class name.
            message = attrs.get(n.ERROR_MESSAGE) or attrs.get(n.ERROR_TYPE) or "error"
            span.set_status(Status(StatusCode.ERROR, str(message)))
        span.end(end_time=end_ns)
        duration = (end_ns - start_ns) / 1e9 if start_ns and end_ns else 0.0
        streaming = bool(logged.get("stream"))
        error_type = attrs.get(n.ERROR_TYPE) if failed else None
        self.recorder.instruments.record_call(duration, attrs, error_type, streaming, trace.set_span_in_context(span))


def requested_model(logged: dict[str, Any]) -> str | None:
    """The model string as the caller wrote it (``openai/gpt-4o-mini``), as the wrapper's spans
    name it; LiteLLM's ``model`` has the provider prefix stripped, which would split one model's
    spans and metrics in two."""
    hidden = logged.get("hidden_params")
    name = hidden.get("litellm_model_name") if isinstance(hidden, dict) else None
    return name if isinstance(name, str) and name else None


def logged_view(kwargs: dict[str, Any]) -> dict[str, Any]:
    """LiteLLM's knowledge of a call that the wrapper may lack: cost, endpoint, cache hit."""
    logged = kwargs.get("standard_logging_object")
    attrs: dict[str, Any] = {}
    if isinstance(logged, dict):
        common.logged(logged, attrs)
    cost = kwargs.get("response_cost")
    if n.COST not in attrs and isinstance(cost, (int, float)) and not isinstance(cost, bool):
        attrs[n.COST] = float(cost)
    cache_hit = kwargs.get("cache_hit")
    if n.CACHE_HIT not in attrs and isinstance(cache_hit, bool):
        attrs[n.CACHE_HIT] = cache_hit
    return attrs


def _epoch_ns(value: Any) -> int:
    if isinstance(value, datetime):
        return int(value.timestamp() * 1e9)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value * 1e9)
    return time.time_ns()
