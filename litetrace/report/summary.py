"""Per-model aggregates of stored spans: the numbers behind the table and the dashboard."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from litetrace.attributes import names as n
from litetrace.store.reader import SpanRecord
from litetrace.tracing import conventions as md

UNKNOWN_CATEGORY = "unknown"
NO_VALUE = "(none)"

# ``litetrace report --by``: the span attributes each grouping reads (the first one set wins).
# Tags group a call under each of its tags.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "model": (),
    "workflow": (n.WORKFLOW_NAME,),
    "session": (md.SESSION_ID, md.CONVERSATION_ID),
    "user": (md.USER_ID, n.REQ_USER),
    "customer": (n.CUSTOMER_ID,),
    "tag": (n.TAGS,),
    "key": (n.PROXY_KEY_ALIAS,),
    "team": (n.PROXY_TEAM_ALIAS, n.PROXY_TEAM_ID),
    "deployment": (n.MODEL_ID,),
}


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation between closest ranks; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def model_label(provider: str | None, model: str | None) -> str:
    """``provider/model`` as LiteLLM spells it, without repeating a provider already in the name."""
    name = model or "(unknown model)"
    if not provider or name.startswith(f"{provider}/"):
        return name
    return f"{provider}/{name}"


def error_category(span: SpanRecord) -> str:
    """The span's error category, ``unknown`` for a failure litetrace could not classify."""
    return span.error_category or UNKNOWN_CATEGORY


@dataclass(frozen=True)
class ModelSummary:
    """Aggregates of one (provider, model) group; None where no span reported the value."""

    provider: str | None
    model: str | None
    calls: int
    errors: int
    errors_by_category: dict[str, int] = field(default_factory=dict)
    streaming_calls: int = 0
    # Latency is over successful calls: fast failures (401, 429) would flatter it.
    latency_p50: float | None = None
    latency_p95: float | None = None
    ttft_p50: float | None = None
    ttft_p95: float | None = None
    chunks_per_second_median: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost_usd: float | None = None

    @property
    def label(self) -> str:
        """``provider/model`` for display."""
        return model_label(self.provider, self.model)


def _total(values: Iterable[float | int | None]) -> float | int | None:
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def summarize_group(provider: str | None, model: str | None, spans: Sequence[SpanRecord]) -> ModelSummary:
    """Aggregate one group of spans."""
    ok = [span for span in spans if not span.is_error]
    errors = Counter(error_category(span) for span in spans if span.is_error)
    latencies = [span.duration_s for span in ok]
    ttfts = [span.ttft_s for span in spans if span.ttft_s is not None]
    rates = [span.chunks_per_second for span in spans if span.chunks_per_second is not None]
    prompt = _total(span.prompt_tokens for span in spans)
    completion = _total(span.completion_tokens for span in spans)
    cost = _total(span.cost_usd for span in spans)
    return ModelSummary(
        provider=provider,
        model=model,
        calls=len(spans),
        errors=sum(errors.values()),
        errors_by_category=dict(errors.most_common()),
        streaming_calls=sum(1 for span in spans if span.is_streaming),
        latency_p50=percentile(latencies, 50),
        latency_p95=percentile(latencies, 95),
        ttft_p50=percentile(ttfts, 50),
        ttft_p95=percentile(ttfts, 95),
        chunks_per_second_median=percentile(rates, 50),
        prompt_tokens=int(prompt) if prompt is not None else None,
        completion_tokens=int(completion) if completion is not None else None,
        cost_usd=float(cost) if cost is not None else None,
    )


def summarize(spans: Iterable[SpanRecord], by: str = "model") -> list[ModelSummary]:
    """One summary per (provider, model), or per value of another ``DIMENSIONS`` key; busiest first.

    Grouping by anything but the model needs the spans' attributes (``load_spans(with_attributes=True)``).
    """
    keys = DIMENSIONS[by]
    groups: dict[tuple[str | None, str | None], list[SpanRecord]] = {}
    for span in spans:
        for group in ([(span.provider, span.model)] if not keys else [(None, value) for value in group_values(span, keys)]):
            groups.setdefault(group, []).append(span)
    summaries = [summarize_group(provider, model, members) for (provider, model), members in groups.items()]
    summaries.sort(key=lambda summary: (-summary.calls, summary.label))
    return summaries


def group_values(span: SpanRecord, keys: tuple[str, ...]) -> list[str]:
    """The span's values of the first of ``keys`` it has (each tag of a tag list), else ``(none)``."""
    attributes = span.attributes or {}
    for key in keys:
        found = attributes.get(key)
        if isinstance(found, (list, tuple)) and found:
            return [str(item) for item in dict.fromkeys(found)]
        if found not in (None, "", [], ()):
            return [str(found)]
    return [NO_VALUE]


def summarize_all(spans: Sequence[SpanRecord]) -> ModelSummary:
    """One summary over every span (the table's total row)."""
    return summarize_group(None, "all models", spans)
