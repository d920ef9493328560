"""The metrics of the newest GenAI conventions (``semconv="current"`` or ``"both"``).

Inference calls (chat, text completion, responses) go to ``gen_ai.client.inference.*``,
embeddings to ``gen_ai.client.embeddings.*``, other operations stay on
``gen_ai.client.operation.duration``. Tokens, as ``gen-ai-token-metrics.md`` says since #536:
every inference call, failed ones included, adds to the monotonic usage counters per
``gen_ai.token.modality`` (``0`` under ``unknown`` when no usage came) and, with
``token_histograms``, records the per-call histograms (``error.type`` on failed calls; ``0``
without usage). The histograms are opt-in: two more SDK records per call (about 100 k
instructions each) for percentiles the counters cannot give.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.context import Context
from opentelemetry.metrics import Counter, Histogram, Meter
from opentelemetry.semconv._incubating.metrics import gen_ai_metrics

from litetrace.attributes import genai_names as g
from litetrace.attributes import names as n
from litetrace.attributes.conventions import INFERENCE
from litetrace.attributes.semconv import ERROR_TYPE

_MAX_MODAL_SETS = 4096


class CurrentInstruments:
    """Instruments under the newest names; ``with_stable``: the stable set records the rest."""

    def __init__(self, meter: Meter, with_stable: bool, token_histograms: bool = False) -> None:
        def histogram(name: str, unit: str, description: str, buckets: tuple[float, ...]) -> Histogram:
            return meter.create_histogram(name, unit=unit, description=description, explicit_bucket_boundaries_advisory=buckets)

        def counter(name: str, description: str) -> Counter:
            return meter.create_counter(name, unit="{token}", description=description)

        inference = histogram(g.INFERENCE_DURATION, "s", "GenAI client inference operation duration", g.DURATION_BUCKETS)
        embeddings = histogram(g.EMBEDDINGS_DURATION, "s", "GenAI client embeddings operation duration", g.DURATION_BUCKETS)
        # Operation -> duration histogram. Under "both" the stable set already records the
        # operations that keep gen_ai.client.operation.duration: recording them here too would count them twice.
        self._durations: dict[str, Histogram | None] = {op: inference for op in INFERENCE}
        self._durations["embedding"] = embeddings
        self._other: Histogram | None = None if with_stable else histogram(
            gen_ai_metrics.GEN_AI_CLIENT_OPERATION_DURATION, "s", "GenAI operation duration", g.DURATION_BUCKETS
        )
        self.input_tokens = counter(g.USAGE_INPUT_TOKENS, "Input tokens used, including cached tokens")
        self.output_tokens = counter(g.USAGE_OUTPUT_TOKENS, "Output tokens used, including reasoning tokens")
        self.cache_read = counter(g.USAGE_CACHE_READ_TOKENS, "Input tokens served from a provider-managed cache")
        self.cache_write = counter(g.USAGE_CACHE_WRITE_TOKENS, "Input tokens written to a provider-managed cache")
        self.reasoning = counter(g.USAGE_REASONING_TOKENS, "Output tokens used for reasoning")
        self.token_histograms = token_histograms
        self.call_input = histogram(g.OPERATION_INPUT_TOKENS, "{token}", "Input tokens per inference operation", g.TOKEN_BUCKETS)
        self.call_output = histogram(g.OPERATION_OUTPUT_TOKENS, "{token}", "Output tokens per inference operation", g.TOKEN_BUCKETS)
        self.embedding_input = histogram(
            g.EMBEDDINGS_INPUT_TOKENS, "{token}", "Input tokens per embeddings operation", g.TOKEN_BUCKETS
        )
        self.time_to_first_chunk = histogram(
            g.INFERENCE_TIME_TO_FIRST_CHUNK, "s", "Time from the request to the first chunk", g.DURATION_BUCKETS
        )
        self.time_per_chunk = histogram(
            g.INFERENCE_TIME_PER_OUTPUT_CHUNK, "s", "Time between consecutive chunks after the first", g.DURATION_BUCKETS
        )
        # (dimension key, modality) -> dims + gen_ai.token.modality (without error.type: the
        # counters do not carry it), built once per set.
        self._modal: dict[tuple[Any, ...], dict[str, Any]] = {}

    def record_call(
        self, duration_s: float, attrs: dict[str, Any], key: tuple[Any, ...], dims: dict[str, Any], failed: bool,
        context: Context, tokens_pending: bool = False,
    ) -> None:  # fmt: skip
        """Duration and tokens of one finished call; ``tokens_pending``: its usage may still come
        with LiteLLM's callback (a stream), so its tokens are left to ``record_tokens`` then."""
        operation = key[0]
        duration = self._durations.get(operation, self._other)
        if duration is not None:
            duration.record(duration_s, dims, context)
        if not tokens_pending:
            self.record_tokens(attrs, key, dims, failed, context)

    def record_tokens(
        self, attrs: dict[str, Any], key: tuple[Any, ...], dims: dict[str, Any], failed: bool, context: Context
    ) -> None:
        """Token counters and (with ``token_histograms``) per-call histograms of one call."""
        operation = key[0]
        prompt = attrs.get(n.USAGE_PROMPT)
        if operation == "embedding":
            if prompt is not None and not failed and self.token_histograms:
                self.embedding_input.record(prompt, dims, context)
            return
        if operation not in INFERENCE:
            return
        completion = attrs.get(n.USAGE_COMPLETION)
        if self.token_histograms:
            self.call_input.record(prompt or 0, dims, context)
            self.call_output.record(completion or 0, dims, context)
        input_modality = "text" if attrs.get(n.REQ_MULTIMODAL) is False or operation == "text_completion" else "unknown"
        self._by_modality(self.input_tokens, prompt, attrs, "input", input_modality, key, dims, context)
        self._by_modality(self.output_tokens, completion, attrs, "output", "text", key, dims, context)
        for count_key, counter, modality in (
            (n.USAGE_CACHED, self.cache_read, input_modality),
            (g.USAGE_CACHE_WRITE_INPUT_TOKENS, self.cache_write, input_modality),
            (n.USAGE_REASONING, self.reasoning, "text"),
        ):
            count = attrs.get(count_key)
            if count:
                counter.add(count, self._modal_dims(key, dims, modality), context)

    def _by_modality(
        self, counter: Counter, total: int | None, attrs: dict[str, Any], side: str, default: str,
        key: tuple[Any, ...], dims: dict[str, Any], context: Context,
    ) -> None:  # fmt: skip
        """Split a total by the modality counts the provider reported; the rest under ``default``
        when nothing was broken down, else under ``unknown``. No usage at all: ``0`` under ``unknown``."""
        if total is None:
            counter.add(0, self._modal_dims(key, dims, "unknown"), context)
            return
        known = 0
        split = False
        for modality in g.MODALITIES:
            count = attrs.get(g.MODALITY_TOKENS[modality, side])
            if count:
                split = True
                known += count
                counter.add(count, self._modal_dims(key, dims, modality), context)
        rest = total - known
        if rest > 0 or not split:
            counter.add(rest, self._modal_dims(key, dims, "unknown" if split else default), context)

    def _modal_dims(self, key: tuple[Any, ...], dims: dict[str, Any], modality: str) -> dict[str, Any]:
        found = self._modal.get((key, modality))
        if found is None:
            if len(self._modal) >= _MAX_MODAL_SETS:
                self._modal.clear()
            kept = {name: value for name, value in dims.items() if name != ERROR_TYPE}
            found = self._modal[key, modality] = {**kept, g.TOKEN_MODALITY: modality}
        return found

    def record_stream(self, ttft_s: float | None, gaps_s: list[float], dims: dict[str, Any], context: Context) -> None:
        """Time to first chunk and time per output chunk of one stream."""
        if ttft_s is not None:
            self.time_to_first_chunk.record(ttft_s, dims, context)
        for gap in gaps_s:
            self.time_per_chunk.record(gap, dims, context)
