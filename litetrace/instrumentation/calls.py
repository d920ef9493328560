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
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind, Status, StatusCode

from litetrace import operations as op
from litetrace.attributes import EXTRACTORS, common, content, endpoint
from litetrace.attributes import names as n
from litetrace.attributes.conventions import Conventions
from litetrace.attributes.errors import failure
from litetrace.attributes.fields import field
from litetrace.instrumentation import attempts, propagation
from litetrace.instrumentation.pairing import CallPairing
from litetrace.metrics import Instruments
from litetrace.safety import handle_internal_errors
from litetrace.settings import Settings
from litetrace.tracing import metadata as call_metadata
from litetrace.tracing.scope import inherited

# The context key OpenLLMetry's (Traceloop's) OpenAI, Anthropic, Bedrock, ... instrumentors honour:
# set while a LiteLLM call runs, so that they add no second span for the provider request LiteLLM
# makes. Unlike OpenTelemetry's general suppression key it leaves HTTP client spans (httpx,
# requests) alone: they stay children of the call's span.
SUPPRESS_LANGUAGE_MODEL_INSTRUMENTATION_KEY = "suppress_language_model_instrumentation"

# Operations whose non-streamed result carries no cost (a plain dict, no _hidden_params): the
# span waits for LiteLLM's callback, as a stream's does.
COST_FROM_CALLBACK = frozenset({op.ANTHROPIC_MESSAGES})


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


def minted_here(call_id: str) -> bool:
    """Whether this process's wrapper made the id: its call has (or had) a span of the wrapper's."""
    return call_id.startswith(_CALL_ID_PREFIX)


def _span_key() -> str | None:
    """The context key under which OpenTelemetry's API keeps the current span, read from the API
    itself: a private name, so an API that keeps it elsewhere gets the public two-copy path."""
    probe = trace.set_span_in_context(trace.INVALID_SPAN, Context())
    keys = [key for key, value in probe.items() if value is trace.INVALID_SPAN]
    return keys[0] if len(keys) == 1 else None


_SPAN_KEY = _span_key()


def call_context(parent: Context, span: trace.Span) -> Context:
    """``parent`` with ``span`` current and other language-model instrumentors quieted."""
    if _SPAN_KEY is None:
        return otel_context.set_value(SUPPRESS_LANGUAGE_MODEL_INSTRUMENTATION_KEY, True, trace.set_span_in_context(span, parent))
    return Context({**parent, _SPAN_KEY: span, SUPPRESS_LANGUAGE_MODEL_INSTRUMENTATION_KEY: True})


class Call:
    """State of one instrumented call."""

    __slots__ = (
        "operation", "params", "call_id", "span", "t0_ns", "context", "token", "recording", "enriched", "attrs",
        "attempts", "details",
    )  # fmt: skip

    def __init__(
        self, operation: str, params: dict[str, Any], call_id: str, span: trace.Span, t0_ns: int, attrs: dict[str, Any],
        parent: Context,
    ) -> None:  # fmt: skip
        self.operation = operation
        self.params = params
        self.call_id = call_id
        self.span = span
        self.t0_ns = t0_ns
        # The span's context: attached while LiteLLM runs, and handed to every metric record
        # so that the SDK's trace-based exemplar filter links histogram points to this span.
        # It also carries the key that quiets other language-model instrumentors: the caller's
        # context plus both keys, built in one copy (set_span_in_context then set_value made two).
        self.context = call_context(parent, span)
        self.token: object | None = None
        self.recording = span.is_recording()
        # Set when LiteLLM's callback reached the span while it was still open.
        self.enriched = False
        # The attributes written so far, kept for the metrics' dimensions.
        self.attrs = attrs
        # Model groups of a Router call's failed attempts (instrumentation/attempts.py), else None.
        self.attempts: list[str | None] | None = None
        # Output content kept for the details event when it is not on the span (EVENT_ONLY).
        self.details: dict[str, Any] | None = None


# One guard per place, built once (see litetrace.safety). This is the per-call path: each is
# applied as ``except Exception: guard.swallow()``, free until something raises.
_STARTING = handle_internal_errors("starting a span")
_REQUEST = handle_internal_errors("request attributes")
_RESPONSE = handle_internal_errors("recording a response")
_FAILURE = handle_internal_errors("recording an error")
_ENDING = handle_internal_errors("ending a span")
_LATE = handle_internal_errors("adding LiteLLM's callback view")

# Keys a response phase often repeats with the request's value (see CallRecorder.write).
_REPEATED = (n.PROVIDER, n.API_BASE)


class CallRecorder:
    """Opens, enriches and ends spans; records metrics.

    The public methods never raise (each runs inside a guard), and a span's end and the
    release of its pending entry sit in ``finally`` blocks after every step that may fail:
    whatever fails, a span that was started is ended exactly once and leaves nothing pending.
    """

    def __init__(
        self, tracer: trace.Tracer, instruments: Instruments, settings: Settings, pending: CallPairing,
        events: Any = None,
    ) -> None:  # fmt: skip
        self.tracer = tracer
        self.instruments = instruments
        self.settings = settings
        self.pending = pending
        self.propagate = propagation.enabled()
        self.conventions = Conventions(settings.semconv)
        # DetailsEvents when the details event is asked for, else None.
        self.events = events
        # Content is built when it goes on the span or into the event.
        self.capture_output = settings.capture_content or settings.event_content

    # -- start -------------------------------------------------------------------------

    def begin(
        self, operation: str, args: tuple[Any, ...], kwargs: dict[str, Any], positional: tuple[str, ...] = ()
    ) -> Call | None:
        """Start the span; make sure the call carries a ``litellm_call_id`` to pair with."""
        t0_ns = time.perf_counter_ns()
        call: Call | None = None
        try:
            call = self._start(operation, args, kwargs, positional, t0_ns)
            # Should this fail, the call goes on with its span (not current while LiteLLM runs);
            # its id still tells the callback that the wrapper has the span (minted_here).
            self.pending.open(call.call_id, call)
            call.token = otel_context.attach(call.context)
        except Exception:
            _STARTING.swallow()
        return call

    def _start(
        self, operation: str, args: tuple[Any, ...], kwargs: dict[str, Any], positional: tuple[str, ...],
        t0_ns: int,
    ) -> Call:  # fmt: skip
        given = kwargs.get("litellm_call_id")
        call_id = given if isinstance(given, str) and given else new_call_id()
        params = {**dict(zip(positional, args, strict=False)), **kwargs} if args else kwargs
        model = params.get("model")
        name = self.conventions.span_name(operation, model)
        # The caller's context, read once: the scope lookup, the SDK's parent and sampler
        # lookups and the call's own context all start from it.
        parent = otel_context.get_current()
        attrs: dict[str, Any] = {}
        try:  # a span with fewer attributes beats no span
            common.request(operation, params, call_id, attrs)
            EXTRACTORS[operation].request(params, attrs)
            if self.settings.genai_attributes:
                self.conventions.request(operation, params, attrs)
                self.conventions.add(attrs)
            # The enclosing workflow/task and litetrace.context (one context read when there is none),
            # then the call's own metadata, which is more specific.
            scope_attrs = inherited(parent)
            if scope_attrs:
                attrs.update(scope_attrs)
            metadata = params.get("metadata")
            if metadata:
                call_metadata.from_call(metadata, attrs)
            if content.enabled_for(self.settings.capture_content, params, "input"):
                content.add_input(operation, params, self.settings.content_max_length, attrs)
        except Exception:
            _REQUEST.swallow()
        # Attributes at start: samplers see them, and the SDK copies them in one pass.
        span = self.tracer.start_span(name, context=parent, kind=SpanKind.CLIENT, attributes=attrs)
        # Only once there is a span: a call without one keeps LiteLLM's own id, and the
        # callback then covers it.
        if call_id is not given:
            kwargs["litellm_call_id"] = call_id
        return Call(operation, params, call_id, span, t0_ns, attrs, parent)

    def detach(self, call: Call | None) -> None:
        """Restore the caller's context (the span stays open for streams)."""
        if call is None or call.token is None:
            return
        # OpenTelemetry's detach() logs and swallows its own failures.
        otel_context.detach(call.token)  # type: ignore[arg-type]  # token came from attach()
        call.token = None

    # -- success -------------------------------------------------------------------------

    def succeed(self, call: Call, result: Any) -> None:
        """Record a non-streamed result and end the span."""
        try:
            try:
                attrs: dict[str, Any] = {}
                if call.recording:
                    EXTRACTORS[call.operation].response(result, attrs)
                    if self.conventions.current:
                        self.conventions.usage(field(result, "usage"), attrs)
                    common.hidden_params(result, attrs)
                    endpoint.correct_guessed_base(call.params, attrs)
                    if self.capture_output and content.enabled_for(True, call.params, "output"):
                        self.add_output(call, attrs, lambda found: content.add_output(
                            call.operation, result, self.settings.content_max_length, found))  # fmt: skip
                    self.write(call, attrs)
                else:
                    common.hidden_params(result, attrs)
                    endpoint.correct_guessed_base(call.params, attrs)
                    call.attrs.update(attrs)
            finally:
                self._end(call, None, False)
        except Exception:
            _RESPONSE.swallow()

    def add_output(self, call: Call, attrs: dict[str, Any], build: Any) -> None:
        """Output content onto the span (SPAN_*), and kept for the details event (*_EVENT)."""
        found: dict[str, Any] = {}
        build(found)
        if self.settings.capture_content:
            attrs.update(found)
        if self.settings.event_content:
            call.details = found

    def write(self, call: Call, attrs: dict[str, Any]) -> None:
        """Write one phase's attributes (and their gen_ai twins) in a single call.

        A response repeats keys the request already wrote (the provider and endpoint from
        ``_hidden_params``): an unchanged one is not written again, nor are its twins
        (gen_ai.provider.name, server.address, server.port): the SDK would clean and store
        each once more for the same value.
        """
        known = call.attrs
        for key in _REPEATED:
            value = attrs.get(key)
            if value is not None and known.get(key) == value:
                del attrs[key]
        if not attrs:
            return
        if self.settings.genai_attributes:
            self.conventions.add(attrs)
        call.attrs.update(attrs)
        call.span.set_attributes(attrs)

    def end(
        self, call: Call, error_type: str | None, streaming: bool, end_ns: int | None = None, park: bool = True
    ) -> None:
        """Record the call's metrics and end its span, or park it for LiteLLM's callback.

        ``park=False``: no success callback will come (a stream stopped before its end).
        """
        try:
            self._end(call, error_type, streaming, end_ns, park)
        except Exception:
            _ENDING.swallow()

    def _end(
        self, call: Call, error_type: str | None, streaming: bool, end_ns: int | None = None, park: bool = True
    ) -> None:
        """``end()`` for callers inside a guard of their own: a failure ends the span all the same."""
        now = time.perf_counter_ns()
        end_time = time.time_ns() if end_ns is None else end_ns
        # A stream's cost and cache hit come with LiteLLM's callback: park the span for it.
        wait = park and (streaming or call.operation in COST_FROM_CALLBACK) and error_type is None and n.COST not in call.attrs
        try:
            if call.attempts:
                attempts.finish(self, call, failed=error_type is not None)
            self.instruments.record_call(
                (now - call.t0_ns) / 1e9, call.attrs, error_type, streaming, call.context, wait and not _has_tokens(call.attrs)
            )
            if self.events is not None:
                self.events.emit(call, error_type)
        finally:
            self._release(call, wait, end_time)

    def _release(self, call: Call, wait: bool, end_time: int) -> None:
        """Hand the call back to the pending map; end the span now unless it was parked."""
        finisher = (lambda extra: self._finish_parked(call, extra, end_time)) if wait else None
        end_now = True
        try:
            end_now = self.pending.finish(call.call_id, finisher)
        except BaseException:
            end_now = True
            self.pending.discard(call.call_id)  # no entry may outlive a failed hand-back
            raise
        finally:
            if end_now:
                call.span.end(end_time=end_time)

    def _finish_parked(self, call: Call, extra: dict[str, Any] | None, end_time: int) -> None:
        """End a parked span, with what LiteLLM's callback brought (None at the deadline)."""
        try:
            had_tokens = _has_tokens(call.attrs)
            if extra:
                self.enrich(call, extra)
            # end() recorded the call's metrics without a cost, and without tokens when it had
            # none yet (a stream read without include_usage): add what the callback brought, or
            # (under the newest conventions) a zero for usage that never came.
            if n.COST in call.attrs or not had_tokens:
                self.instruments.record_late(call.attrs, bool(call.attrs.get(n.STREAMING)), not had_tokens, call.context)
        except Exception:
            _LATE.swallow()
        finally:
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
            try:
                found = failure(error, call.params, recording=call.recording)
                if call.recording:
                    self.write(call, found.attributes)
                    if found.event is not None:
                        call.span.add_event("exception", found.event)
                    call.span.set_status(Status(StatusCode.ERROR, found.status))
                else:
                    call.attrs.update(found.attributes)
            finally:
                self._end(call, type(error).__name__, streaming)
        except Exception:
            _FAILURE.swallow()


def _has_tokens(attrs: dict[str, Any]) -> bool:
    return n.USAGE_PROMPT in attrs or n.USAGE_COMPLETION in attrs
