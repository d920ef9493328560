"""Conversion of SDK spans and metric points into store rows, in the schema's column order."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from opentelemetry.sdk.metrics.export import (
    ExponentialHistogram,
    ExponentialHistogramDataPoint,
    Gauge,
    Histogram,
    HistogramDataPoint,
    MetricsData,
    NumberDataPoint,
    Sum,
)
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import format_span_id, format_trace_id

from litetrace.store.schema import METRIC_COLUMNS, SPAN_COLUMNS, Column

_SERVICE_NAME = "service.name"


def to_json(attributes: Mapping[str, Any] | None) -> str:
    """Attributes as a compact JSON object (sequences become arrays)."""
    # default=str: an attribute type the SDK lets through but JSON lacks costs precision, not the row.
    return json.dumps(dict(attributes or {}), separators=(",", ":"), ensure_ascii=False, default=str)


def _coerce(column: Column, value: Any) -> Any:
    """The attribute value in the column's SQL type, or None if it does not fit."""
    if value is None:
        return None
    if column.sql_type.startswith("INTEGER"):
        if isinstance(value, (bool, int)):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return None
    if column.sql_type.startswith("REAL"):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        return None
    return value if isinstance(value, str) else None


def span_row(span: ReadableSpan) -> tuple[Any, ...]:
    """One ``spans`` row."""
    context = span.get_span_context()
    attributes = span.attributes or {}
    start = span.start_time or 0
    end = span.end_time if span.end_time is not None else start
    resource = span.resource.attributes if span.resource is not None else {}
    fixed: dict[str, Any] = {
        "trace_id": format_trace_id(context.trace_id) if context else "",
        "span_id": format_span_id(context.span_id) if context else "",
        "parent_span_id": format_span_id(span.parent.span_id) if span.parent else None,
        "name": span.name,
        "kind": span.kind.name,
        "start_ns": start,
        "end_ns": end,
        "duration_s": (end - start) / 1e9,
        "status_code": span.status.status_code.name,
        "status_message": span.status.description or None,
        "service_name": resource.get(_SERVICE_NAME),
        "attributes": to_json(attributes),
    }
    return tuple(
        fixed[column.name] if column.attribute is None else _coerce(column, attributes.get(column.attribute))
        for column in SPAN_COLUMNS
    )


def _finite(value: float | None) -> float | None:
    # Histograms without min/max tracking report +/-inf; unknown is NULL in the store.
    return float(value) if value is not None and math.isfinite(value) else None


def metric_rows(metrics_data: MetricsData) -> list[tuple[Any, ...]]:
    """One ``metric_points`` row per data point in ``metrics_data``."""
    out: list[tuple[Any, ...]] = []
    for resource_metrics in metrics_data.resource_metrics:
        service = resource_metrics.resource.attributes.get(_SERVICE_NAME)
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                for fields in _points(metric.data):
                    fields.update(name=metric.name, unit=metric.unit or None, service_name=service)
                    out.append(tuple(fields.get(column.name) for column in METRIC_COLUMNS if column.name != "id"))
    return out


def _points(data: Any) -> Iterable[dict[str, Any]]:
    """Column values of each data point of one metric (without name, unit, service)."""
    temporality = getattr(data, "aggregation_temporality", None)
    common = {"temporality": temporality.name.lower() if temporality is not None else None}
    if isinstance(data, Sum):
        for number in data.data_points:
            yield dict(common, kind="sum", is_monotonic=int(data.is_monotonic), value=number.value, **_times(number))
    elif isinstance(data, Gauge):
        for number in data.data_points:
            yield dict(common, kind="gauge", value=number.value, **_times(number))
    elif isinstance(data, Histogram):
        for histogram in data.data_points:
            yield dict(
                common,
                kind="histogram",
                bucket_bounds=json.dumps(list(histogram.explicit_bounds)),
                bucket_counts=json.dumps(list(histogram.bucket_counts)),
                **_summary(histogram),
            )
    elif isinstance(data, ExponentialHistogram):
        for exponential in data.data_points:
            buckets = {
                "scale": exponential.scale,
                "zero_count": exponential.zero_count,
                "positive": {
                    "offset": exponential.positive.offset,
                    "bucket_counts": list(exponential.positive.bucket_counts),
                },
                "negative": {
                    "offset": exponential.negative.offset,
                    "bucket_counts": list(exponential.negative.bucket_counts),
                },
            }
            yield dict(common, kind="exponential_histogram", bucket_counts=json.dumps(buckets), **_summary(exponential))


def _summary(point: HistogramDataPoint | ExponentialHistogramDataPoint) -> dict[str, Any]:
    """Sum, count, min, max and times shared by both histogram kinds."""
    return {
        "sum": point.sum,
        "count": point.count,
        "min": _finite(point.min),
        "max": _finite(point.max),
        **_times(point),
    }


def _times(point: NumberDataPoint | HistogramDataPoint | ExponentialHistogramDataPoint) -> dict[str, Any]:
    return {
        "time_ns": point.time_unix_nano,
        "start_time_ns": point.start_time_unix_nano or None,
        "attributes": to_json(point.attributes),
    }
