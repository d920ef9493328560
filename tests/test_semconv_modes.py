"""``semconv=stable|current|both``: span names, gen_ai attributes and metric names/units/buckets per mode."""

from __future__ import annotations

from typing import Any

import litellm
import pytest
from litellm.types.utils import ModelResponse, Usage
from support import MESSAGES, drain, ours

from litetrace.attributes import genai_names as g
from litetrace.attributes.conventions import SEMCONV_ENV, resolve_mode
from litetrace.settings import Settings

STABLE_FINGERPRINT = "gen_ai.openai.response.system_fingerprint"
CURRENT_FINGERPRINT = "openai.response.system_fingerprint"
STABLE_DURATION = "gen_ai.client.operation.duration"
STABLE_TOKENS = "gen_ai.client.token.usage"
STABLE_TTFC = "gen_ai.client.operation.time_to_first_chunk"
STABLE_BUCKETS_END = 60.0
NEW_ONLY = (
    "gen_ai.request.top_k", g.REQUEST_REASONING_LEVEL, g.REQUEST_PREVIOUS_RESPONSE_ID, "gen_ai.output.type",
    g.USAGE_CACHE_WRITE_INPUT_TOKENS, g.USAGE_COST_AMOUNT, g.USAGE_COST_CURRENCY, g.USAGE_COST_SOURCE,
)  # fmt: skip


def mocked_response() -> ModelResponse:
    usage = Usage(
        prompt_tokens=10, completion_tokens=5, total_tokens=15, cache_creation_input_tokens=3, cache_read_input_tokens=2
    )
    return ModelResponse(
        id="chatcmpl-1",
        model="gpt-4o-mini",
        system_fingerprint="fp_123",
        choices=[{"message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        usage=usage,
    )


def chat(**kwargs: Any) -> Any:
    return litellm.completion(
        model="gpt-4o-mini", messages=MESSAGES, mock_response=mocked_response(), top_k=40, reasoning_effort="low",
        previous_response_id="resp_1", response_format={"type": "json_object"}, drop_params=True, **kwargs,
    )  # fmt: skip


def embed() -> Any:
    return litellm.embedding(model="text-embedding-3-small", input=["a"], mock_response=[0.1, 0.2])


def spans_by_operation(telemetry: Any) -> dict[str, Any]:
    drain()
    return {span.attributes["llm.request.type"]: span for span in ours(telemetry)}


def histograms(telemetry: Any) -> dict[str, Any]:
    """Metric name -> (unit, bucket bounds or None, points)."""
    found: dict[str, Any] = {}
    data = telemetry.reader.get_metrics_data()
    for resource_metrics in data.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                points = list(metric.data.data_points)
                bounds = tuple(points[0].explicit_bounds) if points and hasattr(points[0], "explicit_bounds") else None
                found[metric.name] = (metric.unit, bounds, points)
    return found


def test_stable_is_the_default_and_keeps_todays_names(monkeypatch, telemetry_factory):
    monkeypatch.delenv(SEMCONV_ENV, raising=False)
    telemetry = telemetry_factory()
    chat()
    embed()
    spans = spans_by_operation(telemetry)
    assert spans["chat"].name == "chat gpt-4o-mini"
    assert spans["embedding"].name == "embedding text-embedding-3-small"
    attrs = spans["chat"].attributes
    assert attrs[STABLE_FINGERPRINT] == "fp_123" and CURRENT_FINGERPRINT not in attrs
    assert not [key for key in NEW_ONLY if key in attrs]
    metrics = histograms(telemetry)
    assert metrics[STABLE_DURATION][0] == "s" and metrics[STABLE_DURATION][1][-1] == STABLE_BUCKETS_END
    assert len(metrics[STABLE_DURATION][2]) == 2  # chat and embedding
    assert metrics[STABLE_TOKENS][0] == "{token}"
    assert not [name for name in metrics if name.startswith(("gen_ai.client.inference", "gen_ai.client.embeddings"))]


def test_current_uses_the_newest_names(telemetry_factory):
    telemetry = telemetry_factory(semconv="current", token_histograms=True)
    chat()
    embed()
    spans = spans_by_operation(telemetry)
    assert spans["chat"].name == "chat gpt-4o-mini"
    assert spans["embedding"].name == "embeddings text-embedding-3-small"
    attrs = spans["chat"].attributes
    assert attrs[CURRENT_FINGERPRINT] == "fp_123" and STABLE_FINGERPRINT not in attrs
    assert attrs["gen_ai.request.top_k"] == 40
    assert attrs[g.REQUEST_REASONING_LEVEL] == "low"
    assert attrs[g.REQUEST_PREVIOUS_RESPONSE_ID] == "resp_1"
    assert attrs["gen_ai.output.type"] == "json"
    assert attrs[g.USAGE_CACHE_WRITE_INPUT_TOKENS] == 3
    assert attrs["gen_ai.usage.cache_read.input_tokens"] == 2
    assert attrs[g.USAGE_COST_AMOUNT] == attrs["llm.usage.cost"] > 0
    assert (attrs[g.USAGE_COST_CURRENCY], attrs[g.USAGE_COST_SOURCE]) == ("USD", "local")
    metrics = histograms(telemetry)
    assert STABLE_DURATION not in metrics and STABLE_TOKENS not in metrics
    for name in (g.INFERENCE_DURATION, g.EMBEDDINGS_DURATION):
        unit, bounds, points = metrics[name]
        assert (unit, bounds, len(points)) == ("s", g.DURATION_BUCKETS, 1)
    for name in (g.OPERATION_INPUT_TOKENS, g.OPERATION_OUTPUT_TOKENS, g.EMBEDDINGS_INPUT_TOKENS):
        unit, bounds, points = metrics[name]
        assert unit == "{token}" and bounds[-1] == 67108864
    assert metrics[g.OPERATION_INPUT_TOKENS][2][0].sum == 10
    input_counter = metrics[g.USAGE_INPUT_TOKENS]
    assert input_counter[0] == "{token}" and input_counter[1] is None  # a counter: no buckets
    assert {p.attributes[g.TOKEN_MODALITY]: p.value for p in input_counter[2]} == {"text": 10}
    assert {p.attributes[g.TOKEN_MODALITY]: p.value for p in metrics[g.USAGE_OUTPUT_TOKENS][2]} == {"text": 5}
    assert metrics[g.USAGE_CACHE_READ_TOKENS][2][0].value == 2
    assert metrics[g.USAGE_CACHE_WRITE_TOKENS][2][0].value == 3


def test_both_emits_each_name_once(telemetry_factory):
    telemetry = telemetry_factory(semconv="both")
    chat()
    embed()
    spans = spans_by_operation(telemetry)
    assert spans["embedding"].name == "embeddings text-embedding-3-small"
    attrs = spans["chat"].attributes
    assert attrs[STABLE_FINGERPRINT] == attrs[CURRENT_FINGERPRINT] == "fp_123"
    assert all(key in attrs for key in NEW_ONLY)
    metrics = histograms(telemetry)
    assert len(metrics[STABLE_DURATION][2]) == 2 and metrics[STABLE_DURATION][1][-1] == STABLE_BUCKETS_END
    assert metrics[g.INFERENCE_DURATION][2][0].count == 1
    assert metrics[g.EMBEDDINGS_DURATION][2][0].count == 1
    assert sum(p.count for p in metrics[STABLE_TOKENS][2]) == 4


def test_llm_attributes_are_the_same_in_every_mode(telemetry_factory):
    seen = {}
    for mode in ("stable", "current", "both"):
        telemetry = telemetry_factory(semconv=mode)
        chat()
        attrs = spans_by_operation(telemetry)["chat"].attributes
        seen[mode] = {key: value for key, value in attrs.items() if key.startswith("llm.") and key != "llm.litellm.call_id"}
        telemetry.instrumentor.uninstrument()
    assert seen["stable"] == seen["current"] == seen["both"]


def test_current_records_token_counters_and_leaves_the_histograms_to_a_setting(telemetry_factory):
    telemetry = telemetry_factory(semconv="current")
    chat()
    embed()
    drain()
    metrics = histograms(telemetry)
    assert {p.attributes[g.TOKEN_MODALITY]: p.value for p in metrics[g.USAGE_INPUT_TOKENS][2]} == {"text": 10}
    assert metrics[g.INFERENCE_DURATION][2][0].count == 1
    assert not {g.OPERATION_INPUT_TOKENS, g.OPERATION_OUTPUT_TOKENS, g.EMBEDDINGS_INPUT_TOKENS} & set(metrics)


def test_token_histograms_come_from_the_environment(monkeypatch):
    from litetrace.settings import TOKEN_HISTOGRAMS_ENV

    monkeypatch.setenv(TOKEN_HISTOGRAMS_ENV, "on")
    assert Settings.resolve().token_histograms is True
    assert Settings.resolve(token_histograms=False).token_histograms is False
    with pytest.raises((TypeError, ValueError), match="token_histograms"):
        Settings.resolve(token_histograms="sometimes")


def test_failed_call_records_zero_tokens_as_the_newest_conventions_say(telemetry_factory):
    """semantic-conventions-genai #536: every inference call, failed ones included, adds to the
    usage counters (0 under ``unknown`` when no usage came, no error.type) and records the
    per-call histograms (0, with error.type)."""
    telemetry = telemetry_factory(semconv="current", token_histograms=True)
    with pytest.raises(litellm.exceptions.InternalServerError) as caught:
        litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("boom"))
    drain()
    metrics = histograms(telemetry)
    error = type(caught.value).__name__
    (point,) = metrics[g.INFERENCE_DURATION][2]
    assert point.attributes["error.type"] == error
    for name in (g.OPERATION_INPUT_TOKENS, g.OPERATION_OUTPUT_TOKENS):
        (point,) = metrics[name][2]
        assert (point.count, point.sum, point.attributes["error.type"]) == (1, 0, error)
    for name in (g.USAGE_INPUT_TOKENS, g.USAGE_OUTPUT_TOKENS):
        (point,) = metrics[name][2]
        assert (point.value, point.attributes[g.TOKEN_MODALITY]) == (0, "unknown")
        assert "error.type" not in point.attributes


@pytest.mark.parametrize("include_usage", [True, False])
def test_a_streams_tokens_are_recorded_once(telemetry_factory, include_usage):
    """Without include_usage a stream's usage comes only with LiteLLM's callback after the last
    chunk: the histograms get one point per call (the count, not a zero and then the count)."""
    telemetry = telemetry_factory(semconv="current", token_histograms=True)
    options = {"stream_options": {"include_usage": True}} if include_usage else {}
    stream = litellm.completion(
        model="gpt-4o-mini", messages=MESSAGES, mock_response="a b c d e", stream=True, **options
    )
    assert sum(1 for _ in stream) > 2
    drain()  # LiteLLM's callback, which brings the usage it counted when the chunks had none
    telemetry.instrumentor.flush()
    metrics = histograms(telemetry)
    (span,) = [s for s in ours(telemetry) if s.attributes.get("llm.request.type") == "chat"]
    prompt = span.attributes["llm.usage.prompt_tokens"]
    assert prompt > 0
    (point,) = metrics[g.OPERATION_INPUT_TOKENS][2]
    assert (point.count, point.sum) == (1, prompt)
    assert sum(p.value for p in metrics[g.USAGE_INPUT_TOKENS][2]) == prompt


def test_streams_record_the_newest_chunk_metrics(telemetry_factory):
    telemetry = telemetry_factory(semconv="current", chunk_gap_metrics=True)
    stream = litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="a b c d e", stream=True)
    chunks = sum(1 for _ in stream)
    telemetry.instrumentor.flush()
    metrics = histograms(telemetry)
    assert STABLE_TTFC not in metrics
    unit, bounds, (point,) = metrics[g.INFERENCE_TIME_TO_FIRST_CHUNK]
    assert (unit, bounds, point.count) == ("s", g.DURATION_BUCKETS, 1)
    (gaps,) = metrics[g.INFERENCE_TIME_PER_OUTPUT_CHUNK][2]
    assert gaps.count == chunks - 1


def test_stream_without_chunk_gap_metrics_records_one_mean_gap(telemetry_factory):
    telemetry = telemetry_factory(semconv="current")
    stream = litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="a b c d e", stream=True)
    assert sum(1 for _ in stream) > 2
    telemetry.instrumentor.flush()
    assert histograms(telemetry)[g.INFERENCE_TIME_PER_OUTPUT_CHUNK][2][0].count == 1


def test_modality_breakdown_splits_the_token_counters():
    from opentelemetry import trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    from litetrace.metrics import Instruments

    reader = InMemoryMetricReader()
    instruments = Instruments(MeterProvider(metric_readers=[reader]).get_meter("t"), "current")
    attrs = {
        "llm.request.type": "chat", "llm.usage.prompt_tokens": 300, "llm.usage.completion_tokens": 50,
        g.MODALITY_TOKENS["text", "input"]: 100, g.MODALITY_TOKENS["image", "input"]: 150,
    }  # fmt: skip
    instruments.record_call(0.5, attrs, None, False, trace.set_span_in_context(trace.INVALID_SPAN))
    points = {}
    for rm in reader.get_metrics_data().resource_metrics:
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                points[metric.name] = {p.attributes.get(g.TOKEN_MODALITY): getattr(p, "value", None) for p in metric.data.data_points}
    # 100 text + 150 image reported, 50 not broken down: unknown.
    assert points[g.USAGE_INPUT_TOKENS] == {"text": 100, "image": 150, "unknown": 50}
    assert points[g.USAGE_OUTPUT_TOKENS] == {"text": 50}


def test_mode_comes_from_the_environment_and_is_checked(monkeypatch):
    monkeypatch.setenv(SEMCONV_ENV, "Current")
    assert Settings.resolve().semconv == "current"
    assert Settings.resolve(semconv="both").semconv == "both"
    monkeypatch.delenv(SEMCONV_ENV)
    assert resolve_mode(None) == "stable"
    with pytest.raises(ValueError, match="semconv"):
        resolve_mode("latest")
