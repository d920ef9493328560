"""OTLP exporters (http/protobuf or grpc) from arguments, the standard ``OTEL_EXPORTER_OTLP_*``
variables, or LiteLLM's own ``OTEL_EXPORTER`` / ``OTEL_ENDPOINT`` / ``OTEL_HEADERS``."""

from __future__ import annotations

import os
from typing import Any

_SIGNAL_SUFFIXES = ("/v1/traces", "/v1/metrics")


def _protocol(protocol: str | None) -> str:
    if protocol:
        return protocol
    standard = os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
    if standard:
        return standard
    return "grpc" if os.environ.get("OTEL_EXPORTER", "").strip().lower() == "otlp_grpc" else "http/protobuf"


def _base_endpoint(endpoint: str | None) -> str | None:
    """An explicit endpoint or LiteLLM's ``OTEL_ENDPOINT``; None lets the exporter read its own env."""
    value = endpoint or (None if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") else os.environ.get("OTEL_ENDPOINT"))
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
    headers = headers or (None if os.environ.get("OTEL_EXPORTER_OTLP_HEADERS") else parse_headers(os.environ.get("OTEL_HEADERS")))
    # A dead collector must not hold the process for long at shutdown.
    timeout = float(os.environ.get("OTEL_EXPORTER_OTLP_TIMEOUT", "5"))
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
