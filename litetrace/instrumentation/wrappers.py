"""wrapt wrapper factories: one sync and one async shape, closed over the call recorder.

A context variable marks "inside an instrumented call": LiteLLM's nested entry points
(``acompletion`` -> ``completion``, dispatch -> main, Router -> ``litellm.acompletion``,
``num_retries``) then add no second span.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any

from litetrace.instrumentation.calls import CallRecorder
from litetrace.safety import internal_error
from litetrace.stream import AsyncStreamWrapper, StreamState, StreamWrapper, is_stream
from litetrace.stream.timing import ChunkGapStreamState

INSIDE_CALL: ContextVar[bool] = ContextVar("litetrace_inside_call", default=False)

Wrapper = Callable[[Callable[..., Any], Any, tuple[Any, ...], dict[str, Any]], Any]


def _proxy_stream(recorder: CallRecorder, call: Any, result: Any, is_async: bool) -> Any:
    try:
        state = (ChunkGapStreamState if recorder.settings.chunk_gap_metrics else StreamState)(recorder, call)
        return AsyncStreamWrapper(result, state) if is_async else StreamWrapper(result, state)
    except Exception:
        internal_error("wrapping a stream")
        recorder.succeed(call, result)
        return result


def _failed(recorder: CallRecorder, call: Any, inside: Token[bool], error: BaseException) -> None:
    """Restore the caller's context, then record the failure (the caller re-raises)."""
    INSIDE_CALL.reset(inside)
    recorder.detach(call)
    if call is not None:
        recorder.fail(call, error)


def _returned(recorder: CallRecorder, call: Any, inside: Token[bool], result: Any, is_async: bool) -> Any:
    """Restore the caller's context, then record the result, or hand back a stream proxy."""
    INSIDE_CALL.reset(inside)
    recorder.detach(call)
    if call is None:
        return result
    if is_stream(result, is_async):
        return _proxy_stream(recorder, call, result, is_async)
    recorder.succeed(call, result)
    return result


def sync_wrapper(operation: str, recorder: CallRecorder, positional: tuple[str, ...] = ()) -> Wrapper:
    """Wrapper for a sync entry point."""

    def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if INSIDE_CALL.get():
            return wrapped(*args, **kwargs)
        call = recorder.begin(operation, args, kwargs, positional)
        inside = INSIDE_CALL.set(True)
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as error:
            _failed(recorder, call, inside, error)
            raise
        return _returned(recorder, call, inside, result, False)

    return wrapper


def async_wrapper(operation: str, recorder: CallRecorder, positional: tuple[str, ...] = ()) -> Wrapper:
    """Wrapper for an async entry point."""

    async def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if INSIDE_CALL.get():
            return await wrapped(*args, **kwargs)
        call = recorder.begin(operation, args, kwargs, positional)
        inside = INSIDE_CALL.set(True)
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as error:
            _failed(recorder, call, inside, error)
            raise
        return _returned(recorder, call, inside, result, True)

    return wrapper
