"""LiteLLM-like call spans, written to a store through a real TracerProvider and BatchSpanProcessor."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

from litetrace.attributes import names as n
from litetrace.store import SQLiteSpanExporter

# A fixed epoch keeps windows and timestamps in tests exact: 2024-01-01T00:00:00Z.
BASE_NS = 1_704_067_200 * 10**9


@dataclass(frozen=True)
class Call:
    """One LiteLLM call as litetrace would record it; None means the attribute is not set."""

    model: str
    provider: str = "openai"
    start_s: float = 0.0
    duration_s: float = 1.0
    operation: str = "chat"
    response_model: str | None = None
    streaming: bool = False
    ttft_s: float | None = None
    chunks_per_second: float | None = None
    chunk_count: int | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None
    error_type: str | None = None
    error_category: str | None = None

    def attributes(self) -> dict[str, Any]:
        """The span's ``llm.*`` attributes, unset values left out."""
        total = None
        if self.prompt_tokens is not None and self.completion_tokens is not None:
            total = self.prompt_tokens + self.completion_tokens
        values: dict[str, Any] = {
            n.VENDOR: "litellm",
            n.REQUEST_TYPE: self.operation,
            n.PROVIDER: self.provider,
            n.REQUEST_MODEL: self.model,
            n.RESPONSE_MODEL: self.response_model,
            n.REQ_STREAM: self.streaming or None,
            n.STREAMING: self.streaming or None,
            n.TTFT: self.ttft_s,
            n.CHUNKS_PER_SECOND: self.chunks_per_second,
            n.CHUNK_COUNT: self.chunk_count,
            n.USAGE_PROMPT: self.prompt_tokens,
            n.USAGE_COMPLETION: self.completion_tokens,
            n.USAGE_TOTAL: total,
            n.COST: self.cost,
            n.ERROR_TYPE: self.error_type,
            n.ERROR_CATEGORY: self.error_category,
            n.RESP_FINISH_REASONS: None if self.error_type else ("stop",),
        }
        return {key: value for key, value in values.items() if value is not None}


def write_calls(path: str, calls: list[Call], *, service: str = "test-service", batch_size: int = 512) -> None:
    """Export ``calls`` as CLIENT spans named "{operation} {model}" into the store at ``path``."""
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(SQLiteSpanExporter(path), max_export_batch_size=batch_size))
    tracer = provider.get_tracer("litetrace-tests")
    for call in calls:
        start = BASE_NS + int(call.start_s * 1e9)
        span = tracer.start_span(
            f"{call.operation} {call.model}", kind=SpanKind.CLIENT, attributes=call.attributes(), start_time=start
        )
        if call.error_type:
            span.set_status(Status(StatusCode.ERROR, f"{call.error_type}: simulated"))
        span.end(end_time=start + int(call.duration_s * 1e9))
    provider.shutdown()


_MODELS = (
    ("openai", "gpt-4o-mini", 0.35, 55.0, 0.00015),
    ("openai", "gpt-4o", 0.6, 38.0, 0.0025),
    ("anthropic", "claude-3-5-sonnet-20241022", 0.8, 30.0, 0.003),
    ("openai", "text-embedding-3-small", 0.0, 0.0, 0.00002),
)
_ERRORS = (("RateLimitError", "rate_limit"), ("Timeout", "timeout"), ("InternalServerError", "server_error"))


def sample_calls(count: int, *, seed: int = 7) -> list[Call]:
    """A plausible mix of chat (streamed and not), embeddings and failures over ~an hour."""
    rng = random.Random(seed)
    calls = []
    for index in range(count):
        provider, model, ttft_base, rate_base, price = rng.choice(_MODELS)
        start = index * 3600.0 / count + rng.uniform(0, 5)
        if model.startswith("text-embedding"):
            prompt = rng.randint(20, 2000)
            calls.append(Call(model, provider, start, rng.uniform(0.05, 0.4), "embedding",
                              prompt_tokens=prompt, completion_tokens=0, cost=prompt * price / 1000))
            continue
        if rng.random() < 0.08:
            error_type, category = rng.choice(_ERRORS)
            calls.append(Call(model, provider, start, rng.uniform(0.05, 3.0),
                              error_type=error_type, error_category=category))
            continue
        prompt, completion = rng.randint(50, 3000), rng.randint(20, 900)
        streaming = rng.random() < 0.7
        ttft = ttft_base * rng.lognormvariate(0, 0.35) if streaming else None
        rate = rate_base * rng.uniform(0.7, 1.3) if streaming else None
        chunks = completion // 3 if streaming else None
        stream_time = (chunks or 0) / (rate or 1.0)
        duration = (ttft or 0.0) + stream_time if streaming else ttft_base * 2 + completion / rate_base
        calls.append(Call(model, provider, start, duration, response_model=f"{model}-2024-08-06"
                          if model == "gpt-4o" else model, streaming=streaming, ttft_s=ttft,
                          chunks_per_second=rate, chunk_count=chunks, prompt_tokens=prompt,
                          completion_tokens=completion, cost=(prompt + 4 * completion) * price / 1000))
    return calls
