"""``litetrace.update_current_span()``: change the enclosing workflow/task span while it runs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from litetrace.tracing import metadata as md
from litetrace.tracing.scope import current_scope

_STATUS_BY_NAME = {"ok": StatusCode.OK, "error": StatusCode.ERROR, "unset": StatusCode.UNSET}


def update_current_span(
    *,
    name: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    status: Status | StatusCode | str | None = None,
    status_description: str | None = None,
    session_id: str | None = None,
    user_id: str | None = None,
    customer_id: str | None = None,
    tags: Iterable[str] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> bool:
    """Update the innermost ``@workflow``/``@task``/``@agent``/``@tool`` span (else the current span).

    Returns False when there is no recording span to update. Spans already started inside
    keep their attributes; ``litetrace.context`` is the way to reach later LLM spans too.
    """
    scope = current_scope()
    span = scope.span if scope is not None and scope.span is not None else trace.get_current_span()
    if not span.is_recording():
        return False
    if name:
        span.update_name(name)
    attrs = md.identity(session_id, user_id, customer_id, tags, metadata)
    if attributes:
        attrs.update(attributes)
    if attrs:
        span.set_attributes(attrs)
    if status is not None:
        if isinstance(status, str):
            status = _STATUS_BY_NAME[status.lower()]
        span.set_status(status if isinstance(status, Status) else Status(status, status_description))
    return True
