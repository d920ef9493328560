"""Saying once, at start-up, that spans will go nowhere (instead of a silent 0 spans)."""

from __future__ import annotations

import logging
import sys
from typing import Any

from opentelemetry import trace

logger = logging.getLogger("litetrace")

# The package whose sitecustomize ``opentelemetry-instrument`` runs before the program.
AUTO_INSTRUMENTATION = "opentelemetry.instrumentation.auto_instrumentation"

_told = False


def has_sdk_provider(tracer_provider: Any) -> bool:
    """Whether spans reach a real pipeline: a provider passed, or a global one set (not the API's proxy/no-op)."""
    provider = tracer_provider if tracer_provider is not None else trace.get_tracer_provider()
    return not isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider))


def tell_if_spans_go_nowhere(tracer_provider: Any) -> None:
    """Log once per process when no SDK TracerProvider is there to receive litetrace's spans."""
    global _told
    if _told or has_sdk_provider(tracer_provider):
        return
    _told = True
    if AUTO_INSTRUMENTATION in sys.modules:
        # opentelemetry-instrument configures the SDK through a distro before it instruments;
        # none ran, so nothing will ever export (the common cause: opentelemetry-distro missing).
        logger.warning(
            "litetrace: opentelemetry-instrument found no OpenTelemetry SDK configuration, so LiteLLM spans "
            "go nowhere: pip install opentelemetry-distro opentelemetry-exporter-otlp (and set OTEL_* as usual), "
            "or use `litetrace run -- python app.py`"
        )
    else:
        logger.info(
            "litetrace: no OpenTelemetry SDK TracerProvider is set or passed; LiteLLM spans go nowhere until one is "
            "(trace.set_tracer_provider(...), instrument(tracer_provider=...), or litetrace.setup())"
        )
