"""Failures: LiteLLM's mapped exception, its category, status code, a scrubbed message."""

from __future__ import annotations

import traceback
from typing import Any, NamedTuple

from opentelemetry.semconv.attributes import exception_attributes

from litetrace.attributes import names as n
from litetrace.attributes.fields import as_int, as_str
from litetrace.attributes.redaction import redact, scrub
from litetrace.attributes.secrets import collect

# exception.stacktrace keeps its end: the exception raised last and its innermost frames.
MAX_STACKTRACE_LENGTH = 8192
# Characters read beyond that before redacting, so that no key is cut in two at the edge.
_REDACTION_MARGIN = 512
_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"

# LiteLLM exception class names, most specific first (the MRO decides which matches first).
_CATEGORY_BY_CLASS = {
    "ContextWindowExceededError": "context_window_exceeded",
    "ContentPolicyViolationError": "content_policy",
    "BudgetExceededError": "budget_exceeded",
    "AuthenticationError": "authentication",
    "PermissionDeniedError": "permission",
    "RateLimitError": "rate_limit",
    "Timeout": "timeout",
    "TimeoutError": "timeout",
    "APITimeoutError": "timeout",
    "ReadTimeout": "timeout",
    "ConnectTimeout": "timeout",
    "APIConnectionError": "connection",
    "ConnectError": "connection",
    "ConnectionError": "connection",
    "NotFoundError": "not_found",
    "ServiceUnavailableError": "service_unavailable",
    "InternalServerError": "server_error",
    "BadRequestError": "bad_request",
    "UnprocessableEntityError": "bad_request",
    "UnsupportedParamsError": "bad_request",
    "CancelledError": "cancelled",
}
_CATEGORY_BY_STATUS = {
    400: "bad_request",
    401: "authentication",
    403: "permission",
    404: "not_found",
    408: "timeout",
    413: "context_window_exceeded",
    422: "bad_request",
    429: "rate_limit",
    500: "server_error",
    502: "server_error",
    503: "service_unavailable",
    504: "timeout",
}


# LiteLLM wraps a failure to reach the server in a generic class with a made-up 500
# (InternalServerError("Connection error.")); the cause chain holds what really happened.
_VAGUE = frozenset({"server_error", "unknown"})
_FROM_CAUSE = frozenset({"connection", "timeout"})
_MAX_CHAIN = 8


class Failure(NamedTuple):
    """A failed call's error attributes, exception event and status text: each one scrubbed."""

    attributes: dict[str, Any]
    event: dict[str, str] | None
    status: str


def failure(error: BaseException, *sources: Any, recording: bool = True) -> Failure:
    """The one scrubbing step of both span paths (the wrapper's, the callback's).

    ``sources``: where the call's secrets are, the call's parameters or LiteLLM's record of
    it; each secret, in every form text may quote it, is scrubbed from the message, the
    stack trace and the status. Without ``recording`` there is no event to build."""
    secrets = collect(*sources)
    attrs: dict[str, Any] = {}
    attributes(error, secrets, attrs)
    message = attrs.get(n.ERROR_MESSAGE)
    event = exception_event(error, secrets, message) if recording else None
    return Failure(attrs, event, message or type(error).__name__)


def category(error: BaseException) -> str:
    """One of the contract's error categories."""
    found = _own_category(error)
    if found in _VAGUE:
        return cause_category(error) or found
    return found


def cause_category(error: BaseException) -> str | None:
    """"connection" or "timeout" when an exception in ``error``'s cause chain says so."""
    seen = 0
    current = error.__cause__ or error.__context__
    while current is not None and seen < _MAX_CHAIN:
        for cls in type(current).__mro__:
            found = _CATEGORY_BY_CLASS.get(cls.__name__)
            if found:
                if found in _FROM_CAUSE:
                    return found
                break
        seen += 1
        current = current.__cause__ or current.__context__
    return None


def _own_category(error: BaseException) -> str:
    for cls in type(error).__mro__:
        found = _CATEGORY_BY_CLASS.get(cls.__name__)
        if found:
            return found
    status = status_code(error)
    if status is not None:
        if status in _CATEGORY_BY_STATUS:
            return _CATEGORY_BY_STATUS[status]
        if status >= 500:
            return "server_error"
    return "unknown"


def status_code(error: BaseException) -> int | None:
    """The HTTP status the provider answered with, when there is one."""
    status = as_int(getattr(error, "status_code", None))
    if status is None:
        response = getattr(error, "response", None)
        status = as_int(getattr(response, "status_code", None))
    return status if status is not None and 100 <= status <= 599 else None


def attributes(error: BaseException, secrets: list[str], attrs: dict[str, Any]) -> None:
    """Error keys for a failed call; the message never carries a secret."""
    name = type(error).__name__
    attrs[n.ERROR_TYPE] = name
    kind = attrs[n.ERROR_CATEGORY] = category(error)
    try:
        message = str(error)
    except Exception:  # a broken __str__ must not cost the whole record
        message = ""
    if message:
        attrs[n.ERROR_MESSAGE] = scrub(message, secrets)
    provider = as_str(getattr(error, "llm_provider", None))
    if provider:
        attrs[n.ERROR_PROVIDER] = provider
    status = status_code(error)
    # A server never reached sent no status: LiteLLM's 500 on a refused connection is its own.
    if status is not None and kind != "connection":
        attrs[n.ERROR_STATUS_CODE] = status


def exception_event(error: BaseException, secrets: list[str], message: str | None = None) -> dict[str, str]:
    """The semantic-convention exception event, scrubbed: its message may quote a key.

    ``message``: the error's message already scrubbed by ``attributes()`` (the same text,
    scrubbed the same way), so a failed call does not scan it twice."""
    try:
        stack = stacktrace(error)
    except Exception:
        stack = ""
    if len(stack) > MAX_STACKTRACE_LENGTH:
        start = _clear_cut(stack, len(stack) - MAX_STACKTRACE_LENGTH - _REDACTION_MARGIN, secrets)
        stack = "…" + redact(stack[start:], secrets)[-MAX_STACKTRACE_LENGTH:]
    else:
        stack = redact(stack, secrets)
    return {
        exception_attributes.EXCEPTION_TYPE: type(error).__qualname__,
        exception_attributes.EXCEPTION_MESSAGE: message if message is not None else scrub(str(error), secrets),
        exception_attributes.EXCEPTION_STACKTRACE: stack,
    }


def _clear_cut(text: str, start: int, secrets: list[str] | tuple[str, ...]) -> int:
    """``start`` moved past any known secret it would cut in two, then to a space: a piece of
    a secret (a long JWT, a PEM key) left at the window's edge would match no needle."""
    moved = True
    while moved:
        moved = False
        for secret in secrets:
            found = text.find(secret, max(start - len(secret) + 1, 0), start + len(secret) - 1)
            if found != -1 and found < start:
                start, moved = found + len(secret), True
    space = next((i for i in range(start, min(start + 64, len(text))) if text[i].isspace()), start)
    return max(space, 0)


def stacktrace(error: BaseException) -> str:
    """``traceback.format_exception(error)``, chained exceptions included, without the column
    carets of Python 3.11+: working those out re-parses every frame's source line, which made
    up most of the cost of recording a failed LiteLLM call (a ~30-frame chain of three)."""
    chain: list[BaseException] = [error]
    links: list[str] = []
    current = error
    while len(chain) < 16:
        if current.__cause__ is not None:
            following, link = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            following, link = current.__context__, _CONTEXT
        else:
            break
        if any(following is seen for seen in chain):
            break
        chain.append(following)
        links.append(link)
        current = following
    parts: list[str] = []
    for index in range(len(chain) - 1, -1, -1):  # the root cause first, as Python prints it
        exc = chain[index]
        if exc.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.StackSummary.extract(traceback.walk_tb(exc.__traceback__)).format())
        parts.append(_exception_line(exc))
        if index:
            parts.append(links[index - 1])
    return "".join(parts)


def _exception_line(exc: BaseException) -> str:
    """The last line(s) of a traceback, as ``traceback.format_exception_only`` writes them for
    ordinary exceptions; that function walks the whole cause chain again (with positions) first."""
    kind = type(exc)
    name = kind.__qualname__ if kind.__module__ in ("builtins", "__main__") else f"{kind.__module__}.{kind.__qualname__}"
    try:
        text = str(exc)
    except Exception:
        text = "<exception str() failed>"
    line = f"{name}: {text}\n" if text else f"{name}\n"
    notes = getattr(exc, "__notes__", None)
    if isinstance(notes, (list, tuple)):
        line += "".join(f"{note}\n" for note in notes)
    return line
