"""Internal-error policy: telemetry failures cost telemetry, never the user's call.

``handle_internal_errors(where)`` is the one guard, as a context manager or a decorator
(the shape of logfire's ``handle_internal_errors``): an exception raised by litetrace
inside it is logged and swallowed. The first one of each ``where`` is logged at WARNING
(something is broken and the user should hear of it once), the rest at DEBUG. On the hot
paths the same guard is applied as ``except Exception: guard.swallow()`` (see the class).

``STRICT`` re-raises instead, so that litetrace's own tests see its bugs. Only
litetrace's ``tests/conftest.py`` turns it on: a user's own pytest run must get their
LiteLLM calls untouched, whatever litetrace does wrong.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

logger = logging.getLogger("litetrace")

STRICT: bool = False

_F = TypeVar("_F", bound=Callable[..., Any])

# The ``where`` of every error reported at WARNING so far (a fixed set of literals: bounded).
_warned: set[str] = set()
_warned_lock = threading.Lock()


def _report(where: str, exc_info: BaseException | bool) -> None:
    with _warned_lock:
        first = where not in _warned
        _warned.add(where)
    level = logging.WARNING if first else logging.DEBUG
    if logger.isEnabledFor(level):
        logger.log(
            level, "litetrace: internal error in %s; the call goes on with less telemetry", where, exc_info=exc_info
        )


def reset_warnings() -> None:
    """Forget which kinds of error were reported (tests)."""
    with _warned_lock:
        _warned.clear()


class handle_internal_errors:  # noqa: N801  # used like a function: ``with handle_internal_errors("..."):``
    """Swallow (and log) an ``Exception`` raised inside; ``BaseException`` passes (KeyboardInterrupt...).

    Built once per place, at import, and reused. ``with guard:`` costs two calls from C into
    Python (~2.5 k instructions under callgrind) even when nothing fails; on the per-call and
    per-chunk paths, ``try: ... except Exception: guard.swallow()`` applies the same policy
    for free until something raises.
    """

    __slots__ = ("where",)

    def __init__(self, where: str) -> None:
        self.where = where

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> bool:
        if exc_type is None or not issubclass(exc_type, Exception):
            return False
        if STRICT:
            return False
        _report(self.where, exc if exc is not None else True)
        return True

    def swallow(self) -> None:
        """Inside ``except Exception:``: log the exception being handled (re-raise it when strict)."""
        if STRICT:
            raise  # noqa: PLE0704  # called from an except block: re-raises the exception it handles
        _report(self.where, True)

    def __call__(self, func: _F) -> _F:
        """As a decorator: the function returns None when it failed inside."""

        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)
            return None

        return guarded  # type: ignore[return-value]  # same signature, Optional result


def internal_error(where: str) -> None:
    """``handle_internal_errors(where).swallow()``, for a place without a guard of its own."""
    handle_internal_errors(where).swallow()
