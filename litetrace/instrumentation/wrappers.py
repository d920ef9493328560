"""wrapt wrapper factories: one sync and one async shape, closed over the call telemetry.

A context variable marks "inside an instrumented call": LiteLLM's nested entry points
(``acompletion`` -> ``completion``, dispatch -> main, Router -> ``litellm.acompletion``,
``num_retries``) then add no second span.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any

from litetrace.instrumentation.calls import CallTelemetry
from litetrace.safety import internal_error
from litetrace.stream import AsyncStreamWrapper, StreamState, StreamWrapper, is_stream
from litetrace.stream.state import ChunkGapStreamState

INSIDE_CALL: ContextVar[bool] = ContextVar("litetrace_inside_call", default=False)

Wrapper = Callable[[Callable[..., Any], Any, tuple[Any, ...], dict[str, Any]], Any]


def _proxy_stream(telemetry: CallTelemetry, call: Any, result: Any, is_async: bool) -> Any:
    try:
        state = (ChunkGapStreamState if telemetry.settings.chunk_gap_metrics else StreamState)(telemetry, call)
        return AsyncStreamWrapper(result, state) if is_async else StreamWrapper(result, state)
    except Exception:
        internal_error("wrapping a stream")
        telemetry.succeed(call, result)
        return result


def _failed(telemetry: CallTelemetry, call: Any, inside: Token[bool], error: BaseException) -> None:
    """Restore the caller's context, then record the failure (the caller re-raises)."""
    INSIDE_CALL.reset(inside)
    telemetry.detach(call)
    if call is not None:
        telemetry.fail(call, error)


def _returned(telemetry: CallTelemetry, call: Any, inside: Token[bool], result: Any, is_async: bool) -> Any:
    """Restore the caller's context, then record the result, or hand back a stream proxy."""
    INSIDE_CALL.reset(inside)
    telemetry.detach(call)
    if call is None:
        return result
    if is_stream(result, is_async):
        return _proxy_stream(telemetry, call, result, is_async)
    # A sync entry point may hand back an async-only stream (litellm.anthropic.messages.create
    # with stream=True, bridged to another provider), and an async one a sync iterator of bytes.
    if is_stream(result, not is_async):
        return _proxy_stream(telemetry, call, result, not is_async)
    telemetry.succeed(call, result)
    return result


def sync_wrapper(operation: str, telemetry: CallTelemetry, positional: tuple[str, ...] | None = None) -> Wrapper:
    """Wrapper for a sync entry point."""

    def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if INSIDE_CALL.get():
            return wrapped(*args, **kwargs)
        call = telemetry.begin(operation, args, kwargs, positional)
        inside = INSIDE_CALL.set(True)
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as error:
            _failed(telemetry, call, inside, error)
            raise
        return _returned(telemetry, call, inside, result, False)

    return wrapper


def async_wrapper(operation: str, telemetry: CallTelemetry, positional: tuple[str, ...] | None = None) -> Wrapper:
    """Wrapper for an async entry point."""

    async def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if INSIDE_CALL.get():
            return await wrapped(*args, **kwargs)
        call = telemetry.begin(operation, args, kwargs, positional)
        inside = INSIDE_CALL.set(True)
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as error:
            _failed(telemetry, call, inside, error)
            raise
        return _returned(telemetry, call, inside, result, True)

    return wrapper
