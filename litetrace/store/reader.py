"""Read spans and metric points back out of the store, for reports and dashboards."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from typing import Any

from litetrace.store.location import store_path
from litetrace.store.schema import METRIC_COLUMNS, SPAN_COLUMNS, connect


@dataclass(frozen=True)
class SpanRecord:
    """One stored span: the ``spans`` columns, in order (``attributes`` parsed when asked for)."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    kind: str
    start_ns: int
    end_ns: int
    duration_s: float
    status_code: str
    status_message: str | None
    service_name: str | None
    operation: str | None
    provider: str | None
    request_model: str | None
    response_model: str | None
    is_streaming: bool | None
    ttft_s: float | None
    chunks_per_second: float | None
    chunk_count: int | None
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    cost_usd: float | None
    error_type: str | None
    error_category: str | None
    attributes: dict[str, Any] | None

    @property
    def model(self) -> str | None:
        """The model as requested, else as reported."""
        return self.request_model or self.response_model

    @property
    def is_error(self) -> bool:
        """True when the span's status is ERROR."""
        return self.status_code == "ERROR"


@dataclass(frozen=True)
class MetricPoint:
    """One stored metric data point; bucket fields are parsed from JSON."""

    id: int
    time_ns: int
    start_time_ns: int | None
    name: str
    kind: str
    temporality: str | None
    is_monotonic: bool | None
    unit: str | None
    service_name: str | None
    attributes: dict[str, Any]
    value: float | None
    sum: float | None
    count: int | None
    min: float | None
    max: float | None
    bucket_bounds: list[float] | None
    bucket_counts: list[int] | dict[str, Any] | None


def _open(path: str | os.PathLike[str] | None) -> sqlite3.Connection:
    resolved = store_path(path)
    if not os.path.exists(resolved):
        raise FileNotFoundError(f"no litetrace store at {resolved}")
    return connect(resolved, read_only=True)


def _window(column: str, since_ns: int | None, until_ns: int | None) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if since_ns is not None:
        where.append(f"{column} >= ?")
        params.append(since_ns)
    if until_ns is not None:
        where.append(f"{column} < ?")
        params.append(until_ns)
    return where, params


def _query(
    path: str | os.PathLike[str] | None, table: str, columns: list[str], order: tuple[str, ...],
    where: list[str], params: list[Any], limit: int | None,
) -> list[tuple[Any, ...]]:
    sql = f"SELECT {', '.join(columns)} FROM {table}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    # With a limit, keep the most recent rows, then hand them back oldest first.
    sql += " ORDER BY " + ", ".join(f"{column} DESC" for column in order)
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, int(limit)]
    conn = _open(path)
    try:
        found = conn.execute(sql, params).fetchall()
    finally:
        conn.close()
    found.reverse()
    return found


def load_spans(
    path: str | os.PathLike[str] | None = None,
    *,
    since_ns: int | None = None,
    until_ns: int | None = None,
    limit: int | None = None,
    llm_only: bool = True,
    with_attributes: bool = False,
) -> list[SpanRecord]:
    """Spans that started in [since_ns, until_ns), oldest first; the newest ``limit`` if given.

    ``llm_only`` keeps litetrace's LiteLLM spans (those with ``llm.request.type``);
    ``with_attributes`` parses the full attribute JSON (slower), else ``attributes`` is None.
    """
    where, params = _window("start_ns", since_ns, until_ns)
    if llm_only:
        where.append("operation IS NOT NULL")
    names = [col.name for col in SPAN_COLUMNS]
    # Skipping the JSON column when it is not wanted saves most of the read time.
    columns = ["NULL" if name == "attributes" and not with_attributes else name for name in names]
    found = _query(path, "spans", columns, ("start_ns",), where, params, limit)
    records = []
    for row in found:
        values = dict(zip(names, row, strict=True))
        if values["is_streaming"] is not None:
            values["is_streaming"] = bool(values["is_streaming"])
        if values["attributes"] is not None:
            values["attributes"] = json.loads(values["attributes"])
        records.append(SpanRecord(**values))
    return records


def load_metric_points(
    path: str | os.PathLike[str] | None = None,
    *,
    name: str | None = None,
    since_ns: int | None = None,
    until_ns: int | None = None,
    limit: int | None = None,
) -> list[MetricPoint]:
    """Metric points (of instrument ``name``, if given) timed in [since_ns, until_ns), oldest first."""
    where, params = _window("time_ns", since_ns, until_ns)
    if name is not None:
        where.append("name = ?")
        params.append(name)
    columns = [col.name for col in METRIC_COLUMNS]
    found = _query(path, "metric_points", columns, ("time_ns", "id"), where, params, limit)
    points = []
    for row in found:
        values = dict(zip(columns, row, strict=True))
        values["is_monotonic"] = None if values["is_monotonic"] is None else bool(values["is_monotonic"])
        for key in ("attributes", "bucket_bounds", "bucket_counts"):
            if values[key] is not None:
                values[key] = json.loads(values[key])
        points.append(MetricPoint(**values))
    return points
