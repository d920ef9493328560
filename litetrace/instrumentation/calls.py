"""One user call's span: opened before LiteLLM runs, finished from the result or the error.

``CallRecorder`` is built once per ``instrument()`` and closed over by every wrapper;
its methods are the whole per-call path, and each guards itself so that nothing
litetrace does can change what the user's call returns or raises.
"""

from __future__ import annotations

import itertools
import os
import time
import uuid
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from litetrace.attributes import EXTRACTORS, common, content, errors, semconv
from litetrace.attributes import names as n
from litetrace.attributes.errors import exception_event
from litetrace.attributes.redaction import secrets_in
from litetrace.instrumentation.pairing import CallPairing
from litetrace.metrics import Instruments
from litetrace.safety import internal_error
from litetrace.settings import Settings

# A process-random UUID4 prefix and a counter: ids as unique as uuid4() for this use,
# in a tenth of its time (os.urandom per call was ~2.5 us of the per-call budget).
# A forked worker (gunicorn, the LiteLLM proxy) draws its own prefix: LiteLLM also uses the
# id as the request id of its spend logs, which must not repeat across workers.
_CALL_ID_PREFIX = ""
_call_counter = itertools.count(1)


def _new_prefix() -> None:
    global _CALL_ID_PREFIX, _call_counter
    _CALL_ID_PREFIX = str(uuid.uuid4())[:24]
    _call_counter = itertools.count(1)


_new_prefix()
os.register_at_fork(after_in_child=_new_prefix)


def new_call_id() -> str:
    """A fresh ``litellm_call_id`` in UUID form (LiteLLM would otherwise make one with uuid4)."""
    return f"{_CALL_ID_PREFIX}{next(_call_counter) & 0xFFFFFFFFFFFF:012x}"


class Call:
    """State of one instrumented call."""

    __slots__ = (
        "operation", "params", "call_id", "span", "t0_ns", "context", "token", "recording", "enriched", "attrs"
    )

    def __init__(
        self, operation: str, params: dict[str, Any], call_id: str, span: trace.Span, t0_ns: int, attrs: dict[str, Any]
    ) -> None:
        self.operation = operation
        self.params = params
        self.call_id = call_id
        self.span = span
        self.t0_ns = t0_ns
        # The span's context: attached while LiteLLM runs, and handed to every metric record
        # so that the SDK's trace-based exemplar filter links histogram points to this span.
        self.context = trace.set_span_in_context(span)
        self.token: object | None = None
        self.recording = span.is_recording()
        # Set when LiteLLM's callback reached the span while it was still open.
        self.enriched = False
        # The attributes written so far, kept for the metrics' dimensions.
        self.attrs = attrs


class CallRecorder:
    """Opens, enriches and ends spans; records metrics."""

    def __init__(self, tracer: trace.Tracer, instruments: Instruments, settings: Settings, pending: CallPairing) -> None:
        self.tracer = tracer
        self.instruments = instruments
        self.settings = settings
        self.pending = pending

    # -- start -------------------------------------------------------------------------

    def begin(
        self, operation: str, args: tuple[Any, ...], kwargs: dict[str, Any], positional: tuple[str, ...] = ()
    ) -> Call | None:
        """Start the span; make sure the call carries a ``litellm_call_id`` to pair with."""
        t0_ns = time.perf_counter_ns()
        try:
            call_id = kwargs.get("litellm_call_id")
            if not isinstance(call_id, str) or not call_id:
                call_id = new_call_id()
                kwargs["litellm_call_id"] = call_id
            params = {**dict(zip(positional, args, strict=False)), **kwargs} if args else kwargs
            model = params.get("model")
            name = f"{operation} {model}" if isinstance(model, str) and model else operation
            attrs: dict[str, Any] = {}
            common.request(operation, params, call_id, attrs)
            EXTRACTORS[operation].request(params, attrs)
            if self.settings.genai_attributes:
                semconv.add(attrs)
            if content.enabled_for(self.settings.capture_content, params, "input"):
                content.add_input(operation, params, self.settings.content_max_length, attrs)
            # Attributes at start: samplers see them, and the SDK copies them in one pass.
            span = self.tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attrs)
            call = Call(operation, params, call_id, span, t0_ns, attrs)
            self.pending.open(call_id, call)
            call.token = otel_context.attach(call.context)
            return call
        except Exception:
            internal_error("starting a span")
            return None

    def detach(self, call: Call | None) -> None:
        """Restore the caller's context (the span stays open for streams)."""
        if call is None or call.token is None:
            return
        try:
            otel_context.detach(call.token)  # type: ignore[arg-type]  # token came from attach()
        except Exception:
            internal_error("restoring the caller's context")
        call.token = None

    # -- success -------------------------------------------------------------------------

    def succeed(self, call: Call, result: Any) -> None:
        """Record a non-streamed result and end the span."""
        try:
            attrs: dict[str, Any] = {}
            if call.recording:
                EXTRACTORS[call.operation].response(result, attrs)
                common.hidden_params(result, attrs)
                if self.settings.capture_content and content.enabled_for(True, call.params, "output"):
                    content.add_output(call.operation, result, self.settings.content_max_length, attrs)
                self.write(call, attrs)
            else:
                common.hidden_params(result, attrs)
                call.attrs.update(attrs)
            self.end(call, None, streaming=False)
        except Exception:
            internal_error("recording a response")

    def write(self, call: Call, attrs: dict[str, Any]) -> None:
        """Write one phase's attributes (and their gen_ai twins) in a single call."""
        if self.settings.genai_attributes:
            semconv.add(attrs)
        call.attrs.update(attrs)
        call.span.set_attributes(attrs)

    def end(
        self, call: Call, error_type: str | None, streaming: bool, end_ns: int | None = None, park: bool = True
    ) -> None:
        """Record the call's metrics and end its span, or park it for LiteLLM's callback.

        ``park=False``: no success callback will come (a stream stopped before its end).
        """
        now = time.perf_counter_ns()
        duration_s = (now - call.t0_ns) / 1e9
        self.instruments.record_call(duration_s, call.attrs, error_type, streaming, call.context)
        cost_known = n.COST in call.attrs
        # A stream's cost and cache hit come with LiteLLM's callback: park the span for it.
        wait = park and streaming and not cost_known and error_type is None
        end_time = time.time_ns() if end_ns is None else end_ns
        finisher = (lambda extra: self._finish_parked(call, extra, end_time)) if wait else None
        if self.pending.finish(call.call_id, finisher):
            call.span.end(end_time=end_time)

    def _finish_parked(self, call: Call, extra: dict[str, Any] | None, end_time: int) -> None:
        """End a parked span, with what LiteLLM's callback brought (None at the deadline)."""
        if extra:
            had_tokens = n.USAGE_PROMPT in call.attrs or n.USAGE_COMPLETION in call.attrs
            self.enrich(call, extra)
            # end() recorded the call's metrics without a cost (nor tokens, for a stream read
            # without include_usage): add what the callback brought.
            late_tokens = not had_tokens and (n.USAGE_PROMPT in call.attrs or n.USAGE_COMPLETION in call.attrs)
            if n.COST in call.attrs or late_tokens:
                self.instruments.record_late(call.attrs, bool(call.attrs.get(n.STREAMING)), late_tokens, call.context)
        call.span.end(end_time=end_time)

    def enrich(self, call: Call, extra: dict[str, Any]) -> None:
        """Add LiteLLM's own view (cost, api_base, cache hit) to a span still open."""
        new = {key: value for key, value in extra.items() if key not in call.attrs or key == n.COST}
        if not new:
            return
        if call.recording:
            self.write(call, new)
        else:
            call.attrs.update(new)

    # -- failure -------------------------------------------------------------------------

    def fail(self, call: Call, error: BaseException, streaming: bool = False) -> None:
        """Record the exception once, with secrets scrubbed, and end the span."""
        try:
            secrets = secrets_in(call.params)
            attrs: dict[str, Any] = {}
            errors.attributes(error, secrets, attrs)
            if call.recording:
                self.write(call, attrs)
                call.span.add_event("exception", exception_event(error, secrets, attrs.get(n.ERROR_MESSAGE)))
                call.span.set_status(Status(StatusCode.ERROR, attrs.get(n.ERROR_MESSAGE, type(error).__name__)))
            else:
                call.attrs.update(attrs)
            self.end(call, type(error).__name__, streaming)
        except Exception:
            internal_error("recording an error")
