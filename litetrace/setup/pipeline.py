"""``litetrace.setup()``: providers, exporters and instrumentation in one call.

A library never configures OpenTelemetry behind its user's back: ``setup()`` is the
one place litetrace builds providers, and it makes them global only when asked.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

from litetrace.instrumentation import LiteLLMInstrumentor
from litetrace.settings import (  # noqa: F401  # the *_ENV names and KNOWN_EXPORTERS: re-exported
    BATCH_ENV,
    ENABLED_ENV,
    EXPORTERS_ENV,
    KNOWN_EXPORTERS,
    MAX_METRIC_INTERVAL_MS,
    METRIC_INTERVAL_ENV,
    PROMETHEUS_PORT_ENV,
    SERVICE_NAME_ENV,
    check_flag,
    check_number,
    env,
)
from litetrace.setup.exporters import (
    Destinations,
    PostProcessingExporter,
    SpanPostProcess,
    exporter_names,
    exporters_for,
)

logger = logging.getLogger("litetrace")


@dataclass
class Pipeline:
    """What ``setup()`` built; ``shutdown()`` flushes and stops it."""

    tracer_provider: TracerProvider | None = None
    meter_provider: MeterProvider | None = None
    instrumentor: LiteLLMInstrumentor | None = None
    exporters: list[str] = field(default_factory=list)
    store_path: str | None = None

    _stopped: bool = False
    # The instrumentation this setup() installed: the Instrumentor is a singleton, and a later
    # setup() re-instruments it, so shutting down an older Pipeline must not un-patch the newer one.
    _recorder: Any = None
    # Resources that outlive the providers (the Prometheus HTTP server), closed last.
    _closers: list[Callable[[], object]] = field(default_factory=list)

    def shutdown(self) -> None:
        """Flush pending spans and metric points, stop the pipeline and un-patch LiteLLM (once)."""
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.shutdown)
        if self.instrumentor is not None:
            self.instrumentor.flush()
            # Calls made after shutdown() go untraced instead of into a stopped provider.
            if self.instrumentor.is_instrumented_by_opentelemetry and self.instrumentor.recorder is self._recorder:
                self.instrumentor.uninstrument()
        # With the collector down each provider may spend its export timeout here: overlap the two waits.
        meter_stop = None
        if self.meter_provider is not None:
            meter_stop = threading.Thread(target=_quietly, args=(self.meter_provider.shutdown,),
                                          name="litetrace-meter-shutdown", daemon=True)
            meter_stop.start()
        if self.tracer_provider is not None:
            _quietly(self.tracer_provider.shutdown)
        if meter_stop is not None:
            meter_stop.join()
        for close in self._closers:
            _quietly(close)


def _quietly(stop: Callable[[], object]) -> None:
    """Run one shutdown step; a failing exporter must not stop the others (nor the program)."""
    try:
        stop()
    except Exception:
        logger.warning("litetrace: shutdown step failed", exc_info=True)


def setup(
    *,
    service_name: str | None = None,
    resource_attributes: dict[str, Any] | None = None,
    exporter: str | Sequence[str] | None = None,
    store_path: str | None = None,
    otlp_endpoint: str | None = None,
    otlp_protocol: str | None = None,
    otlp_headers: dict[str, str] | None = None,
    batch: bool | None = None,
    enabled: bool | None = None,
    span_postprocess: SpanPostProcess | None = None,
    set_global: bool = False,
    instrument: bool = True,
    metric_export_interval_ms: int | None = None,
    **instrument_options: Any,
) -> Pipeline:
    """Configure tracing and metrics for LiteLLM calls and instrument LiteLLM.

    ``exporter``: ``"sqlite"`` (default: the embedded store), ``"console"``, ``"otlp"``,
    ``"prometheus"`` (metrics only), ``"none"``, or several, comma-separated.
    ``instrument_options`` go to ``Instrumentor().instrument()`` (``capture_content``...).
    """
    if not (env(ENABLED_ENV) if enabled is None else check_flag("enabled", enabled)):
        return Pipeline()
    names = exporter_names(exporter)
    batch = _batching(batch, names)
    interval = (env(METRIC_INTERVAL_ENV) if metric_export_interval_ms is None
                else check_number("metric_export_interval_ms", metric_export_interval_ms, integer=True, above=True,
                             maximum=MAX_METRIC_INTERVAL_MS))
    where = Destinations(store_path, otlp_endpoint, otlp_protocol, otlp_headers, interval)
    built = Pipeline(exporters=names)
    _build_providers(built, _resource(service_name, resource_attributes), where, batch, span_postprocess)
    if set_global:
        trace.set_tracer_provider(built.tracer_provider)
        metrics.set_meter_provider(built.meter_provider)
    if instrument:
        _instrument(built, instrument_options)
    atexit.register(built.shutdown)
    return built


def _batching(batch: bool | None, names: list[str]) -> bool:
    """``batch`` or ``LITETRACE_BATCH``; warns when unbatched spans would wait on a collector."""
    batch = env(BATCH_ENV) if batch is None else check_flag("batch", batch)
    if not batch and "otlp" in names:
        # Unbatched, every span is sent on the caller's thread when it ends: a slow or
        # unreachable collector then delays each LiteLLM call by the exporter's timeout.
        logger.warning("litetrace: batch=False with the otlp exporter sends spans on the calling thread; "
                       "an unreachable collector will delay every call by the OTLP timeout")
    return batch


def _resource(service_name: str | None, resource_attributes: dict[str, Any] | None) -> Resource:
    """The resource, its service name from the argument, ``OTEL_SERVICE_NAME``, the attributes or a default."""
    attributes = dict(resource_attributes or {})
    attributes[SERVICE_NAME] = service_name or env(SERVICE_NAME_ENV) or attributes.get(SERVICE_NAME) or "litellm-app"
    return Resource.create(attributes)


def _build_providers(
    built: Pipeline, resource: Resource, where: Destinations, batch: bool, span_postprocess: SpanPostProcess | None
) -> None:
    """A tracer and a meter provider fed by every exporter named in ``built.exporters``."""
    tracer_provider = TracerProvider(resource=resource)
    readers: list[MetricReader] = []
    for name in built.exporters:
        made = exporters_for(name, where)
        if made.store_path is not None:
            built.store_path = made.store_path
        if made.close is not None:
            built._closers.append(made.close)
        if made.spans is not None:
            span_exporter = made.spans if span_postprocess is None else PostProcessingExporter(made.spans, span_postprocess)
            tracer_provider.add_span_processor(BatchSpanProcessor(span_exporter) if batch else SimpleSpanProcessor(span_exporter))
        if made.metrics is not None:
            readers.append(made.metrics)
    built.tracer_provider = tracer_provider
    built.meter_provider = MeterProvider(resource=resource, metric_readers=readers)


def _instrument(built: Pipeline, options: dict[str, Any]) -> None:
    """(Re-)instrument LiteLLM into ``built``'s providers."""
    instrumentor = LiteLLMInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
    instrumentor.instrument(tracer_provider=built.tracer_provider, meter_provider=built.meter_provider, **options)
    built.instrumentor = instrumentor
    built._recorder = instrumentor.recorder
