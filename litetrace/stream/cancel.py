"""Telling a cancelled consumer from an abandoned stream, at no cost per chunk.

A task cancelled while it awaits something of its own between two chunks never reaches our
``__anext__``: the CancelledError passes through the caller's frame only, and the stream is
then closed or dropped. So the check is made once, where the stream ends: the exception being
handled or the task's ``cancelling()`` count (Python 3.11+) at close time, and a done-callback
on the task that opened the stream for a stream dropped after its task ended cancelled.
"""

from __future__ import annotations

import asyncio
import sys
import weakref
from typing import Any


def cancelling() -> bool:
    """Whether the running code is a task being cancelled (or handling its CancelledError)."""
    if isinstance(sys.exc_info()[1], asyncio.CancelledError):
        return True
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no running loop: a finaliser run by the garbage collector, say
        return False
    counter = getattr(task, "cancelling", None)  # Python 3.11+
    return bool(counter is not None and counter())


class OwnerWatch:
    """Notes whether the task that opened a stream ended cancelled; holds the task weakly."""

    __slots__ = ("_task", "cancelled")

    def __init__(self) -> None:
        self._task: weakref.ref[asyncio.Task[Any]] | None = None
        self.cancelled = False

    @classmethod
    def of_current_task(cls) -> OwnerWatch | None:
        """A watch on the running task, or None outside one."""
        try:
            task = asyncio.current_task()
        except RuntimeError:
            return None
        if task is None:
            return None
        watch = cls()
        # Weakly: the stream's state is kept by its finaliser, and a strong reference to the task
        # (its exception, traceback, frames, the stream itself) would keep the stream alive forever.
        watch._task = weakref.ref(task)
        task.add_done_callback(watch._on_done)
        return watch

    def _on_done(self, task: asyncio.Task[Any]) -> None:
        self.cancelled = task.cancelled()
        self._task = None

    def stop(self) -> None:
        """Forget the task (the stream has ended): a long-lived task keeps no callback per stream."""
        task = self._task() if self._task is not None else None
        self._task = None
        if task is not None:
            try:
                task.remove_done_callback(self._on_done)
            except Exception:  # a task from a closed loop, say: nothing left to undo
                pass
