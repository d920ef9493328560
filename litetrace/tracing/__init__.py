"""Workflows, sessions and users: LiteLLM calls grouped into the work they serve.

    from litetrace import workflow, task, context

    @workflow(name="pirate_joke_generator")
    def jokes(): ...

    with litetrace.context(session_id="s-1", user_id="u-42", tags=["beta"]):
        jokes()

Decorator spans are INTERNAL spans; every LLM span inside carries the enclosing workflow
(``llm.workflow.name``) and task (``llm.task.name``) and the context's session, user,
customer, tags and metadata.

The names below load on first use (PEP 562): the instrumentation imports this package's
small modules (``state``, ``metadata``, ``scope``), and ``SpanBuffer`` needs the OpenTelemetry
SDK, which ``from litetrace import Instrumentor`` must not import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litetrace.lazy import attach

if TYPE_CHECKING:
    from litetrace.tracing.buffer import SpanBuffer, buffer
    from litetrace.tracing.context import context
    from litetrace.tracing.current import update_current_span
    from litetrace.tracing.decorators import agent, task, tool, workflow

__all__ = ["SpanBuffer", "agent", "buffer", "context", "task", "tool", "update_current_span", "workflow"]

__getattr__, __dir__ = attach(__name__, {
    "SpanBuffer": "litetrace.tracing.buffer",
    "buffer": "litetrace.tracing.buffer",
    "context": "litetrace.tracing.context",
    "update_current_span": "litetrace.tracing.current",
    "agent": "litetrace.tracing.decorators",
    "task": "litetrace.tracing.decorators",
    "tool": "litetrace.tracing.decorators",
    "workflow": "litetrace.tracing.decorators",
})  # fmt: skip
