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
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.instrumentation.utils import _SUPPRESS_INSTRUMENTATION_KEY
from opentelemetry.trace import SpanKind, Status, StatusCode

from litetrace.attributes import common
from litetrace.attributes import names as n
from litetrace.attributes.errors import Failure, failure
from litetrace.instrumentation import attempts
from litetrace.instrumentation.caller_context import CallerContexts
from litetrace.instrumentation.calls import CallRecorder, minted_here
from litetrace.instrumentation.targets import OPERATION_BY_CALL_TYPE
from litetrace.instrumentation.wrappers import INSIDE_CALL
from litetrace.operations import CHAT
from litetrace.safety import handle_internal_errors
from litetrace.tracing import metadata as call_metadata
from litetrace.tracing.scope import inherited

_CALLBACK = handle_internal_errors("LiteLLM callback")
_CALLER = handle_internal_errors("keeping the caller's context")
_VIEW = handle_internal_errors("reading LiteLLM's view of a call")
_PAYLOAD_SPAN = handle_internal_errors("building a span from LiteLLM's callback")
_PAYLOAD_METRICS = handle_internal_errors("recording metrics from LiteLLM's callback")


class LitetraceCallback(CustomLogger):  # type: ignore[misc]  # LiteLLM's base class is untyped
    """The CustomLogger paired with the wrapt patches through ``litellm_call_id``."""

    def __init__(self, recorder: CallRecorder) -> None:
        super().__init__()
        self.recorder = recorder
        self.caller_contexts = CallerContexts()

    def log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> None:
        """On the caller's thread: keep its context for a call no wrapper saw (its span is ours to build)."""
        if INSIDE_CALL.get():
            return  # the wrapper's span already has the caller's parent and scope
        with _CALLER:
            call_id = kwargs.get("litellm_call_id") if isinstance(kwargs, dict) else None
            if isinstance(call_id, str):
                self.caller_contexts.remember(call_id, otel_context.get_current())

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
            self._handle(kwargs, response, start_time, end_time, failed)
        except Exception:
            _CALLBACK.swallow()

    def _handle(self, kwargs: Any, response: Any, start_time: Any, end_time: Any, failed: bool) -> None:
        if not isinstance(kwargs, dict):
            return
        call_id = kwargs.get("litellm_call_id")
        if not isinstance(call_id, str):
            return
        pending = self.recorder.pending
        state, entry = pending.take(call_id)
        if state == "seen" or (state == "unknown" and (minted_here(call_id) or _suppressed())):
            # Handled already; or the wrapper's span lost its entry (it ends that span
            # itself); or a call no wrapper saw, made under suppress_instrumentation().
            return
        extra: dict[str, Any] = {}
        try:
            extra = logged_view(kwargs)
            if failed:
                # LiteLLM logs a failed call at cost 0.0; the contract leaves an unknown cost unset.
                extra.pop(n.COST, None)
        except Exception:
            _VIEW.swallow()
        finally:
            if state == "parked":
                entry(extra)  # ends the span, whatever the view did
        if state == "open":
            metadata = attempts.router_metadata(kwargs) if failed else None
            if metadata is not None:  # a Router attempt failed; the Router may try again
                apply = lambda call: attempts.failed_attempt(call, kwargs, metadata, start_time, end_time)  # noqa: E731
                finisher = pending.enrich_open(call_id, apply, final=False)
            else:
                # The wrapper may finish the call between take() and here: then its parked
                # finisher comes back, and runs with the same view.
                finisher = pending.enrich_open(call_id, lambda call: self.recorder.enrich(call, extra), final=not failed)
            if finisher is not None:
                finisher(extra)
        elif state == "unknown":
            self._span_from_payload(kwargs, response, start_time, end_time, failed, extra)

    def _span_from_payload(
        self, kwargs: dict[str, Any], response: Any, start_time: Any, end_time: Any, failed: bool, extra: dict[str, Any]
    ) -> None:
        """A call no wrapper saw: build its span from LiteLLM's record of it."""
        from litetrace.attributes import EXTRACTORS

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
        caller = self.caller_contexts.take(kwargs["litellm_call_id"])
        scope_attrs = inherited(caller) if caller is not None else None
        if scope_attrs:
            attrs.update(scope_attrs)
        litellm_params = kwargs.get("litellm_params")
        if isinstance(litellm_params, dict):
            call_metadata.from_call(litellm_params.get("metadata"), attrs)
        error: BaseException | None = kwargs.get("exception") if failed else None
        if response is not None and not failed and not isinstance(response, (str, bytes)):
            EXTRACTORS[operation].response(response, attrs)
        found: Failure | None = None
        if failed:
            if isinstance(error, BaseException):
                # LiteLLM's record holds the call's secrets: its kwargs, litellm_params (api_key,
                # api_base, metadata), additional_args.headers, optional_params.
                found = failure(error, kwargs)
                attrs.update(found.attributes)
            else:
                info = logged.get("error_information") or {}
                attrs[n.ERROR_TYPE] = info.get("error_class") or "Exception"
        conventions = self.recorder.conventions
        if self.recorder.settings.genai_attributes:
            conventions.request(operation, params, attrs)
            conventions.add(attrs)
        name = conventions.span_name(operation, model)
        start_ns, end_ns = _epoch_ns(start_time), _epoch_ns(end_time)
        span = self.recorder.tracer.start_span(
            name, context=caller, kind=SpanKind.CLIENT, attributes=attrs, start_time=start_ns
        )
        try:
            with _PAYLOAD_SPAN:
                if found is not None:
                    if found.event is not None:
                        span.add_event("exception", found.event)
                    span.set_status(Status(StatusCode.ERROR, found.status))
                elif failed:
                    span.set_status(Status(StatusCode.ERROR, str(attrs.get(n.ERROR_TYPE) or "error")))
        finally:
            span.end(end_time=end_ns)
        with _PAYLOAD_METRICS:
            duration = (end_ns - start_ns) / 1e9 if start_ns and end_ns else 0.0
            streaming = bool(logged.get("stream"))
            error_type = attrs.get(n.ERROR_TYPE) if failed else None
            context = trace.set_span_in_context(span)
            self.recorder.instruments.record_call(duration, attrs, error_type, streaming, context)


def _suppressed() -> bool:
    """OpenTelemetry's ``suppress_instrumentation()`` holds where LiteLLM runs this callback."""
    current = otel_context.get_current()
    return bool(current.get(_SUPPRESS_INSTRUMENTATION_KEY) or current.get("suppress_instrumentation"))


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
