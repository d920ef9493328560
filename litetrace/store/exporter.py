"""OpenTelemetry exporters that write spans and metric points into the SQLite store.

The SDK calls ``export()`` from its BatchSpanProcessor / PeriodicExportingMetricReader
thread, or from the caller's thread with a SimpleSpanProcessor (``setup(batch=False)``).
Each batch is one transaction; ``StoreWriter`` bounds every wait on the calling thread,
retries a locked store in the background and never raises into the SDK.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk.metrics import (
    Counter,
    Histogram,
    ObservableCounter,
    ObservableGauge,
    ObservableUpDownCounter,
    UpDownCounter,
    _Gauge,
)
from opentelemetry.sdk.metrics.export import AggregationTemporality, MetricExporter, MetricExportResult, MetricsData
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from litetrace.store import rows
from litetrace.store.location import store_path
from litetrace.store.writer import StoreWriter

logger = logging.getLogger("litetrace")

# Counters and histograms as deltas: each stored row is its own interval, so a report's
# window total is a SUM and rows from several processes add up without bookkeeping.
DELTA_TEMPORALITY: dict[type, AggregationTemporality] = {
    Counter: AggregationTemporality.DELTA,
    Histogram: AggregationTemporality.DELTA,
    ObservableCounter: AggregationTemporality.DELTA,
    UpDownCounter: AggregationTemporality.CUMULATIVE,
    ObservableUpDownCounter: AggregationTemporality.CUMULATIVE,
    ObservableGauge: AggregationTemporality.CUMULATIVE,
    _Gauge: AggregationTemporality.CUMULATIVE,
}


def _resolve(path: str | os.PathLike[str] | None) -> str:
    return store_path(path)


class SQLiteSpanExporter(SpanExporter):
    """Writes finished spans to the store at ``path`` (default: ``default_store_path()``)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self._writer = StoreWriter(_resolve(path), "spans")

    @property
    def path(self) -> str:
        """The store file written to."""
        return self._writer.path

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Store one batch of spans; FAILURE (logged at debug level) if it cannot."""
        try:
            written = self._writer.write("spans", [rows.span_row(span) for span in spans])
        except Exception:
            logger.debug("litetrace: could not store %d spans in %s", len(spans), self.path, exc_info=True)
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS if written else SpanExportResult.FAILURE

    def shutdown(self) -> None:
        """Close the store; later exports fail."""
        self._writer.close()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Wait (bounded) for batches that found the store locked and wait for a retry."""
        return self._writer.flush(timeout_millis / 1000)


class SQLiteMetricExporter(MetricExporter):
    """Writes metric points (deltas for counters and histograms) to the store at ``path``."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        preferred_temporality: dict[type, AggregationTemporality] | None = None,
    ) -> None:
        super().__init__(preferred_temporality=preferred_temporality or dict(DELTA_TEMPORALITY))
        self._writer = StoreWriter(_resolve(path), "metric points")

    @property
    def path(self) -> str:
        """The store file written to."""
        return self._writer.path

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any) -> MetricExportResult:
        """Store one collection of metric points; FAILURE (logged at debug level) if it cannot."""
        try:
            written = self._writer.write("metric_points", rows.metric_rows(metrics_data))
        except Exception:
            logger.debug("litetrace: could not store metric points in %s", self.path, exc_info=True)
            return MetricExportResult.FAILURE
        return MetricExportResult.SUCCESS if written else MetricExportResult.FAILURE

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        """Wait (bounded) for points that found the store locked and wait for a retry."""
        return self._writer.flush(timeout_millis / 1000)

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        """Close the store; later exports fail."""
        self._writer.close()
