"""``@workflow``, ``@task``, ``@agent``, ``@tool``: a span around a function, coroutine or generator.

Each shape keeps what the function returns or raises exactly as it was: the same object,
the same exception (bare ``raise``). A generator's span covers its iteration and ends once:
on exhaustion, ``close()``, an exception, or the generator being collected unfinished
(Python closes it then). The span is current only while the function's own code runs:
between two items of a generator the caller's context is current again.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar, overload

from litetrace.tracing.spans import AGENT, TASK, TOOL, WORKFLOW, Opened, detach, open_span

F = TypeVar("F", bound=Callable[..., Any])


@overload
def workflow(func: F) -> F: ...
@overload
def workflow(func: None = None, *, name: str | None = None) -> Callable[[F], F]: ...
def workflow(func: Any = None, *, name: str | None = None) -> Any:
    """A workflow span (``invoke_workflow {name}``); LLM spans inside carry its name."""
    return _decorator(WORKFLOW, func, name)


@overload
def task(func: F) -> F: ...
@overload
def task(func: None = None, *, name: str | None = None) -> Callable[[F], F]: ...
def task(func: Any = None, *, name: str | None = None) -> Any:
    """A task span (``task {name}``) inside a workflow."""
    return _decorator(TASK, func, name)


@overload
def agent(func: F) -> F: ...
@overload
def agent(func: None = None, *, name: str | None = None) -> Callable[[F], F]: ...
def agent(func: Any = None, *, name: str | None = None) -> Any:
    """An agent span (``invoke_agent {name}``, GenAI conventions)."""
    return _decorator(AGENT, func, name)


@overload
def tool(func: F) -> F: ...
@overload
def tool(func: None = None, *, name: str | None = None) -> Callable[[F], F]: ...
def tool(func: Any = None, *, name: str | None = None) -> Any:
    """A tool span (``execute_tool {name}``, GenAI conventions)."""
    return _decorator(TOOL, func, name)


def _decorator(kind: str, func: Any, name: str | None) -> Any:
    if func is not None and not callable(func):
        raise TypeError(f"@{kind} decorates a function; use @{kind}(name=...) to name it")

    def decorate(target: F) -> F:
        return _wrap(kind, name or getattr(target, "__name__", kind), target)

    return decorate(func) if func is not None else decorate


def _wrap(kind: str, name: str, func: Any) -> Any:
    if inspect.isasyncgenfunction(func):
        @functools.wraps(func)
        def async_gen_wrapper(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            return _traced_async_gen(kind, name, func, args, kwargs)

        return async_gen_wrapper
    if inspect.isgeneratorfunction(func):
        @functools.wraps(func)
        def gen_wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
            return _traced_gen(kind, name, func, args, kwargs)

        return gen_wrapper
    if inspect.iscoroutinefunction(func):
        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            opened = open_span(kind, name, args, kwargs)
            if opened is None:
                return await func(*args, **kwargs)
            token = opened.attach()
            try:
                result = await func(*args, **kwargs)
            except BaseException as error:
                detach(token)
                opened.fail(error)
                raise
            detach(token)
            opened.succeed(result)
            return result

        return async_wrapper

    @functools.wraps(func)
    def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
        opened = open_span(kind, name, args, kwargs)
        if opened is None:
            return func(*args, **kwargs)
        token = opened.attach()
        try:
            result = func(*args, **kwargs)
        except BaseException as error:
            detach(token)
            opened.fail(error)
            raise
        detach(token)
        opened.succeed(result)
        return result

    return sync_wrapper


def _traced_gen(kind: str, name: str, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Iterator[Any]:
    """Drive the user's generator one step at a time, its span current only during each step."""
    opened = open_span(kind, name, args, kwargs)
    inner = func(*args, **kwargs)
    if opened is None:
        return (yield from inner)
    to_send: Any = None
    to_throw: BaseException | None = None
    while True:
        token = opened.attach()
        try:
            item = inner.throw(to_throw) if to_throw is not None else inner.send(to_send)
        except StopIteration as stop:
            detach(token)
            opened.succeed(stop.value)
            return stop.value
        except BaseException as error:
            detach(token)
            opened.fail(error)
            raise
        detach(token)
        to_send, to_throw = None, None
        try:
            to_send = yield item
        except GeneratorExit:
            _close(opened, inner.close)
            raise
        except BaseException as thrown:  # gen.throw(): hand it to the user's generator
            to_throw = thrown


async def _traced_async_gen(
    kind: str, name: str, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> AsyncIterator[Any]:
    """The async-generator twin of ``_traced_gen``."""
    opened = open_span(kind, name, args, kwargs)
    inner = func(*args, **kwargs)
    if opened is None:
        async for item in inner:
            yield item
        return
    to_send: Any = None
    to_throw: BaseException | None = None
    while True:
        token = opened.attach()
        try:
            item = await (inner.athrow(to_throw) if to_throw is not None else inner.asend(to_send))
        except StopAsyncIteration:
            detach(token)
            opened.succeed(None)
            return
        except BaseException as error:
            detach(token)
            opened.fail(error)
            raise
        detach(token)
        to_send, to_throw = None, None
        try:
            to_send = yield item
        except GeneratorExit:
            try:
                await inner.aclose()
            except BaseException as error:
                opened.fail(error)
                raise
            opened.succeed(None)
            raise
        except BaseException as thrown:
            to_throw = thrown


def _close(opened: Opened, close: Callable[[], None]) -> None:
    """The caller stopped early (``close()`` or garbage collection): close the user's generator, end the span."""
    try:
        close()
    except BaseException as error:
        opened.fail(error)
        raise
    opened.succeed(None)
