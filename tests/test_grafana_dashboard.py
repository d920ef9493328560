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


def _exported_names(semconv: str) -> set[str]:
    reader = PrometheusMetricReader()
    instrumentor = Instrumentor()
    meter_provider = MeterProvider(metric_readers=[reader])
    instrumentor.instrument(tracer_provider=TracerProvider(), meter_provider=meter_provider, semconv=semconv)
    try:
        litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], mock_response="a b c")
        stream = litellm.completion(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], mock_response="a b c d e", stream=True
        )
        for _ in stream:
            pass
        litellm.embedding(model="text-embedding-3-small", input=["hi"], mock_response=[0.1, 0.2])
        instrumentor.flush()
        exported = generate_latest(REGISTRY).decode()
    finally:
        instrumentor.uninstrument()
        meter_provider.shutdown()  # also unregisters the reader's collector
    return {line.split("{")[0].split(" ")[0] for line in exported.splitlines() if line and not line.startswith("#")}


def test_every_metric_the_grafana_dashboard_queries_is_exported():
    # Queries accept either convention's names (stable first, "or on (...)" the newest): every
    # name queried is exported under one of the modes, and every panel finds data under each.
    exported = {mode: _exported_names(mode) for mode in ("stable", "current")}
    queried = _queried_metrics(_dashboard())
    assert queried, "the dashboard queries no litetrace metric"
    missing = {name for name in queried if name not in exported["stable"] | exported["current"]}
    assert not missing, f"dashboard queries metrics litetrace does not export: {missing}"
    assert "gen_ai_client_operation_time_to_first_chunk_seconds_bucket" in queried
    assert "gen_ai_client_inference_time_to_first_chunk_seconds_bucket" in queried
    for panel in _dashboard()["panels"]:
        for target in panel["targets"]:
            names = set(re.findall(r"\b((?:gen_ai|llm)_[a-zA-Z_]+)\s*[{\[]", target["expr"]))
            for mode, found in exported.items():
                if "error_type" not in target["expr"]:  # no failed call here, so no error series
                    assert names & found, f"{panel['title']!r} shows nothing under semconv={mode}"
