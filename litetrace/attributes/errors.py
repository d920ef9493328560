"""Failures: LiteLLM's mapped exception, its category, status code, a scrubbed message."""

from __future__ import annotations

from typing import Any

from litetrace.attributes import names as n
from litetrace.attributes.fields import as_int, as_str
from litetrace.attributes.redaction import scrub

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


def category(error: BaseException) -> str:
    """One of the contract's error categories."""
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
    attrs[n.ERROR_CATEGORY] = category(error)
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
    if status is not None:
        attrs[n.ERROR_STATUS_CODE] = status
