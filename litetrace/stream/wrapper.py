"""Stream proxies: the caller gets LiteLLM's stream object, seen through a wrapt proxy.

``isinstance``, attribute access and context-manager use behave as on the real
stream. The proxy never attaches or detaches the caller's context; its state lives
in a ``StreamState`` so that ``weakref.finalize`` can end the span of a stream
dropped unread without keeping the stream alive.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from wrapt import ObjectProxy

from litetrace.safety import handle_internal_errors
from litetrace.stream.cancel import OwnerWatch, cancelling
from litetrace.stream.timing import CANCELLED, CLOSED_EARLY, COMPLETED, ERROR, StreamState

logger = logging.getLogger("litetrace")
_CHUNK = handle_internal_errors("handling a stream chunk")


class StreamWrapper(ObjectProxy):  # type: ignore[misc,type-arg,unused-ignore]  # untyped in wrapt 1, generic in 2
    """Proxy for a sync stream (``completion(stream=True)`` and friends)."""

    # A slot, read in __next__ through its descriptor: attribute reads through wrapt's
    # proxy cost ~100 ns each, a third of the per-chunk budget.
    __slots__ = ("_self_state",)

    def __init__(self, wrapped: Any, state: StreamState) -> None:
        super().__init__(wrapped)
        self._self_state = state
        state.pull = wrapped.__next__
        state.finalizer = weakref.finalize(self, state.abandon)

    # Override ObjectProxy.__iter__ so that iteration drives our __next__, not the wrapped one's.
    def __iter__(self) -> StreamWrapper:
        return self

    def __next__(self) -> Any:
        state = _sync_state(self)
        try:
            chunk = state.pull()
        except StopIteration:
            state.finish(COMPLETED)
            raise
        except BaseException as error:
            state.finish(ERROR, error)
            raise
        try:
            state.on_chunk(chunk)
        except Exception:
            _CHUNK.swallow()
        return chunk

    def close(self) -> None:
        """Stop reading: the span ends as ``closed_early`` (if not already ended)."""
        self._self_state.finish(CLOSED_EARLY)
        _release(self.__wrapped__)

    def __enter__(self) -> StreamWrapper:
        enter = getattr(type(self.__wrapped__), "__enter__", None)
        if enter is not None:
            enter(self.__wrapped__)
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> Any:
        self._self_state.finish(CLOSED_EARLY)
        exit_ = getattr(type(self.__wrapped__), "__exit__", None)
        if exit_ is not None:
            return exit_(self.__wrapped__, exc_type, exc, tb)
        _release(self.__wrapped__)
        return None


class AsyncStreamWrapper(ObjectProxy):  # type: ignore[misc,type-arg,unused-ignore]  # untyped in wrapt 1, generic in 2
    """Proxy for an async stream (``acompletion(stream=True)`` and friends)."""

    __slots__ = ("_self_state",)

    def __init__(self, wrapped: Any, state: StreamState) -> None:
        super().__init__(wrapped)
        self._self_state = state
        state.pull = wrapped.__anext__
        state.owner = OwnerWatch.of_current_task()
        state.finalizer = weakref.finalize(self, state.abandon)

    def __aiter__(self) -> AsyncStreamWrapper:
        return self

    async def __anext__(self) -> Any:
        state = _async_state(self)
        try:
            chunk = await state.pull()
        except StopAsyncIteration:
            state.finish(COMPLETED)
            raise
        except asyncio.CancelledError as error:
            state.cancelled(error)
            raise
        except BaseException as error:
            state.finish(ERROR, error)
            raise
        try:
            state.on_chunk(chunk)
        except Exception:
            _CHUNK.swallow()
        return chunk

    async def aclose(self) -> None:
        """Stop reading: the span ends as ``closed_early`` (``cancelled`` inside a cancelled task)."""
        _close_outcome(self._self_state)
        aclose = getattr(type(self.__wrapped__), "aclose", None)
        if aclose is not None:
            await aclose(self.__wrapped__)

    async def __aenter__(self) -> AsyncStreamWrapper:
        enter = getattr(type(self.__wrapped__), "__aenter__", None)
        if enter is not None:
            await enter(self.__wrapped__)
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> Any:
        if isinstance(exc, asyncio.CancelledError):
            self._self_state.finish(CANCELLED, exc)
        else:
            _close_outcome(self._self_state)
        exit_ = getattr(type(self.__wrapped__), "__aexit__", None)
        if exit_ is not None:
            return await exit_(self.__wrapped__, exc_type, exc, tb)
        aclose = getattr(type(self.__wrapped__), "aclose", None)
        if aclose is not None:
            await aclose(self.__wrapped__)
        return None


# The slots' descriptors, bound once: calling one bypasses the proxy's attribute lookup.
_sync_state: Callable[[StreamWrapper], StreamState] = StreamWrapper.__dict__["_self_state"].__get__
_async_state: Callable[[AsyncStreamWrapper], StreamState] = AsyncStreamWrapper.__dict__["_self_state"].__get__


def _close_outcome(state: StreamState) -> None:
    """End an async stream closed before its end: by a task being cancelled, or by choice."""
    if state.done:
        return
    if cancelling():
        state.finish(CANCELLED, asyncio.CancelledError())
    else:
        state.finish(CLOSED_EARLY)


def _release(stream: Any) -> None:
    """Close a sync stream: its own ``close()``, else the HTTP stream under LiteLLM's wrapper.

    LiteLLM's ``CustomStreamWrapper`` has no ``close()``; its ``completion_stream`` (the
    OpenAI SDK's ``Stream``) does, and closing it frees the connection.
    """
    close = getattr(type(stream), "close", None)
    if close is not None:
        close(stream)
        return
    inner = getattr(stream, "completion_stream", None)
    close = getattr(type(inner), "close", None) if inner is not None else None
    if close is None:
        return
    try:
        close(inner)
    except Exception:
        # Not ours to raise: the user did not call this close(), and the stream is done with anyway.
        logger.debug("litetrace: closing the provider stream failed", exc_info=True)


# Once per class: on a pydantic response class a missing name goes through its metaclass's
# __getattr__ and a raised AttributeError.
@lru_cache(maxsize=256)
def stream_kinds(cls: type) -> tuple[bool, bool]:
    """Whether a call's result type is a stream to proxy, (sync, async): by its type, not by ``hasattr``."""
    return getattr(cls, "__next__", None) is not None, getattr(cls, "__anext__", None) is not None
