"""Instrumentation settings, resolved once at ``instrument()`` from arguments and environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

CAPTURE_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
GENAI_ATTRIBUTES_ENV = "LITETRACE_GENAI_ATTRIBUTES"
CONTENT_MAX_LENGTH_ENV = "LITETRACE_CONTENT_MAX_LENGTH"
CALLBACK_DEADLINE_ENV = "LITETRACE_CALLBACK_DEADLINE"
CHUNK_GAP_METRICS_ENV = "LITETRACE_CHUNK_GAP_METRICS"

_TRUE = ("1", "true", "yes", "on")


def env_flag(name: str, default: bool) -> bool:
    """Read a boolean environment variable."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in _TRUE


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name)
    try:
        return float(value) if value else default
    except ValueError:
        raise ValueError(f"{name} must be a number, got {value!r}") from None


@dataclass(frozen=True)
class Settings:
    """What the instrumentor records."""

    capture_content: bool = False
    genai_attributes: bool = True
    content_max_length: int = 8192
    # How long a finished stream's span waits for LiteLLM's callback (cost, cache hit).
    callback_deadline: float = 5.0
    # Upper bound on calls remembered while waiting for their callback.
    max_pending: int = 10_000
    # gen_ai.client.operation.time_per_output_chunk once per chunk gap, as the semantic
    # conventions describe it, instead of once per stream (its mean gap): one SDK histogram
    # record per chunk (~9 us each), so off by default.
    chunk_gap_metrics: bool = False

    @classmethod
    def resolve(
        cls,
        capture_content: bool | None = None,
        genai_attributes: bool | None = None,
        content_max_length: int | None = None,
        callback_deadline: float | None = None,
        chunk_gap_metrics: bool | None = None,
    ) -> Settings:
        """Arguments win over environment variables, which win over defaults."""
        if capture_content is None:
            capture_content = env_flag(CAPTURE_CONTENT_ENV, False)
        if genai_attributes is None:
            genai_attributes = env_flag(GENAI_ATTRIBUTES_ENV, True)
        if content_max_length is None:
            content_max_length = int(_env_number(CONTENT_MAX_LENGTH_ENV, cls.content_max_length))
        if callback_deadline is None:
            callback_deadline = _env_number(CALLBACK_DEADLINE_ENV, cls.callback_deadline)
        if chunk_gap_metrics is None:
            chunk_gap_metrics = env_flag(CHUNK_GAP_METRICS_ENV, False)
        if content_max_length < 0 or callback_deadline < 0:
            raise ValueError("content_max_length and callback_deadline must not be negative")
        return cls(
            capture_content=bool(capture_content),
            genai_attributes=bool(genai_attributes),
            content_max_length=content_max_length,
            callback_deadline=callback_deadline,
            chunk_gap_metrics=bool(chunk_gap_metrics),
        )
