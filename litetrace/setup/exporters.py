"""Exporter names -> SDK span exporters and metric readers: the embedded store, console, OTLP, Prometheus.

OTLP (http/protobuf or grpc) comes from arguments, the standard ``OTEL_EXPORTER_OTLP_*``
variables, or LiteLLM's own ``OTEL_EXPORTER`` / ``OTEL_ENDPOINT`` / ``OTEL_HEADERS``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from litetrace import settings
from litetrace.settings import (  # noqa: F401  # EXPORTERS_ENV, PROMETHEUS_PORT_ENV: re-exported
    EXPORTERS_ENV,
    KNOWN_EXPORTERS,
    OTLP_PROTOCOLS,
    PROMETHEUS_PORT_ENV,
    env,
)

logger = logging.getLogger("litetrace")

_SIGNAL_SUFFIXES = ("/v1/traces", "/v1/metrics")

# Span post-processing: return the span (possibly another ReadableSpan) to keep it, None to drop it.
SpanPostProcess = Callable[[ReadableSpan], "ReadableSpan | None"]


@dataclass(frozen=True)
class Destinations:
    """The options of ``setup()`` that say where the exporters send."""

    store_path: str | None = None
    otlp_endpoint: str | None = None
    otlp_protocol: str | None = None
    otlp_headers: dict[str, str] | None = None
    interval_ms: int = 10_000


class Exporters(NamedTuple):
    """What one exporter name gives: a span exporter and/or a metric reader, and what to remember."""

    spans: SpanExporter | None = None
    metrics: MetricReader | None = None
    store_path: str | None = None
    # A resource that outlives the providers (the Prometheus HTTP server): closed last.
    close: Callable[[], object] | None = None


def exporter_names(value: str | Sequence[str] | None) -> list[str]:
    """Exporter names from an argument (a bad one raises) or ``LITETRACE_EXPORTER`` / LiteLLM's ``OTEL_EXPORTER``."""
    if value is None:
        return env(EXPORTERS_ENV) or [_litellm_exporter_env() or "sqlite"]
    if not isinstance(value, (str, list, tuple)):
        raise TypeError(f"exporter must be a string or a list of names, got {value!r}")
    names = [part.strip().lower() for part in value.split(",")] if isinstance(value, str) else list(value)
    names = [name for name in names if name]
    unknown = [name for name in names if name not in KNOWN_EXPORTERS]
    if unknown:
        raise ValueError(f"unknown exporter {unknown[0]!r}: choose from {', '.join(KNOWN_EXPORTERS)}")
    return names


def _litellm_exporter_env() -> str | None:
    """LiteLLM's docs name ``OTEL_EXPORTER`` (otlp_http, otlp_grpc, console): honour it."""
    value = (env(settings.LITELLM_EXPORTER_ENV) or "").lower()
    if value in ("otlp_http", "otlp_grpc", "otlp"):
        return "otlp"
    return value if value == "console" else None


def exporters_for(name: str, where: Destinations) -> Exporters:
    """One exporter name -> its span exporter and metric reader."""
    if name == "none":
        return Exporters()
    if name == "sqlite":
        return _sqlite(where)
    if name == "console":
        return _console(where.interval_ms)
    if name == "prometheus":
        return _prometheus()
    span_exporter, metric_exporter = otlp_exporters(where.otlp_endpoint, where.otlp_protocol, where.otlp_headers)
    return Exporters(span_exporter, PeriodicExportingMetricReader(metric_exporter, where.interval_ms))


def _sqlite(where: Destinations) -> Exporters:
    from litetrace.store import SQLiteMetricExporter, SQLiteSpanExporter
    from litetrace.store.location import store_path

    path = store_path(where.store_path or None)
    reader = PeriodicExportingMetricReader(SQLiteMetricExporter(path), where.interval_ms)
    return Exporters(SQLiteSpanExporter(path), reader, store_path=path)


def _console(interval_ms: int) -> Exporters:
    from opentelemetry.sdk.metrics.export import ConsoleMetricExporter
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    # The SDK's default ``out`` is sys.stdout as it was when the SDK was imported; use today's.
    reader = PeriodicExportingMetricReader(ConsoleMetricExporter(out=sys.stdout), interval_ms)
    return Exporters(ConsoleSpanExporter(out=sys.stdout), reader)


def _prometheus() -> Exporters:
    try:
        from opentelemetry.exporter.prometheus import PrometheusMetricReader
        from prometheus_client import start_http_server
    except ImportError as error:
        raise ImportError("the prometheus exporter needs: pip install 'litetrace[prometheus]'") from error
    started = start_http_server(port=env(PROMETHEUS_PORT_ENV), addr=env(settings.PROMETHEUS_HOST_ENV))
    if not isinstance(started, tuple):  # prometheus_client < 0.20 returns nothing to stop
        return Exporters(metrics=PrometheusMetricReader())
    server = started[0]  # >= 0.20: (server, thread); stop it at shutdown

    def stop_server() -> None:
        server.shutdown()
        server.server_close()

    return Exporters(metrics=PrometheusMetricReader(), close=stop_server)


def _protocol(protocol: str | None) -> str:
    if protocol:
        if protocol not in OTLP_PROTOCOLS:
            raise ValueError(f"otlp_protocol must be one of {', '.join(OTLP_PROTOCOLS)}, got {protocol!r}")
        return protocol
    standard = env(settings.OTLP_PROTOCOL_ENV)
    if standard:
        return str(standard)
    return "grpc" if (env(settings.LITELLM_EXPORTER_ENV) or "").lower() == "otlp_grpc" else "http/protobuf"


def _base_endpoint(endpoint: str | None) -> str | None:
    """An explicit endpoint or LiteLLM's ``OTEL_ENDPOINT``; None lets the exporter read its own env."""
    value = endpoint or (None if env(settings.OTLP_ENDPOINT_ENV) else env(settings.LITELLM_ENDPOINT_ENV))
    if not value:
        return None
    value = value.rstrip("/")
    for suffix in _SIGNAL_SUFFIXES:
        if value.endswith(suffix):
            return value[: -len(suffix)]
    return value


def parse_headers(text: str | None) -> dict[str, str] | None:
    """``k=v,k2=v2`` (the OTLP header format LiteLLM's ``OTEL_HEADERS`` uses)."""
    if not text:
        return None
    headers = {}
    for pair in text.split(","):
        key, sep, value = pair.partition("=")
        if sep and key.strip():
            headers[key.strip()] = value.strip()
    return headers or None


def otlp_exporters(endpoint: str | None, protocol: str | None, headers: dict[str, str] | None) -> tuple[Any, Any]:
    """(span exporter, metric exporter) for OTLP."""
    protocol = _protocol(protocol)
    base = _base_endpoint(endpoint)
    headers = headers or (None if env(settings.OTLP_HEADERS_ENV) else parse_headers(env(settings.LITELLM_HEADERS_ENV)))
    # A dead collector must not hold the process for long at shutdown.
    timeout = env(settings.OTLP_TIMEOUT_ENV)
    try:
        if protocol == "grpc":
            from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

            return (
                OTLPSpanExporter(endpoint=base, headers=headers, timeout=timeout),
                OTLPMetricExporter(endpoint=base, headers=headers, timeout=timeout),
            )
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter as HTTPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HTTPSpanExporter
    except ImportError as error:
        raise ImportError("the otlp exporter needs: pip install 'litetrace[otlp]'") from error
    return (
        HTTPSpanExporter(endpoint=f"{base}/v1/traces" if base else None, headers=headers, timeout=timeout),
        HTTPMetricExporter(endpoint=f"{base}/v1/metrics" if base else None, headers=headers, timeout=timeout),
    )


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
