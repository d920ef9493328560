"""wrapt wrapper factories: one sync and one async shape, closed over the call recorder.

A context variable marks "inside an instrumented call": LiteLLM's nested entry points
(``acompletion`` -> ``completion``, dispatch -> main, Router -> ``litellm.acompletion``,
``num_retries``) then add no second span.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar, Token
from types import CoroutineType
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry.instrumentation.utils import _SUPPRESS_INSTRUMENTATION_KEY

from litetrace.instrumentation import propagation
from litetrace.instrumentation.calls import CallRecorder, new_call_id
from litetrace.safety import handle_internal_errors
from litetrace.stream import AsyncStreamWrapper, StreamState, StreamWrapper, stream_kinds
from litetrace.stream.timing import ChunkGapStreamState

INSIDE_CALL: ContextVar[bool] = ContextVar("litetrace_inside_call", default=False)

# OpenTelemetry's older plain-string spelling of the key, still set by suppress_instrumentation().
_SUPPRESS_PLAIN_KEY = "suppress_instrumentation"
_WRAPPING_STREAM = handle_internal_errors("wrapping a stream")
_SKIPPING = handle_internal_errors("skipping a suppressed call")

Wrapper = Callable[[Callable[..., Any], Any, tuple[Any, ...], dict[str, Any]], Any]


def suppressed(recorder: CallRecorder, kwargs: dict[str, Any]) -> bool:
    """Whether OpenTelemetry's ``suppress_instrumentation()`` is on: then no span, no metric.

    The call is marked so that LiteLLM's callback, which may run on a thread without this
    context (a stream's success event), does not cover it with a span of its own.
    """
    current = otel_context.get_current()
    if not (current.get(_SUPPRESS_INSTRUMENTATION_KEY) or current.get(_SUPPRESS_PLAIN_KEY)):
        return False
    with _SKIPPING:
        call_id = kwargs.get("litellm_call_id")
        if not isinstance(call_id, str) or not call_id:
            call_id = kwargs["litellm_call_id"] = new_call_id()
        recorder.pending.ignore(call_id)
    return True


def _proxy_stream(recorder: CallRecorder, call: Any, result: Any, is_async: bool) -> Any:
    try:
        state = (ChunkGapStreamState if recorder.settings.chunk_gap_metrics else StreamState)(recorder, call)
        return AsyncStreamWrapper(result, state) if is_async else StreamWrapper(result, state)
    except Exception:
        _WRAPPING_STREAM.swallow()
    # Wrapping failed: the stream goes back unwrapped, its span ends now.
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
    if not is_async and type(result) is CoroutineType:
        # LiteLLM's async path ran through a sync entry point (an ``acompletion`` bound before
        # instrument() calls the patched ``completion(acompletion=True)``): the call's outcome
        # is the coroutine's, so the span ends when the caller has awaited it.
        return _awaited(recorder, call, result)
    return _finished(recorder, call, result, is_async)


def _finished(recorder: CallRecorder, call: Any, result: Any, is_async: bool) -> Any:
    """Record the result and end the span, or hand back a stream proxy that will."""
    kinds = stream_kinds(type(result))
    if kinds[is_async]:
        return _proxy_stream(recorder, call, result, is_async)
    # A sync entry point may hand back an async-only stream (litellm.anthropic.messages.create
    # with stream=True, bridged to another provider), and an async one a sync iterator of bytes.
    if kinds[not is_async]:
        return _proxy_stream(recorder, call, result, not is_async)
    recorder.succeed(call, result)
    return result


async def _awaited(recorder: CallRecorder, call: Any, coroutine: Any) -> Any:
    try:
        result = await coroutine
    except BaseException as error:
        recorder.fail(call, error)
        raise
    return _finished(recorder, call, result, True)


_FORWARDING = handle_internal_errors("forwarding the trace context")


def _forward_context(kwargs: dict[str, Any], call: Any) -> None:
    """``LITETRACE_PROPAGATE_TO_PROVIDER``: the LLM span's traceparent in the call's extra_headers.

    Not on a Router method (``instance`` set): headers given there would replace each deployment's
    own ``extra_headers``; the Router's nested ``litellm`` call, with them merged, gets it instead
    (the LLM span is current there).
    """
    with _FORWARDING:
        propagation.inject(kwargs, call.context if call is not None else otel_context.get_current())


def sync_wrapper(operation: str, recorder: CallRecorder, positional: tuple[str, ...] = ()) -> Wrapper:
    """Wrapper for a sync entry point."""

    def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if INSIDE_CALL.get():
            if recorder.propagate:
                _forward_context(kwargs, None)
            return wrapped(*args, **kwargs)
        if suppressed(recorder, kwargs):
            return wrapped(*args, **kwargs)
        call = recorder.begin(operation, args, kwargs, positional)
        if recorder.propagate and instance is None and call is not None:
            _forward_context(kwargs, call)
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
            if recorder.propagate:
                _forward_context(kwargs, None)
            return await wrapped(*args, **kwargs)
        if suppressed(recorder, kwargs):
            return await wrapped(*args, **kwargs)
        call = recorder.begin(operation, args, kwargs, positional)
        if recorder.propagate and instance is None and call is not None:
            _forward_context(kwargs, call)
        inside = INSIDE_CALL.set(True)
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as error:
            _failed(recorder, call, inside, error)
            raise
        return _returned(recorder, call, inside, result, True)

    return wrapper
