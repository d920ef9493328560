"""The instruments litetrace records: GenAI semantic-convention metrics plus chunk rate and cost."""

from __future__ import annotations

from typing import Any

from opentelemetry.metrics import Meter
from opentelemetry.semconv._incubating.metrics import gen_ai_metrics

from litetrace.attributes import names as n
from litetrace.attributes import semconv

CHUNKS_PER_SECOND = "llm.response.chunks_per_second"
COST = "llm.usage.cost"

# LLM latencies span 10 ms .. 60 s; the SDK's default buckets (0..10 000) do not fit seconds.
DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 60.0)
CHUNK_GAP_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56)
TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304)
RATE_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)


class Instruments:
    """Histograms and counters, created once per meter."""

    def __init__(self, meter: Meter) -> None:
        self.duration = meter.create_histogram(
            gen_ai_metrics.GEN_AI_CLIENT_OPERATION_DURATION,
            unit="s",
            description="GenAI operation duration",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        self.tokens = meter.create_histogram(
            gen_ai_metrics.GEN_AI_CLIENT_TOKEN_USAGE,
            unit="{token}",
            description="Number of input and output tokens used",
            explicit_bucket_boundaries_advisory=TOKEN_BUCKETS,
        )
        self.time_to_first_chunk = meter.create_histogram(
            gen_ai_metrics.GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
            unit="s",
            description="Time from the call's start to the first chunk handed to the caller",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        self.time_per_chunk = meter.create_histogram(
            gen_ai_metrics.GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK,
            unit="s",
            description="Time between consecutive chunks after the first",
            explicit_bucket_boundaries_advisory=CHUNK_GAP_BUCKETS,
        )
        self.chunk_rate = meter.create_histogram(
            CHUNKS_PER_SECOND,
            unit="{chunk}/s",
            description="Chunks per second of a streamed response",
            explicit_bucket_boundaries_advisory=RATE_BUCKETS,
        )
        self.cost = meter.create_counter(COST, unit="USD", description="Cost of LiteLLM calls (LiteLLM's cost map)")

    @staticmethod
    def dimensions(attrs: dict[str, Any], error_type: str | None, streaming: bool) -> dict[str, Any]:
        """Low-cardinality metric attributes taken from a span's attributes."""
        dims: dict[str, Any] = {
            semconv.OPERATION_NAME: semconv.operation_name(attrs.get(n.REQUEST_TYPE, "")),
            n.STREAMING: streaming,
        }
        provider = attrs.get(n.PROVIDER)
        if provider:
            dims[semconv.PROVIDER_NAME] = semconv.provider_name(provider)
        model = attrs.get(n.REQUEST_MODEL)
        if model:
            dims[semconv.REQUEST_MODEL] = model
        response_model = attrs.get(n.RESPONSE_MODEL)
        if response_model:
            dims[semconv.RESPONSE_MODEL] = response_model
        if error_type:
            dims[semconv.ERROR_TYPE] = error_type
        return dims

    def record_call(self, duration_s: float, attrs: dict[str, Any], error_type: str | None, streaming: bool) -> None:
        """Duration, token usage and cost of one finished call."""
        dims = self.dimensions(attrs, error_type, streaming)
        self.duration.record(duration_s, dims)
        prompt = attrs.get(n.USAGE_PROMPT)
        if prompt is not None:
            self.tokens.record(prompt, {**dims, semconv.TOKEN_TYPE: "input"})
        completion = attrs.get(n.USAGE_COMPLETION)
        if completion is not None:
            self.tokens.record(completion, {**dims, semconv.TOKEN_TYPE: "output"})
        self.record_cost(attrs.get(n.COST), dims)

    def record_cost(self, cost: Any, dims: dict[str, Any]) -> None:
        """Add a call's cost, when LiteLLM knew it."""
        if isinstance(cost, (int, float)) and cost > 0:
            self.cost.add(cost, dims)

    def record_stream(self, ttft_s: float | None, gaps_s: float | None, rate: float | None, dims: dict[str, Any]) -> None:
        """Time to first chunk, mean time per chunk and chunk rate of one stream."""
        if ttft_s is not None:
            self.time_to_first_chunk.record(ttft_s, dims)
        if gaps_s is not None:
            self.time_per_chunk.record(gaps_s, dims)
        if rate is not None:
            self.chunk_rate.record(rate, dims)
