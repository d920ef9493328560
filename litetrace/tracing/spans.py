"""One decorated function run: its span opened, made current, and ended exactly once."""

from __future__ import annotations

import json
import time
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from litetrace.attributes import names as n
from litetrace.attributes import semconv
from litetrace.attributes.errors import exception_event
from litetrace.attributes.redaction import redact, scrub
from litetrace.safety import internal_error
from litetrace.tracing import conventions as c
from litetrace.tracing.scope import SCOPE_KEY, Scope, current_scope
from litetrace.tracing.state import Tracing, active

WORKFLOW, TASK, AGENT, TOOL = "workflow", "task", "agent", "tool"
KINDS = (WORKFLOW, TASK, AGENT, TOOL)

# kind -> (gen_ai.operation.name or None, the conventions' name attribute or None)
_CONVENTION = {
    WORKFLOW: (c.INVOKE_WORKFLOW, c.WORKFLOW_NAME),
    TASK: (None, None),
    AGENT: (c.INVOKE_AGENT, c.AGENT_NAME),
    TOOL: (c.EXECUTE_TOOL, c.TOOL_NAME),
}


def span_name(kind: str, name: str) -> str:
    """``invoke_workflow x``, ``task x``, ``invoke_agent x``, ``execute_tool x``."""
    operation = _CONVENTION[kind][0]
    return f"{operation or kind} {name}"


class Opened:
    """A decorator span while its function runs (or its generator is iterated)."""

    __slots__ = ("kind", "name", "span", "context", "scope", "parent", "t0_ns", "tracing", "done")

    def __init__(self, kind: str, name: str, tracing: Tracing, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.kind = kind
        self.name = name
        self.tracing = tracing
        self.parent = current_scope()
        inherited = dict(self.parent.attrs) if self.parent is not None else {}
        # What LLM spans inside inherit: the enclosing workflow and task names.
        if kind == WORKFLOW:
            inherited[n.WORKFLOW_NAME] = name
            inherited.pop(n.TASK_NAME, None)
        elif kind == TASK:
            inherited[n.TASK_NAME] = name
        attrs = dict(inherited)
        attrs[n.SPAN_KIND] = kind
        operation, name_key = _CONVENTION[kind]
        if operation is not None:
            attrs[semconv.OPERATION_NAME] = operation
            attrs[name_key] = name
        if kind == TOOL:
            attrs[c.TOOL_TYPE] = "function"
        if tracing.capture_content:
            attrs[n.SPAN_INPUT] = as_json({"args": args, "kwargs": kwargs}, tracing.content_max_length)
        self.t0_ns = time.perf_counter_ns()
        self.span = tracing.tracer.start_span(span_name(kind, name), kind=SpanKind.INTERNAL, attributes=attrs)
        self.scope = Scope(inherited, self.span)
        self.context = otel_context.set_value(SCOPE_KEY, self.scope, trace.set_span_in_context(self.span))
        self.done = False

    def attach(self) -> object:
        """Make the span and its scope current; returns the token for ``detach``."""
        return otel_context.attach(self.context)

    def succeed(self, result: Any) -> None:
        """End the span after a normal return (or a generator's exhaustion or close)."""
        if self.done:
            return
        self.done = True
        try:
            if self.tracing.capture_content and self.span.is_recording():
                self.span.set_attribute(n.SPAN_OUTPUT, as_json(result, self.tracing.content_max_length))
            self._end(None)
        except Exception:
            internal_error("ending a workflow span")

    def fail(self, error: BaseException) -> None:
        """Record the exception once (only where it started), status ERROR, end the span."""
        if self.done:
            return
        self.done = True
        try:
            if self.span.is_recording():
                message = scrub(str(error))
                # A child decorator span already carries the exception event: do not repeat it.
                if self.scope.escaped is not error:
                    self.span.add_event("exception", exception_event(error, [], message))
                self.span.set_attribute(semconv.ERROR_TYPE, type(error).__qualname__)
                self.span.set_status(Status(StatusCode.ERROR, message or type(error).__name__))
            if self.parent is not None:
                self.parent.escaped = error
            self._end(type(error).__qualname__)
        except Exception:
            internal_error("recording a workflow span's error")
        finally:
            self.scope.escaped = None

    def _end(self, error_type: str | None) -> None:
        seconds = (time.perf_counter_ns() - self.t0_ns) / 1e9
        self.span.end()
        self.tracing.durations.record(self.kind, self.name, seconds, error_type, self.context)


def open_span(kind: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Opened | None:
    """Start a decorator span, or None if litetrace itself failed (the function still runs)."""
    try:
        return Opened(kind, name, active(), args, kwargs)
    except Exception:
        internal_error("starting a workflow span")
        return None


def detach(token: object) -> None:
    """Restore the caller's context."""
    try:
        otel_context.detach(token)  # type: ignore[arg-type]  # token came from attach()
    except Exception:
        internal_error("restoring the caller's context")


def as_json(value: Any, max_length: int) -> str:
    """``value`` as JSON, capped and scrubbed; objects JSON cannot take become their type name."""
    try:
        text = json.dumps(value, default=_placeholder, ensure_ascii=False)
    except (ValueError, TypeError, RecursionError):  # circular or otherwise unserialisable
        text = json.dumps(_placeholder(value))
    if len(text) > max_length:
        text = text[:max_length] + "…"
    return redact(text)


def _placeholder(value: Any) -> str:
    return f"<{type(value).__name__}>"
