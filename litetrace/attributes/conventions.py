"""Which GenAI conventions litetrace emits: ``stable`` (today's names), ``current`` (the newest)
or ``both`` (each signal in both shapes, for a migration).

Everything that differs between them is decided here once, at ``instrument()``: the per-call
path only looks names up in the tables a ``Conventions`` holds.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from opentelemetry.semconv._incubating.attributes import openai_attributes as openai

from litetrace.attributes import current, semconv
from litetrace.attributes import names as n

SEMCONV_ENV = "LITETRACE_SEMCONV"
STABLE = "stable"
CURRENT = "current"
BOTH = "both"
MODES = (STABLE, CURRENT, BOTH)
# The operations the conventions call inference (gen_ai.client.inference.*, the details event).
INFERENCE = frozenset(("chat", "text_completion", "responses"))

# The newest conventions moved the OpenAI-specific fingerprint out of gen_ai.openai.*; both
# modes write it under both names (the one llm.* key with two twins: see Conventions.add).
_CURRENT_TWINS = {**semconv.TWINS, n.RESP_SYSTEM_FINGERPRINT: openai.OPENAI_RESPONSE_SYSTEM_FINGERPRINT}


def resolve_mode(value: str | None) -> str:
    """The mode asked for by argument, else ``LITETRACE_SEMCONV``, else ``stable``."""
    if value is None:
        value = os.environ.get(SEMCONV_ENV) or STABLE
    mode = value.strip().lower()
    if mode not in MODES:
        raise ValueError(f"semconv must be one of {', '.join(MODES)}, got {value!r}")
    return mode


def _nothing(*_args: Any) -> None:
    return None


def _current_request(operation: str, params: dict[str, Any], attrs: dict[str, Any]) -> None:
    current.request(operation, params, attrs)


class Conventions:
    """The names and extra extraction of one mode, fixed at ``instrument()``."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.stable = mode in (STABLE, BOTH)
        self.current = mode in (CURRENT, BOTH)
        # Span name prefix per litetrace operation: ours under stable (today's names), the
        # gen_ai.operation.name under current and both ("embeddings text-embedding-3-small").
        self.span_prefix: dict[str, str] = (
            {op: semconv.operation_name(op) for op in semconv.OPERATIONS} if self.current else {}
        )
        self.twins = _CURRENT_TWINS if mode == CURRENT else semconv.TWINS
        self.both = mode == BOTH
        self.request: Callable[[str, dict[str, Any], dict[str, Any]], None] = (
            _current_request if self.current else _nothing
        )
        # Cache-write and per-modality token counts; callers ask only when ``self.current``
        # (which spares them reading the usage at all under stable).
        self.usage: Callable[[Any, dict[str, Any]], None] = current.usage

    def span_name(self, operation: str, model: Any) -> str:
        """``{operation} {model}``, with this mode's operation name."""
        prefix = self.span_prefix.get(operation, operation)
        return f"{prefix} {model}" if isinstance(model, str) and model else prefix

    def add(self, attrs: dict[str, Any]) -> None:
        """The gen_ai.* twins of the llm.* keys present (and, under current, the cost triplet)."""
        semconv.add(attrs, self.twins)
        if self.both:
            fingerprint = attrs.get(n.RESP_SYSTEM_FINGERPRINT)
            if fingerprint is not None:
                attrs[openai.OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = fingerprint
        if self.current and n.COST in attrs:
            current.cost(attrs)
