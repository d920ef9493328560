"""The embedded store: spans and metric points in one SQLite file, written by OpenTelemetry exporters.

Wire it into the SDK like any exporter::

    provider.add_span_processor(BatchSpanProcessor(SQLiteSpanExporter("litetrace.db")))
    reader = PeriodicExportingMetricReader(SQLiteMetricExporter("litetrace.db"))

and read it back with ``load_spans`` / ``load_metric_points``. The layout is in
``docs/store-schema.md``.
"""

from __future__ import annotations

from litetrace.store.exporter import SQLiteMetricExporter, SQLiteSpanExporter
from litetrace.store.location import STORE_ENV, default_store_path
from litetrace.store.reader import MetricPoint, SpanRecord, load_metric_points, load_spans
from litetrace.store.schema import SCHEMA_VERSION, StoreVersionError

__all__ = [
    "SCHEMA_VERSION",
    "STORE_ENV",
    "MetricPoint",
    "SQLiteMetricExporter",
    "SQLiteSpanExporter",
    "SpanRecord",
    "StoreVersionError",
    "default_store_path",
    "load_metric_points",
    "load_spans",
]
