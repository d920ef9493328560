"""OpenTelemetry exporters that write spans and metric points into the SQLite store.

The SDK calls ``export()`` from its BatchSpanProcessor / PeriodicExportingMetricReader
thread, off the caller's hot path. Each batch is one transaction and one ``executemany``;
a failure costs that batch (logged at debug level) and never raises into the SDK.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import weakref
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
from litetrace.store.schema import connect, insert_sql, write_transaction

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


# Connections a forked child inherited from its parent; kept open and unused (see _after_fork).
_INHERITED: list[sqlite3.Connection] = []


class _StoreWriter:
    """One connection per process, opened on the first write and used under a lock."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = store_path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._closed = False
        # A forked child must not reuse the parent's connection or a lock held at fork time.
        ref = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _reset_after_fork(ref))

    def _after_fork(self) -> None:
        if self._conn is not None:
            # Never closed in the child: closing its copy of the parent's file descriptor would
            # drop this process's POSIX locks on the file, including those of the new connection.
            _INHERITED.append(self._conn)
        self._lock = threading.Lock()
        self._conn = None
        self._pid = os.getpid()

    def write(self, table: str, batch: Sequence[tuple[Any, ...]]) -> bool:
        """Insert ``batch`` into ``table`` in one transaction; False once closed."""
        with self._lock:
            if self._closed:
                return False
            if not batch:
                return True
            if self._conn is not None and self._pid != os.getpid():
                _INHERITED.append(self._conn)  # a fork the at-fork hook missed; see _after_fork
                self._conn = None
            if self._conn is None:
                self._conn = connect(self.path)
                self._pid = os.getpid()
            conn = self._conn
            with write_transaction(conn):
                conn.executemany(insert_sql(table), batch)
            return True

    def close(self) -> None:
        """Close the connection; later writes are refused."""
        with self._lock:
            self._closed = True
            if self._conn is not None:
                if self._pid == os.getpid():
                    self._conn.close()
                else:
                    _INHERITED.append(self._conn)
            self._conn = None


def _reset_after_fork(ref: weakref.ref[_StoreWriter]) -> None:
    writer = ref()
    if writer is not None:
        writer._after_fork()


class SQLiteSpanExporter(SpanExporter):
    """Writes finished spans to the store at ``path`` (default: ``default_store_path()``)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self._writer = _StoreWriter(path)

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
        """Nothing is buffered here: every export is committed before it returns."""
        return True


class SQLiteMetricExporter(MetricExporter):
    """Writes metric points (deltas for counters and histograms) to the store at ``path``."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        preferred_temporality: dict[type, AggregationTemporality] | None = None,
    ) -> None:
        super().__init__(preferred_temporality=preferred_temporality or dict(DELTA_TEMPORALITY))
        self._writer = _StoreWriter(path)

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
        """Nothing is buffered here: every export is committed before it returns."""
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        """Close the store; later exports fail."""
        self._writer.close()
