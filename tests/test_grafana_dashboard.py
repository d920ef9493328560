"""The Grafana dashboard queries only metrics that litetrace exports under Prometheus naming."""

from __future__ import annotations

import json
import re
from importlib import resources

import litellm
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import REGISTRY, generate_latest

from litetrace import Instrumentor


def _dashboard() -> dict:
    text = resources.files("litetrace").joinpath("grafana/litetrace-dashboard.json").read_text(encoding="utf-8")
    return json.loads(text)


def _queried_metrics(dashboard: dict) -> set[str]:
    found = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            found.update(re.findall(r"\b((?:gen_ai|llm)_[a-zA-Z_]+)\s*[{\[]", target["expr"]))
    return found


def test_every_metric_the_grafana_dashboard_queries_is_exported():
    reader = PrometheusMetricReader()
    instrumentor = Instrumentor()
    meter_provider = MeterProvider(metric_readers=[reader])
    instrumentor.instrument(tracer_provider=TracerProvider(), meter_provider=meter_provider)
    try:
        litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], mock_response="a b c")
        stream = litellm.completion(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], mock_response="a b c d e", stream=True
        )
        for _ in stream:
            pass
        instrumentor.flush()
        exported = generate_latest(REGISTRY).decode()
    finally:
        instrumentor.uninstrument()
        meter_provider.shutdown()  # also unregisters the reader's collector
    names = {line.split("{")[0].split(" ")[0] for line in exported.splitlines() if line and not line.startswith("#")}
    queried = _queried_metrics(_dashboard())
    assert queried, "the dashboard queries no litetrace metric"
    missing = {name for name in queried if name not in names}
    assert not missing, f"dashboard queries metrics litetrace does not export: {missing}"
    assert "gen_ai_client_operation_time_to_first_chunk_seconds_bucket" in queried
