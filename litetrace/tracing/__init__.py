"""Workflows, sessions and users: LiteLLM calls grouped into the work they serve.

    from litetrace import workflow, task, context

    @workflow(name="pirate_joke_generator")
    def jokes(): ...

    with litetrace.context(session_id="s-1", user_id="u-42", tags=["beta"]):
        jokes()

Decorator spans are INTERNAL spans; every LLM span inside carries the enclosing workflow
(``llm.workflow.name``) and task (``llm.task.name``) and the context's session, user,
customer, tags and metadata.
"""

from __future__ import annotations

from litetrace.tracing.buffer import SpanBuffer, buffer
from litetrace.tracing.context import context
from litetrace.tracing.current import update_current_span
from litetrace.tracing.decorators import agent, task, tool, workflow

__all__ = ["SpanBuffer", "agent", "buffer", "context", "task", "tool", "update_current_span", "workflow"]
