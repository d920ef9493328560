"""``litetrace.context(...)``: session, user, customer, tags and metadata for everything inside.

A context manager and a decorator (sync and async functions). Every span started inside,
LLM spans and decorator spans alike, gets the attributes; nested contexts add to the
outer one (inner values win, tags add up). ``propagate=True`` also puts them in W3C
baggage so the services this one calls can read them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterable, Mapping
from typing import Any

from opentelemetry import baggage
from opentelemetry import context as otel_context
from opentelemetry.context import Context

from litetrace.attributes import names as n
from litetrace.tracing import metadata as md
from litetrace.tracing.scope import SCOPE_KEY, Scope, current_scope


class context:  # noqa: N801  # used like a function: ``with litetrace.context(...)``
    """Attributes for every span started inside."""

    def __init__(
        self,
        *,
        session_id: str | None = None,
        user_id: str | None = None,
        customer_id: str | None = None,
        tags: Iterable[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        propagate: bool = False,
    ) -> None:
        attrs = md.identity(session_id, user_id, customer_id, tags, metadata)
        self.attrs = attrs
        self.propagate = propagate
        self._tokens: list[object] = []

    def build(self, base: Context | None = None) -> Context:
        """``base`` (default: the current context) with these attributes added to its scope."""
        outer = current_scope(base)
        merged = dict(outer.attrs) if outer is not None else {}
        tags = merged.get(n.TAGS)
        merged.update(self.attrs)
        if tags and n.TAGS in self.attrs:
            merged[n.TAGS] = list(tags)
            md.add_tags(self.attrs[n.TAGS], merged)
        ctx = otel_context.set_value(SCOPE_KEY, Scope(merged, outer.span if outer else None), base)
        if self.propagate:
            for key, value in self.attrs.items():
                ctx = baggage.set_baggage(key, ",".join(value) if isinstance(value, list) else str(value), ctx)
        return ctx

    def __enter__(self) -> context:
        self._tokens.append(otel_context.attach(self.build()))
        return self

    def __exit__(self, *exc: object) -> None:
        otel_context.detach(self._tokens.pop())  # type: ignore[arg-type]  # token came from attach()

    def __call__(self, func: Any) -> Any:
        """Use as a decorator: each call of ``func`` runs inside this context."""
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def async_inside(*args: Any, **kwargs: Any) -> Any:
                token = otel_context.attach(self.build())
                try:
                    return await func(*args, **kwargs)
                finally:
                    otel_context.detach(token)

            return async_inside

        @functools.wraps(func)
        def inside(*args: Any, **kwargs: Any) -> Any:
            token = otel_context.attach(self.build())
            try:
                return func(*args, **kwargs)
            finally:
                otel_context.detach(token)

        return inside
