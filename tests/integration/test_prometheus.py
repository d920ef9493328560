"""A real Prometheus scrapes litetrace's metrics; PromQL's TTFT median matches the streams' TTFT."""

from __future__ import annotations

import bisect
import math
import statistics
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import litellm
import pytest
from backend_support import backend, free_port, get_json, get_status, offline_env, require_executable, wait_for
from support import MESSAGES, behave, drain

import litetrace
from litetrace.metrics import DURATION_BUCKETS
from litetrace.store import load_spans

pytestmark = pytest.mark.integration

# gen_ai.client.operation.time_to_first_chunk (unit s) as the Prometheus exporter names it.
TTFT = "gen_ai_client_operation_time_to_first_chunk_seconds"
MEDIAN_QUERY = f"histogram_quantile(0.5, sum by (le) (rate({TTFT}_bucket[1m])))"
COUNT_QUERY = f"sum({TTFT}_count)"
# Mid-bucket: 0.45 s lies well inside (0.32, 0.64], so overheads of a few ms keep every stream in it.
FIRST_CHUNK_DELAY_S = 0.45
STREAMS = 8


@pytest.fixture
def exporter_port(monkeypatch: pytest.MonkeyPatch) -> int:
    port = free_port()
    monkeypatch.setenv("LITETRACE_PROMETHEUS_PORT", str(port))
    return port


@pytest.fixture
def prometheus(tmp_path: Path, exporter_port: int) -> Iterator[str]:
    """Debian's prometheus scraping 127.0.0.1:exporter_port every second; yields its base URL."""
    executable = require_executable("prometheus", "Prometheus")
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n  - job_name: litetrace\n    scrape_interval: 1s\n"
        f"    static_configs:\n      - targets: ['127.0.0.1:{exporter_port}']\n",
        encoding="utf-8",
    )
    port = free_port()
    command = [
        executable, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    base = f"http://127.0.0.1:{port}"
    with backend("prometheus", command, tmp_path / "prometheus.log", env=offline_env(), cwd=tmp_path) as server:
        wait_for(lambda: get_status(f"{base}/-/ready") == 200, 60, "prometheus did not become ready", alive=server.died)
        yield base


def query(base: str, promql: str) -> float | None:
    """The single value of an instant query, None when empty or NaN."""
    found = get_json(f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": promql}))
    assert found["status"] == "success", found
    result = found["data"]["result"]
    if not result:
        return None
    value = float(result[0]["value"][1])
    return None if math.isnan(value) else value


def stream(provider: object) -> None:
    response = litellm.completion(
        model="openai/gpt-4o-mini", messages=MESSAGES, stream=True, api_base=provider.openai_base, api_key="sk-local",
        extra_headers=behave(first_chunk_delay=FIRST_CHUNK_DELAY_S, chunk_count=5, chunk_delay=0.01),
    )
    for _ in response:
        pass


def bucket_around(value: float) -> tuple[float, float]:
    """The (lower, upper] histogram bucket ``value`` falls in."""
    index = bisect.bisect_left(DURATION_BUCKETS, value)
    lower = DURATION_BUCKETS[index - 1] if index > 0 else 0.0
    upper = DURATION_BUCKETS[index] if index < len(DURATION_BUCKETS) else math.inf
    return lower, upper


def test_promql_ttft_median_matches_the_streams(prometheus, exporter_port, provider, tmp_path):
    store = tmp_path / "spans.db"
    telemetry = litetrace.setup(exporter="prometheus,sqlite", store_path=str(store))
    try:
        # One stream creates the series; Prometheus must have scraped it before the measured streams,
        # because rate() counts increases between scrapes.
        stream(provider)
        drain()
        with urllib.request.urlopen(f"http://127.0.0.1:{exporter_port}/metrics", timeout=5) as reply:
            page = reply.read().decode()
        assert f"{TTFT}_bucket{{" in page, "the TTFT histogram is not on the /metrics page under that name"
        wait_for(lambda: query(prometheus, COUNT_QUERY) == 1, 30, "prometheus did not scrape the first stream")

        for _ in range(STREAMS):
            stream(provider)
            time.sleep(0.2)  # spread over several scrapes, as real traffic is
        drain()
        wait_for(lambda: query(prometheus, COUNT_QUERY) == 1 + STREAMS, 30, "prometheus did not scrape every stream")
        median = wait_for(lambda: query(prometheus, MEDIAN_QUERY), 30, "the TTFT median query stayed empty")
    finally:
        telemetry.shutdown()

    measured = [span.ttft_s for span in load_spans(store)[1:]]  # the spans of the measured streams, oldest first
    assert len(measured) == STREAMS and all(ttft is not None for ttft in measured)
    true_median = statistics.median(measured)
    lower, upper = bucket_around(true_median)
    # histogram_quantile interpolates inside the bucket holding the median: it can be no closer than that.
    assert lower <= median <= upper, (median, true_median, measured)
    assert abs(median - true_median) <= upper - lower
