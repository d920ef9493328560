"""``litetrace.setup()``: providers, exporters and instrumentation in one call.

A library never configures OpenTelemetry behind its user's back: ``setup()`` is the
one place litetrace builds providers, and it makes them global only when asked.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricExporter, MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)

from litetrace.instrumentation import LiteLLMInstrumentor
from litetrace.settings import env_flag

logger = logging.getLogger("litetrace")

EXPORTERS_ENV = "LITETRACE_EXPORTER"
ENABLED_ENV = "LITETRACE_ENABLED"
BATCH_ENV = "LITETRACE_BATCH"
METRIC_INTERVAL_ENV = "LITETRACE_METRIC_INTERVAL_MS"
PROMETHEUS_PORT_ENV = "LITETRACE_PROMETHEUS_PORT"
KNOWN_EXPORTERS = ("sqlite", "console", "otlp", "prometheus", "none")

# Span post-processing: return the span (possibly another ReadableSpan) to keep it, None to drop it.
SpanPostProcess = Callable[[ReadableSpan], "ReadableSpan | None"]


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


def exporter_names(value: str | Sequence[str] | None) -> list[str]:
    """Exporter names from an argument or ``LITETRACE_EXPORTER`` / LiteLLM's ``OTEL_EXPORTER``."""
    if value is None:
        value = os.environ.get(EXPORTERS_ENV) or _litellm_exporter_env() or "sqlite"
    names = [part.strip().lower() for part in value.split(",")] if isinstance(value, str) else list(value)
    names = [name for name in names if name]
    unknown = [name for name in names if name not in KNOWN_EXPORTERS]
    if unknown:
        raise ValueError(f"unknown exporter {unknown[0]!r}: choose from {', '.join(KNOWN_EXPORTERS)}")
    return names


def _litellm_exporter_env() -> str | None:
    """LiteLLM's docs name ``OTEL_EXPORTER`` (otlp_http, otlp_grpc, console): honour it."""
    value = os.environ.get("OTEL_EXPORTER", "").strip().lower()
    if value in ("otlp_http", "otlp_grpc", "otlp"):
        return "otlp"
    return value if value == "console" else None


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
    if not (env_flag(ENABLED_ENV, True) if enabled is None else enabled):
        return Pipeline()
    names = exporter_names(exporter)
    batch = env_flag(BATCH_ENV, True) if batch is None else batch
    if not batch and "otlp" in names:
        # Unbatched, every span is sent on the caller's thread when it ends: a slow or
        # unreachable collector then delays each LiteLLM call by the exporter's timeout.
        logger.warning("litetrace: batch=False with the otlp exporter sends spans on the calling thread; "
                       "an unreachable collector will delay every call by the OTLP timeout")
    interval = metric_export_interval_ms or int(os.environ.get(METRIC_INTERVAL_ENV, "10000"))
    attributes = dict(resource_attributes or {})
    attributes[SERVICE_NAME] = service_name or os.environ.get("OTEL_SERVICE_NAME") or attributes.get(SERVICE_NAME) or "litellm-app"
    resource = Resource.create(attributes)

    built = Pipeline(exporters=names)
    tracer_provider = TracerProvider(resource=resource)
    readers: list[MetricReader] = []
    for name in names:
        span_exporter, metric_reader = _make(name, store_path, otlp_endpoint, otlp_protocol, otlp_headers, interval, built)
        if span_exporter is not None:
            if span_postprocess is not None:
                span_exporter = PostProcessingExporter(span_exporter, span_postprocess)
            processor = BatchSpanProcessor(span_exporter) if batch else SimpleSpanProcessor(span_exporter)
            tracer_provider.add_span_processor(processor)
        if metric_reader is not None:
            readers.append(metric_reader)
    meter_provider = MeterProvider(resource=resource, metric_readers=readers)
    built.tracer_provider, built.meter_provider = tracer_provider, meter_provider
    if set_global:
        trace.set_tracer_provider(tracer_provider)
        metrics.set_meter_provider(meter_provider)
    if instrument:
        instrumentor = LiteLLMInstrumentor()
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()
        instrumentor.instrument(tracer_provider=tracer_provider, meter_provider=meter_provider, **instrument_options)
        built.instrumentor = instrumentor
        built._recorder = instrumentor.recorder
    atexit.register(built.shutdown)
    return built


def _make(
    name: str,
    store_path: str | None,
    otlp_endpoint: str | None,
    otlp_protocol: str | None,
    otlp_headers: dict[str, str] | None,
    interval_ms: int,
    built: Pipeline,
) -> tuple[SpanExporter | None, MetricReader | None]:
    """One exporter name -> (span exporter, metric reader)."""
    if name == "none":
        return None, None
    if name == "sqlite":
        from litetrace.store import SQLiteMetricExporter, SQLiteSpanExporter, default_store_path

        path = store_path or default_store_path()
        built.store_path = path
        metric_exporter: MetricExporter = SQLiteMetricExporter(path)
        return SQLiteSpanExporter(path), PeriodicExportingMetricReader(metric_exporter, interval_ms)
    if name == "console":
        from opentelemetry.sdk.metrics.export import ConsoleMetricExporter
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        # The SDK's default ``out`` is sys.stdout as it was when the SDK was imported; use today's.
        return ConsoleSpanExporter(out=sys.stdout), PeriodicExportingMetricReader(ConsoleMetricExporter(out=sys.stdout), interval_ms)
    if name == "prometheus":
        return None, _prometheus_reader(built)
    from litetrace.setup.exporters import otlp_exporters

    span_exporter, otlp_metric_exporter = otlp_exporters(otlp_endpoint, otlp_protocol, otlp_headers)
    return span_exporter, PeriodicExportingMetricReader(otlp_metric_exporter, interval_ms)


def _prometheus_reader(built: Pipeline) -> MetricReader:
    try:
        from opentelemetry.exporter.prometheus import PrometheusMetricReader
        from prometheus_client import start_http_server
    except ImportError as error:
        raise ImportError("the prometheus exporter needs: pip install 'litetrace[prometheus]'") from error
    port = int(os.environ.get(PROMETHEUS_PORT_ENV, "9464"))
    started = start_http_server(port=port, addr=os.environ.get("LITETRACE_PROMETHEUS_HOST", "127.0.0.1"))
    if isinstance(started, tuple):  # prometheus_client >= 0.20 returns (server, thread): stop it at shutdown
        server = started[0]

        def stop_server() -> None:
            server.shutdown()
            server.server_close()

        built._closers.append(stop_server)
    return PrometheusMetricReader()


class PostProcessingExporter(SpanExporter):
    """Runs the user's post-process callback on each span before the real exporter sees it."""

    def __init__(self, inner: SpanExporter, postprocess: SpanPostProcess) -> None:
        self.inner = inner
        self.postprocess = postprocess

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        kept: list[ReadableSpan] = []
        for span in spans:
            try:
                result = self.postprocess(span)
            except Exception:
                # A broken callback must not lose the span: export it as it was.
                logger.debug("litetrace: span post-process callback failed", exc_info=True)
                result = span
            if result is not None:
                kept.append(result)
        return self.inner.export(kept) if kept else SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)
