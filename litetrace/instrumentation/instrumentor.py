"""The Instrumentor: wraps LiteLLM's entry points and registers the paired callback."""

from __future__ import annotations

import atexit
import importlib
from collections.abc import Collection
from typing import Any

import wrapt
from opentelemetry import metrics, trace
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

from litetrace.instrumentation.calls import CallRecorder
from litetrace.instrumentation.pairing import CallPairing
from litetrace.instrumentation.routing import CallbackRouting
from litetrace.instrumentation.targets import MODULES, ROUTER_CLASSES, ROUTER_TARGETS, TARGETS, Target
from litetrace.instrumentation.wrappers import async_wrapper, sync_wrapper
from litetrace.metrics import Instruments
from litetrace.package import INSTRUMENTS
from litetrace.settings import Settings
from litetrace.version import __version__


class LiteLLMInstrumentor(BaseInstrumentor):  # type: ignore[misc]  # BaseInstrumentor is untyped
    """OpenTelemetry instrumentor for LiteLLM: one CLIENT span per call, plus metrics.

    ``instrument(tracer_provider=..., meter_provider=..., capture_content=...,
    genai_attributes=..., content_max_length=..., callback_deadline=...)``.
    """

    def __init__(self) -> None:
        # BaseInstrumentor is a per-class singleton: __init__ runs again on each
        # ``Instrumentor()``, so only set state that is not there yet.
        if not hasattr(self, "_wrapped"):
            self._wrapped: list[tuple[Any, str]] = []
            self._routing: CallbackRouting | None = None
            self._recorder: CallRecorder | None = None

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

        settings = Settings.resolve(
            capture_content=kwargs.get("capture_content"),
            genai_attributes=kwargs.get("genai_attributes"),
            content_max_length=kwargs.get("content_max_length"),
            callback_deadline=kwargs.get("callback_deadline"),
            chunk_gap_metrics=kwargs.get("chunk_gap_metrics"),
        )
        tracer = trace.get_tracer(__name__, __version__, kwargs.get("tracer_provider"))
        meter = metrics.get_meter(__name__, __version__, kwargs.get("meter_provider"))
        pending = CallPairing(settings.callback_deadline, settings.max_pending)
        recorder = CallRecorder(tracer, Instruments(meter), settings, pending)
        self._recorder = recorder
        for module_name in MODULES:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            for target in TARGETS:
                self._wrap(module, target, recorder)
        for module_name, class_name in ROUTER_CLASSES:
            try:
                router = getattr(importlib.import_module(module_name), class_name, None)
            except ImportError:
                continue
            if router is not None:
                for target in ROUTER_TARGETS:
                    self._wrap(router, target, recorder)
        self._routing = CallbackRouting(LitetraceCallback(recorder))
        self._routing.install()
        atexit.register(pending.flush)

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
        if self._recorder is not None:
            atexit.unregister(self._recorder.pending.flush)
            self._recorder.pending.close()
            self._recorder = None

    def flush(self) -> None:
        """End now every span still waiting for LiteLLM's callback."""
        if self._recorder is not None:
            self._recorder.pending.flush()
