"""Metric points carry exemplars that link to the call's own span (Grafana's jump from a
latency bucket to the trace), not to the caller's span and not to nothing."""

from __future__ import annotations

from typing import Any

import litellm
import pytest
from litellm import completion as early_completion  # bound before any instrument(): never patched
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from support import MESSAGES, OPENAI_CHAT, afinished, behave, drain, ours

from litetrace import Instrumentor

CALL_METRICS = ("gen_ai.client.operation.duration", "gen_ai.client.token.usage")
STREAM_METRICS = (
    *CALL_METRICS,
    "gen_ai.client.operation.time_to_first_chunk",
    "gen_ai.client.operation.time_per_output_chunk",
    "llm.response.chunks_per_second",
)


def exemplar_links(telemetry: Any, names: tuple[str, ...]) -> dict[str, set[tuple[int, int]]]:
    """Metric name -> the (trace id, span id) pairs its points' exemplars name."""
    points = telemetry.metrics()
    links: dict[str, set[tuple[int, int]]] = {}
    for name in names:
        assert points.get(name), f"no points for {name}"
        links[name] = {(e.trace_id, e.span_id) for point in points[name] for e in point.exemplars}
    return links


def ids(span: Any) -> tuple[int, int]:
    return span.context.trace_id, span.context.span_id


def test_a_calls_duration_and_token_points_link_to_its_span(telemetry):
    litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="hello there")
    drain()
    (span,) = ours(telemetry)
    links = exemplar_links(telemetry, CALL_METRICS)
    assert links == {name: {ids(span)} for name in CALL_METRICS}


def test_under_a_callers_span_the_points_link_to_the_llm_span_not_the_parent(telemetry):
    with telemetry.tracer_provider.get_tracer("app").start_as_current_span("agent step") as parent:
        litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="hello there")
    drain()
    (span,) = ours(telemetry)
    assert span.parent.span_id == parent.get_span_context().span_id
    links = exemplar_links(telemetry, CALL_METRICS)
    assert links == {name: {ids(span)} for name in CALL_METRICS}


@pytest.mark.asyncio
async def test_a_streams_points_link_to_its_span(telemetry, provider):
    stream = await litellm.acompletion(
        model=OPENAI_CHAT, messages=MESSAGES, api_base=provider.openai_base, api_key="sk-test", stream=True,
        stream_options={"include_usage": True}, extra_headers=behave(chunk_count=5), max_retries=0,
    )  # fmt: skip
    async for _chunk in stream:
        pass
    # The span ends when LiteLLM's stream callback brings the cost; that runs on a thread of
    # LiteLLM's own, which adrain() does not wait for: wait for the span itself.
    await afinished(telemetry)
    (span,) = ours(telemetry)
    links = exemplar_links(telemetry, STREAM_METRICS)
    assert links == {name: {ids(span)} for name in STREAM_METRICS}


def test_a_span_built_by_the_callback_gets_linked_points_too(telemetry):
    """A function imported before instrument(): no wrapper ran; the callback builds the span."""
    early_completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="hello there")
    drain()
    (span,) = ours(telemetry)
    links = exemplar_links(telemetry, CALL_METRICS)
    assert links == {name: {ids(span)} for name in CALL_METRICS}


def test_an_unsampled_call_leaves_no_exemplar():
    """Nothing to link to: the point is recorded, with no exemplar naming a span no backend has."""
    tracer_provider = TracerProvider(sampler=ALWAYS_OFF)
    reader = InMemoryMetricReader()
    instrumentor = Instrumentor()
    instrumentor.instrument(tracer_provider=tracer_provider, meter_provider=MeterProvider(metric_readers=[reader]))
    try:
        litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="hello there")
        drain()
    finally:
        instrumentor.uninstrument()
    (metric,) = [
        metric
        for scope in reader.get_metrics_data().resource_metrics[0].scope_metrics
        for metric in scope.metrics
        if metric.name == "gen_ai.client.operation.duration"
    ]
    assert [point.count for point in metric.data.data_points] == [1]
    assert metric.data.data_points[0].exemplars == []
