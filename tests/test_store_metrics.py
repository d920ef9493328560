"""The embedded store's metric side: points from the real SDK reader come back out intact."""

from __future__ import annotations

from pathlib import Path

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View
from opentelemetry.sdk.resources import Resource
from opentelemetry.semconv._incubating.metrics import gen_ai_metrics

from litetrace.store import SQLiteMetricExporter, load_metric_points


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "store.db")


def test_metrics_round_trip_as_deltas_with_histogram_buckets(db):
    exporter = SQLiteMetricExporter(db)
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    provider = MeterProvider(metric_readers=[reader], resource=Resource.create({"service.name": "svc"}))
    meter = provider.get_meter("litetrace")
    duration = meter.create_histogram(
        gen_ai_metrics.GEN_AI_CLIENT_OPERATION_DURATION, unit="s", explicit_bucket_boundaries_advisory=[0.1, 1.0, 10.0]
    )
    cost = meter.create_counter("llm.usage.cost", unit="USD")
    in_flight = meter.create_up_down_counter("calls.in_flight")
    dims = {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini"}

    duration.record(0.05, dims)
    duration.record(0.5, dims)
    duration.record(20.0, dims)
    cost.add(0.25, dims)
    in_flight.add(2)
    reader.force_flush()
    duration.record(2.0, dims)
    cost.add(0.5, dims)
    in_flight.add(-1)
    provider.shutdown()

    first, second = load_metric_points(db, name=gen_ai_metrics.GEN_AI_CLIENT_OPERATION_DURATION)
    assert (first.kind, first.temporality, first.unit, first.service_name) == ("histogram", "delta", "s", "svc")
    assert first.attributes == dims
    assert first.bucket_bounds == [0.1, 1.0, 10.0]
    assert first.bucket_counts == [1, 1, 0, 1]
    assert (first.count, first.sum, first.min, first.max) == (3, pytest.approx(20.55), 0.05, 20.0)
    # Delta temporality: the second row holds only what was recorded after the first export.
    assert (second.count, second.sum, second.bucket_counts) == (1, 2.0, [0, 0, 1, 0])
    assert second.time_ns > first.time_ns

    costs = load_metric_points(db, name="llm.usage.cost")
    assert [(p.kind, p.temporality, p.is_monotonic, p.value) for p in costs] == [
        ("sum", "delta", True, 0.25), ("sum", "delta", True, 0.5)]
    gauge_like = load_metric_points(db, name="calls.in_flight")
    assert [(p.temporality, p.is_monotonic, p.value) for p in gauge_like] == [
        ("cumulative", False, 2), ("cumulative", False, 1)]
    assert len(load_metric_points(db, limit=2)) == 2
    assert load_metric_points(db, since_ns=second.time_ns + 1) == []


def test_gauges_and_exponential_histograms_are_stored_too(db):
    reader = PeriodicExportingMetricReader(SQLiteMetricExporter(db), export_interval_millis=3_600_000)
    view = View(instrument_name="chunk.gap", aggregation=ExponentialBucketHistogramAggregation())
    provider = MeterProvider(metric_readers=[reader], views=[view])
    meter = provider.get_meter("litetrace")
    meter.create_gauge("queue.depth").set(7, {"queue": "a"})
    gaps = meter.create_histogram("chunk.gap", unit="s")
    for value in (0.01, 0.02, 0.04):
        gaps.record(value)
    provider.shutdown()

    (gauge,) = load_metric_points(db, name="queue.depth")
    assert (gauge.kind, gauge.temporality, gauge.value, gauge.attributes) == ("gauge", None, 7, {"queue": "a"})
    (exponential,) = load_metric_points(db, name="chunk.gap")
    assert (exponential.kind, exponential.count, exponential.min, exponential.max) == (
        "exponential_histogram", 3, 0.01, 0.04)
    assert isinstance(exponential.bucket_counts, dict)
    assert sum(exponential.bucket_counts["positive"]["bucket_counts"]) == 3
    assert exponential.bucket_bounds is None
