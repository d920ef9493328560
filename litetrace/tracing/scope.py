"""What every span started inside a workflow, task or ``litetrace.context`` inherits.

The scope lives in the OpenTelemetry context (not a bare ContextVar): it then follows
``await``, asyncio tasks and, with ``opentelemetry-instrumentation-threading``, threads,
exactly as the parent span does. Looking it up is one context read.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import context as otel_context
from opentelemetry.context import Context
from opentelemetry.trace import Span

SCOPE_KEY = otel_context.create_key("litetrace-scope")


class Scope:
    """Attributes for every span started inside, and the innermost decorator span."""

    __slots__ = ("attrs", "span", "escaped")

    def __init__(self, attrs: dict[str, Any], span: Span | None) -> None:
        # Shared by every span started inside: never mutated after construction.
        self.attrs = attrs
        self.span = span
        # The exception a child decorator span already recorded as it passed through.
        self.escaped: BaseException | None = None


def current_scope(context: Context | None = None) -> Scope | None:
    """The scope of ``context`` (default: the current one), or None."""
    scope = otel_context.get_value(SCOPE_KEY, context)
    return scope if isinstance(scope, Scope) else None


def inherited(context: Context | None = None) -> dict[str, Any] | None:
    """The attributes a span started in ``context`` inherits, or None (the common case)."""
    scope = otel_context.get_value(SCOPE_KEY, context)
    return scope.attrs if isinstance(scope, Scope) and scope.attrs else None
