"""The instruments litetrace records: GenAI semantic-convention metrics plus chunk rate and cost."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from typing import Any

from opentelemetry.context import Context
from opentelemetry.metrics import CallbackOptions, Histogram, Meter, Observation
from opentelemetry.semconv._incubating.metrics import gen_ai_metrics

from litetrace.attributes import names as n
from litetrace.attributes import semconv
from litetrace.attributes.conventions import BOTH, CURRENT, STABLE
from litetrace.metrics_current import CurrentInstruments
from litetrace.tracing import conventions

CACHE_LOOKUPS = "llm.cache.lookups"

# LLM latencies span 10 ms .. 60 s; the SDK's default buckets (0..10 000) do not fit seconds.
DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 60.0)
CHUNK_GAP_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56)
TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304)
# Distinct dimension sets kept; beyond it the cache starts over (the SDK has its own cardinality limit).
MAX_DIMENSION_SETS = 1024
RATE_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)


class Instruments:
    """Histograms and counters, created once per meter.

    Recording is the SDK's work, costlier than litetrace's own per measurement and growing
    with each dimension, so the per-call path keeps measurements few: dimension dicts are
    built once per distinct set and reused, and cost is an asynchronous counter whose
    running totals the SDK reads at collection time instead of one ``add`` per call.
    """

    def __init__(
        self, meter: Meter, mode: str = STABLE, workflow_dimension: bool = False, token_histograms: bool = False
    ) -> None:
        self.workflow_dimension = workflow_dimension
        def histogram(name: str, unit: str, description: str, buckets: tuple[float, ...]) -> Histogram:
            return meter.create_histogram(
                name, unit=unit, description=description, explicit_bucket_boundaries_advisory=buckets
            )

        # The stable set (today's names) and/or the newest conventions' set, by mode.
        self.stable = mode in (STABLE, BOTH)
        self.current = CurrentInstruments(meter, self.stable, token_histograms) if mode in (CURRENT, BOTH) else None
        if self.stable:
            self.duration = histogram(
                gen_ai_metrics.GEN_AI_CLIENT_OPERATION_DURATION, "s", "GenAI operation duration", DURATION_BUCKETS
            )
            self.tokens = histogram(
                gen_ai_metrics.GEN_AI_CLIENT_TOKEN_USAGE, "{token}", "Number of input and output tokens used", TOKEN_BUCKETS
            )
            self.time_to_first_chunk = histogram(
                gen_ai_metrics.GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
                "s",
                "Time from the call's start to the first chunk handed to the caller",
                DURATION_BUCKETS,
            )
            self.time_per_chunk = histogram(
                gen_ai_metrics.GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK,
                "s",
                "Time between consecutive chunks after the first",
                CHUNK_GAP_BUCKETS,
            )
        self.chunk_rate = histogram(n.CHUNKS_PER_SECOND, "{chunk}/s", "Chunks per second of a streamed response", RATE_BUCKETS)
        self.router_retries = meter.create_counter(
            n.ROUTER_RETRIES, unit="{attempt}", description="Router retries (another attempt on the same model group)")
        self.router_fallbacks = meter.create_counter(
            n.ROUTER_FALLBACKS, unit="{attempt}", description="Router fallbacks (an attempt on another model group)")
        self.cache_lookups = meter.create_counter(
            CACHE_LOOKUPS, unit="{call}", description="Calls that looked in LiteLLM's cache, by llm.cache_hit (true: hit)")
        self._lock = threading.Lock()
        # dimension key -> (dims, dims + input token type, dims + output token type)
        self._dims: dict[tuple[Any, ...], tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {}
        # dimension key -> [dims, running cost total in USD]
        self._cost_totals: dict[tuple[Any, ...], list[Any]] = {}
        self.cost = meter.create_observable_counter(
            n.COST, callbacks=[self._observe_cost], unit="USD", description="Cost of LiteLLM calls (LiteLLM's cost map)"
        )

    def _dimension_sets(
        self, attrs: dict[str, Any], error_type: str | None, streaming: bool
    ) -> tuple[tuple[Any, ...], tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
        key = (
            attrs.get(n.REQUEST_TYPE) or "",
            streaming,
            attrs.get(n.PROVIDER) or None,
            attrs.get(n.REQUEST_MODEL) or None,
            attrs.get(n.RESPONSE_MODEL) or None,
            error_type or None,
            attrs.get(n.WORKFLOW_NAME) if self.workflow_dimension else None,
        )
        sets = self._dims.get(key)
        if sets is None:
            dims = _dimensions(*key)
            sets = (dims, {**dims, semconv.TOKEN_TYPE: "input"}, {**dims, semconv.TOKEN_TYPE: "output"})
            if len(self._dims) >= MAX_DIMENSION_SETS:  # a model name per request would grow it without end
                self._dims.clear()
            self._dims[key] = sets
        return key, sets

    def dimensions(self, attrs: dict[str, Any], error_type: str | None, streaming: bool) -> dict[str, Any]:
        """Low-cardinality metric attributes taken from a span's attributes (shared: do not mutate)."""
        return self._dimension_sets(attrs, error_type, streaming)[1][0]

    def record_call(
        self, duration_s: float, attrs: dict[str, Any], error_type: str | None, streaming: bool, context: Context,
        tokens_pending: bool = False,
    ) -> None:  # fmt: skip
        """Duration, token usage and cost of one finished call.

        ``context`` holds the call's span (its exemplars' trace and span ids): the caller's
        own context is current by now, and would link the points to a parent span or none.
        ``tokens_pending``: the call has no usage yet and LiteLLM's callback may bring it
        (``record_late`` then records the tokens, or the newest conventions' zero).
        """
        key, (dims, input_dims, output_dims) = self._dimension_sets(attrs, error_type, streaming)
        if self.stable:
            self.duration.record(duration_s, dims, context)
            self._record_tokens(attrs, input_dims, output_dims, context)
        if self.current is not None:
            self.current.record_call(duration_s, attrs, key, dims, error_type is not None, context, tokens_pending)
        self._add_cost(attrs.get(n.COST), key, dims)
        cache_hit = attrs.get(n.CACHE_HIT)
        if cache_hit is None and getattr(sys.modules.get("litellm"), "cache", None) is not None:
            cache_hit = False  # LiteLLM marks hits only; with its cache on, an unmarked call was a miss
        if cache_hit is not None:
            self.cache_lookups.add(1, {**dims, n.CACHE_HIT: bool(cache_hit)}, context=context)

    def record_late(self, attrs: dict[str, Any], streaming: bool, tokens: bool, context: Context) -> None:
        """Cost (and, with ``tokens``, token usage) that arrived after a call's other metrics:
        a stream's, from LiteLLM's callback."""
        key, (dims, input_dims, output_dims) = self._dimension_sets(attrs, None, streaming)
        if tokens and self.stable:
            self._record_tokens(attrs, input_dims, output_dims, context)
        if tokens and self.current is not None:
            self.current.record_tokens(attrs, key, dims, False, context)
        self._add_cost(attrs.get(n.COST), key, dims)

    def _record_tokens(
        self, attrs: dict[str, Any], input_dims: dict[str, Any], output_dims: dict[str, Any], context: Context
    ) -> None:
        prompt = attrs.get(n.USAGE_PROMPT)
        if prompt is not None:
            self.tokens.record(prompt, input_dims, context)
        completion = attrs.get(n.USAGE_COMPLETION)
        if completion is not None:
            self.tokens.record(completion, output_dims, context)

    def _add_cost(self, cost: Any, key: tuple[Any, ...], dims: dict[str, Any]) -> None:
        if not isinstance(cost, (int, float)) or isinstance(cost, bool) or not cost > 0:
            return
        with self._lock:
            total = self._cost_totals.get(key)
            if total is None:
                self._cost_totals[key] = [dims, cost]
            else:
                total[1] += cost

    def _observe_cost(self, _options: CallbackOptions) -> Iterable[Observation]:
        with self._lock:
            totals = [(dims, total) for dims, total in self._cost_totals.values()]
        return [Observation(total, dims) for dims, total in totals]

    def record_router(self, retries: int, fallbacks: int, attrs: dict[str, Any], context: Context) -> None:
        """A Router call's retries and fallbacks (only calls with a failed attempt come here)."""
        dims = self.dimensions(attrs, None, bool(attrs.get(n.STREAMING)))
        if retries > 0:
            self.router_retries.add(retries, dims, context=context)
        if fallbacks > 0:
            self.router_fallbacks.add(fallbacks, dims, context=context)

    def record_stream(
        self, ttft_s: float | None, gaps_s: list[float], rate: float | None, dims: dict[str, Any], context: Context
    ) -> None:
        """Time to first chunk, time per chunk (each gap, or one mean gap) and chunk rate of one stream."""
        if self.stable:
            if ttft_s is not None:
                self.time_to_first_chunk.record(ttft_s, dims, context)
            for gap in gaps_s:
                self.time_per_chunk.record(gap, dims, context)
        if self.current is not None:
            self.current.record_stream(ttft_s, gaps_s, dims, context)
        if rate is not None:
            self.chunk_rate.record(rate, dims, context)


def _dimensions(
    operation: str, streaming: bool, provider: str | None, model: str | None, response_model: str | None,
    error_type: str | None, workflow: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    dims: dict[str, Any] = {semconv.OPERATION_NAME: semconv.operation_name(operation), n.STREAMING: streaming}
    if provider:
        dims[semconv.PROVIDER_NAME] = semconv.provider_name(provider)
    if model:
        dims[semconv.REQUEST_MODEL] = model
    if response_model:
        dims[semconv.RESPONSE_MODEL] = response_model
    if error_type:
        dims[semconv.ERROR_TYPE] = error_type
    if workflow:
        dims[conventions.WORKFLOW_NAME] = workflow
    return dims
