"""Deprecated alias of ``litetrace.setup`` (kept for one release); ``Telemetry`` is now ``Pipeline``."""

from __future__ import annotations

import warnings

from litetrace.setup.pipeline import (  # noqa: F401  # re-exported
    BATCH_ENV,
    ENABLED_ENV,
    EXPORTERS_ENV,
    KNOWN_EXPORTERS,
    METRIC_INTERVAL_ENV,
    PROMETHEUS_PORT_ENV,
    Pipeline,
    PostProcessingExporter,
    SpanPostProcess,
    exporter_names,
    setup,
)

Telemetry = Pipeline

warnings.warn("litetrace.configure is deprecated: import from litetrace.setup (Telemetry is now Pipeline)",
              DeprecationWarning, stacklevel=2)
