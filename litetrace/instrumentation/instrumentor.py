"""The Instrumentor: wraps LiteLLM's entry points and registers the paired callback."""

from __future__ import annotations

import atexit
import importlib
from collections.abc import Collection
from typing import Any

import wrapt
from opentelemetry import metrics, trace
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

from litetrace.events import DetailsEvents
from litetrace.instrumentation import thread_context
from litetrace.instrumentation.calls import CallRecorder
from litetrace.instrumentation.pairing import CallPairing
from litetrace.instrumentation.routing import CallbackRouting
from litetrace.instrumentation.targets import MODULES, ROUTER_CLASSES, ROUTER_TARGETS, TARGETS, Target
from litetrace.instrumentation.wrappers import async_wrapper, sync_wrapper
from litetrace.metrics import Instruments
from litetrace.package import INSTRUMENTS
from litetrace.safety import handle_internal_errors
from litetrace.settings import Settings
from litetrace.tracing import state as tracing_state
from litetrace.version import __version__

_UNDOING = handle_internal_errors("undoing a failed instrument()")


class LiteLLMInstrumentor(BaseInstrumentor):  # type: ignore[misc]  # BaseInstrumentor is untyped
    """OpenTelemetry instrumentor for LiteLLM: one CLIENT span per call, plus metrics.

    ``instrument(tracer_provider=..., meter_provider=..., capture_content=...,
    genai_attributes=..., content_max_length=..., callback_deadline=..., chunk_gap_metrics=...,
    token_histograms=..., workflow_metric_dimension=..., thread_context=..., semconv=..., logger_provider=...)``.
    """

    def __init__(self) -> None:
        # BaseInstrumentor is a per-class singleton: __init__ runs again on each
        # ``Instrumentor()``, so only set state that is not there yet.
        if not hasattr(self, "_wrapped"):
            self._wrapped: list[tuple[Any, str]] = []
            self._routing: CallbackRouting | None = None
            self._recorder: CallRecorder | None = None
            # Whether instrument() switched threading context propagation on (and so undoes it).
            self._threads = False

    def instrumentation_dependencies(self) -> Collection[str]:
        return INSTRUMENTS

    @property
    def recorder(self) -> CallRecorder | None:
        """The live call recorder while instrumented (for tests and benchmarks)."""
        return self._recorder

    # The name before the CallRecorder rename; kept for one release.
    telemetry = recorder

    def _instrument(self, **kwargs: Any) -> None:
        from litetrace.instrumentation.callback import LitetraceCallback
        from litetrace.instrumentation.destination import tell_if_spans_go_nowhere

        settings = Settings.resolve(
            capture_content=kwargs.get("capture_content"),
            genai_attributes=kwargs.get("genai_attributes"),
            content_max_length=kwargs.get("content_max_length"),
            callback_deadline=kwargs.get("callback_deadline"),
            chunk_gap_metrics=kwargs.get("chunk_gap_metrics"),
            token_histograms=kwargs.get("token_histograms"),
            workflow_metric_dimension=kwargs.get("workflow_metric_dimension"),
            thread_context=kwargs.get("thread_context"),
            semconv=kwargs.get("semconv"),
        )
        tracer = trace.get_tracer(__name__, __version__, kwargs.get("tracer_provider"))
        tell_if_spans_go_nowhere(kwargs.get("tracer_provider"))
        meter = metrics.get_meter(__name__, __version__, kwargs.get("meter_provider"))
        pending = CallPairing(settings.callback_deadline, settings.max_pending)
        recorder = CallRecorder(
            tracer, Instruments(meter, settings.semconv, settings.workflow_metric_dimension, settings.token_histograms), settings, pending
        )
        if settings.emit_events:
            recorder.events = DetailsEvents(kwargs.get("logger_provider"), settings, recorder.conventions)
        self._recorder = recorder
        try:
            tracing_state.configure(
                kwargs.get("tracer_provider"), kwargs.get("meter_provider"),
                settings.capture_content, settings.content_max_length,
            )  # fmt: skip
            self._threads = thread_context.enable() if settings.thread_context else False
            self._install(recorder, LitetraceCallback(recorder))
        except BaseException:
            # BaseInstrumentor sets its "instrumented" flag only after _instrument() returns, so
            # uninstrument() would do nothing: undo here whatever was done, then raise.
            with _UNDOING:
                self._uninstrument()
            raise
        atexit.register(pending.flush)

    def _install(self, recorder: CallRecorder, callback: Any) -> None:
        """Wrap every entry point and register the callback."""
        for module_name in MODULES:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            for target in TARGETS:
                if target.modules is None or module_name in target.modules:
                    self._wrap(module, target, recorder)
        for module_name, class_name in ROUTER_CLASSES:
            try:
                router = getattr(importlib.import_module(module_name), class_name, None)
            except ImportError:
                continue
            if router is not None:
                for target in ROUTER_TARGETS:
                    self._wrap(router, target, recorder)
        self._routing = CallbackRouting(callback)
        self._routing.install()

    def _wrap(self, owner: Any, target: Target, recorder: CallRecorder) -> None:
        """Wrap ``owner.<target.name>`` (a module function or a class method) if it exists."""
        current = owner.__dict__.get(target.name)
        if current is None or not callable(current) or isinstance(current, wrapt.FunctionWrapper):
            return
        factory = async_wrapper if target.is_async else sync_wrapper
        wrapt.wrap_function_wrapper(owner, target.name, factory(target.operation, recorder, target.positional))
        self._wrapped.append((owner, target.name))

    def _uninstrument(self, **kwargs: Any) -> None:
        for owner, name in reversed(self._wrapped):
            current = owner.__dict__.get(name)
            if isinstance(current, wrapt.FunctionWrapper):
                setattr(owner, name, current.__wrapped__)
        self._wrapped.clear()
        if self._routing is not None:
            self._routing.uninstall()
            self._routing = None
        tracing_state.reset()
        if self._threads:
            thread_context.disable()
            self._threads = False
        if self._recorder is not None:
            atexit.unregister(self._recorder.pending.flush)
            self._recorder.pending.close()
            self._recorder = None

    def flush(self) -> None:
        """End now every span still waiting for LiteLLM's callback."""
        if self._recorder is not None:
            self._recorder.pending.flush()
