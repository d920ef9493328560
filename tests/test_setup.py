"""``litetrace.setup()``: what it builds, where spans and metrics land, and what it never does."""

from __future__ import annotations

import socket
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import litellm
import pytest
import wrapt
from opentelemetry import metrics, trace
from opentelemetry.sdk.trace import ReadableSpan
from support import MESSAGES, drain

import litetrace
from litetrace.setup import Pipeline
from litetrace.store import load_metric_points, load_spans

# Variables setup() reads: cleared for every test, so the developer's shell cannot steer it.
SETUP_ENV = (
    "LITETRACE_EXPORTER", "LITETRACE_ENABLED", "LITETRACE_BATCH", "LITETRACE_DB", "LITETRACE_METRIC_INTERVAL_MS",
    "OTEL_EXPORTER", "OTEL_ENDPOINT", "OTEL_HEADERS", "OTEL_SERVICE_NAME",
    "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
    "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TIMEOUT",
)
DURATION = "gen_ai.client.operation.duration"
TOKENS = "gen_ai.client.token.usage"
# A dead collector may cost one export timeout for spans and one for metrics at shutdown, no more.
SHUTDOWN_BOUND_S = 15.0


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETUP_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def start() -> Iterator[Callable[..., Pipeline]]:
    """``litetrace.setup(**kwargs)``; afterwards every pipeline is shut down and LiteLLM un-patched."""
    made: list[Pipeline] = []

    def factory(**kwargs: Any) -> Pipeline:
        built = litetrace.setup(**kwargs)
        made.append(built)
        return built

    try:
        yield factory
    finally:
        for built in made:
            built.shutdown()
        instrumentor = litetrace.Instrumentor()
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()


@pytest.fixture
def fresh_globals() -> Iterator[None]:
    """No global TracerProvider/MeterProvider set yet (the API allows setting them once per process)."""
    import opentelemetry.metrics._internal as metrics_state
    import opentelemetry.trace as trace_state
    from opentelemetry.util._once import Once

    saved = (trace_state._TRACER_PROVIDER, trace_state._TRACER_PROVIDER_SET_ONCE,
             metrics_state._METER_PROVIDER, metrics_state._METER_PROVIDER_SET_ONCE)
    trace_state._TRACER_PROVIDER, trace_state._TRACER_PROVIDER_SET_ONCE = None, Once()
    metrics_state._METER_PROVIDER, metrics_state._METER_PROVIDER_SET_ONCE = None, Once()
    try:
        yield
    finally:
        (trace_state._TRACER_PROVIDER, trace_state._TRACER_PROVIDER_SET_ONCE,
         metrics_state._METER_PROVIDER, metrics_state._METER_PROVIDER_SET_ONCE) = saved


def call(model: str = "gpt-4o-mini") -> Any:
    """One offline LiteLLM call (mock_response: no network)."""
    return litellm.completion(model=model, messages=MESSAGES, mock_response="ok")


def patched() -> bool:
    """Whether litellm.completion is currently wrapped."""
    return isinstance(litellm.completion, wrapt.FunctionWrapper)


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def span_exporters(built: Pipeline) -> list[Any]:
    """The span exporters setup() wired in (through the SDK's processors)."""
    assert built.tracer_provider is not None
    found = []
    for processor in built.tracer_provider._active_span_processor._span_processors:
        inner = getattr(processor, "_batch_processor", None)
        exporter = getattr(inner, "_exporter", None) or getattr(processor, "span_exporter", None)
        found.append(getattr(exporter, "inner", exporter))  # unwrap PostProcessingExporter
    return found


def metric_exporters(built: Pipeline) -> list[Any]:
    """The metric exporters behind setup()'s periodic readers."""
    assert built.meter_provider is not None
    return [reader._exporter for reader in built.meter_provider._metric_readers if hasattr(reader, "_exporter")]


def wire(exporter: Any) -> tuple[str, dict[str, str], float]:
    """(endpoint, headers, timeout) of an OTLP exporter, HTTP or gRPC, across SDK versions."""
    holder = getattr(exporter, "_client", None)
    if not hasattr(holder, "_headers"):
        holder = exporter
    headers = holder._headers or {}
    return exporter._endpoint, dict(headers), float(holder._timeout)


# --- the embedded store, the console, several at once ---


def test_sqlite_store_receives_the_span_and_metric_points(start, tmp_path):
    db = tmp_path / "store.db"
    built = start(exporter="sqlite", store_path=str(db), service_name="setup-test")
    assert (built.exporters, built.store_path) == (["sqlite"], str(db))
    assert patched()

    response = call()
    assert response.choices[0].message.content == "ok"
    drain()
    built.shutdown()

    (span,) = load_spans(db, with_attributes=True)
    assert (span.name, span.operation, span.request_model) == ("chat gpt-4o-mini", "chat", "gpt-4o-mini")
    assert span.service_name == "setup-test"
    assert span.cost_usd == pytest.approx(litellm.completion_cost(response))
    assert span.attributes["llm.vendor"] == "litellm"
    names = {point.name for point in load_metric_points(db)}
    assert {DURATION, TOKENS} <= names
    (duration,) = load_metric_points(db, name=DURATION)
    assert duration.count == 1 and duration.attributes["gen_ai.request.model"] == "gpt-4o-mini"
    # shutdown() also un-patches LiteLLM: later calls are not sent into a stopped pipeline.
    assert not patched()
    call()


def test_default_exporter_is_the_store_at_litetrace_db(start, tmp_path, monkeypatch):
    db = tmp_path / "from-env.db"
    monkeypatch.setenv("LITETRACE_DB", str(db))
    built = start()
    assert (built.exporters, built.store_path) == (["sqlite"], str(db))
    call()
    drain()
    built.shutdown()
    assert [span.name for span in load_spans(db)] == ["chat gpt-4o-mini"]


def test_console_prints_the_span_and_metrics(start, capsys):
    built = start(exporter="console")
    call()
    drain()
    built.shutdown()
    out = capsys.readouterr().out
    assert '"name": "chat gpt-4o-mini"' in out
    assert '"llm.request.model": "gpt-4o-mini"' in out
    assert DURATION in out


@pytest.mark.parametrize("exporter", ["sqlite, console", ["console", "sqlite", "none"]])
def test_several_exporters_each_receive_the_span(start, tmp_path, capsys, exporter):
    db = tmp_path / "store.db"
    built = start(exporter=exporter, store_path=str(db))
    assert {"sqlite", "console"} <= set(built.exporters)
    call()
    drain()
    built.shutdown()
    assert [span.name for span in load_spans(db)] == ["chat gpt-4o-mini"]
    assert capsys.readouterr().out.count('"name": "chat gpt-4o-mini"') == 1
    assert load_metric_points(db, name=DURATION)


def test_unknown_exporter_is_refused_before_anything_is_patched(start):
    with pytest.raises(ValueError, match="unknown exporter 'jaeger'"):
        start(exporter="sqlite,jaeger")
    assert not patched()


# --- off switch, post-processing, globals ---


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_disabled_is_a_no_op(start, tmp_path, monkeypatch, how):
    db = tmp_path / "never.db"
    before = trace.get_tracer_provider()
    if how == "environment":
        monkeypatch.setenv("LITETRACE_ENABLED", "false")
        built = start(store_path=str(db))
    else:
        built = start(enabled=False, store_path=str(db))
    assert (built.tracer_provider, built.meter_provider, built.instrumentor) == (None, None, None)
    assert not patched()
    assert call().choices[0].message.content == "ok"
    built.shutdown()
    assert not db.exists()
    assert trace.get_tracer_provider() is before


def test_enabled_argument_wins_over_the_environment(start, tmp_path, monkeypatch):
    monkeypatch.setenv("LITETRACE_ENABLED", "false")
    built = start(enabled=True, exporter="none")
    assert built.instrumentor is not None and patched()


def test_span_postprocess_drops_and_keeps_spans(start, tmp_path):
    db = tmp_path / "store.db"
    seen: list[str] = []

    def only_mini(span: ReadableSpan) -> ReadableSpan | None:
        seen.append(span.name)
        return span if span.attributes.get("llm.request.model") == "gpt-4o-mini" else None

    built = start(exporter="sqlite", store_path=str(db), span_postprocess=only_mini)
    call("gpt-4o-mini")
    call("gpt-4o")
    drain()
    built.shutdown()
    assert sorted(seen) == ["chat gpt-4o", "chat gpt-4o-mini"]
    assert [span.request_model for span in load_spans(db)] == ["gpt-4o-mini"]


def test_a_raising_postprocess_loses_no_span(start, tmp_path):
    db = tmp_path / "store.db"
    calls: list[str] = []

    def broken(span: ReadableSpan) -> ReadableSpan | None:
        calls.append(span.name)
        raise RuntimeError("user bug in span_postprocess")

    built = start(exporter="sqlite", store_path=str(db), span_postprocess=broken, batch=False)
    assert call().choices[0].message.content == "ok"
    drain()
    built.shutdown()
    assert calls == ["chat gpt-4o-mini"]
    assert [span.name for span in load_spans(db)] == ["chat gpt-4o-mini"]


def test_set_global_false_leaves_the_global_providers_alone(start, fresh_globals):
    tracer_before, meter_before = trace.get_tracer_provider(), metrics.get_meter_provider()
    built = start(exporter="none")  # set_global defaults to False
    assert trace.get_tracer_provider() is tracer_before
    assert metrics.get_meter_provider() is meter_before
    assert built.tracer_provider is not tracer_before


def test_set_global_true_installs_both_providers(start, fresh_globals):
    built = start(exporter="none", set_global=True)
    assert trace.get_tracer_provider() is built.tracer_provider
    assert metrics.get_meter_provider() is built.meter_provider


# --- OTLP: LiteLLM's environment variables, and a collector that is not there ---


@pytest.mark.parametrize("endpoint_suffix", ["", "/v1/traces"])
def test_litellm_otel_env_builds_an_otlp_http_exporter(start, monkeypatch, endpoint_suffix):
    port = closed_port()
    monkeypatch.setenv("OTEL_EXPORTER", "otlp_http")
    monkeypatch.setenv("OTEL_ENDPOINT", f"http://127.0.0.1:{port}{endpoint_suffix}")
    monkeypatch.setenv("OTEL_HEADERS", "api-key=secret,x-team=llm")
    built = start()
    assert built.exporters == ["otlp"]

    (spans,) = span_exporters(built)
    assert type(spans).__module__.startswith("opentelemetry.exporter.otlp.proto.http")
    endpoint, headers, timeout = wire(spans)
    assert endpoint == f"http://127.0.0.1:{port}/v1/traces"
    assert headers.items() >= {"api-key": "secret", "x-team": "llm"}.items()
    assert timeout <= 10

    (metric,) = metric_exporters(built)
    endpoint, headers, _ = wire(metric)
    assert endpoint == f"http://127.0.0.1:{port}/v1/metrics"
    assert headers.items() >= {"api-key": "secret", "x-team": "llm"}.items()


def test_litellm_otel_env_builds_an_otlp_grpc_exporter(start, monkeypatch):
    port = closed_port()
    monkeypatch.setenv("OTEL_EXPORTER", "otlp_grpc")
    monkeypatch.setenv("OTEL_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("OTEL_HEADERS", "api-key=secret")
    built = start()
    assert built.exporters == ["otlp"]
    for exporter in (*span_exporters(built), *metric_exporters(built)):
        assert type(exporter).__module__.startswith("opentelemetry.exporter.otlp.proto.grpc")
        endpoint, headers, _ = wire(exporter)
        assert endpoint == f"127.0.0.1:{port}"
        assert headers == {"api-key": "secret"}


def test_standard_otlp_variables_win_over_litellms(start, monkeypatch):
    port, other = closed_port(), closed_port()
    monkeypatch.setenv("OTEL_EXPORTER", "otlp_http")
    monkeypatch.setenv("OTEL_ENDPOINT", f"http://127.0.0.1:{other}")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{port}")
    built = start()
    (spans,) = span_exporters(built)
    assert wire(spans)[0] == f"http://127.0.0.1:{port}/v1/traces"


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_a_dead_collector_never_holds_up_the_users_calls(start, protocol, caplog):
    built = start(exporter="otlp", otlp_endpoint=f"http://127.0.0.1:{closed_port()}", otlp_protocol=protocol,
                  metric_export_interval_ms=200)
    durations = []
    for _ in range(5):
        started = time.monotonic()
        response = call()  # no exception reaches the caller
        durations.append(time.monotonic() - started)
        assert response.choices[0].message.content == "ok"
        time.sleep(0.1)  # let the exporters try (and fail) in the background meanwhile
    drain()
    assert max(durations) < 1.0, durations
    assert statistics.median(durations) < 0.2, durations

    started = time.monotonic()
    built.shutdown()
    assert time.monotonic() - started < SHUTDOWN_BOUND_S
    assert not patched()
    assert call().choices[0].message.content == "ok"


def test_prometheus_exporter_serves_and_frees_its_port(start, monkeypatch):
    import urllib.request

    port = closed_port()
    monkeypatch.setenv("LITETRACE_PROMETHEUS_PORT", str(port))
    for _ in range(2):  # the second setup() binds the same port: shutdown() released it
        built = start(exporter="prometheus")
        call()
        drain()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
            page = reply.read().decode()
        assert 'gen_ai_client_operation_duration_seconds_count{' in page
        built.shutdown()
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5)

