"""How ``litetrace demo`` groups its calls: workflow runs of tasks, each run in one of a few sessions.

So that the dashboard's workflow traces and ``litetrace report --by workflow|session|user`` have
something to show on a first run.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import litetrace

# Kind of call (``workload.KINDS`` label) -> (workflow, task) it runs in.
PLACES: dict[str, tuple[str, str]] = {
    "moderation": ("ingest_documents", "screen"),
    "embedding": ("ingest_documents", "embed"),
    "image": ("answer_question", "illustrate"),
}
DEFAULT_PLACE = ("answer_question", "draft")
FAN_OUT = "fan_out_answers"
# (session id, user id) pairs the workflow runs take turns in.
SESSIONS: tuple[tuple[str, str], ...] = (("session-ada-1", "ada"), ("session-bob-1", "bob"), ("session-cy-1", "cy"))
RUN_SIZE = 4


@dataclass
class Run:
    """One workflow run: its calls, made one after another, each in its task, in one session."""

    workflow: str
    session_id: str
    user_id: str
    calls: list[tuple[str, Callable[[], Any]]]


def plan_runs(work: list[tuple[str, Callable[[], Any]]]) -> tuple[list[Run], list[Run]]:
    """(warm-up runs, other runs): per workflow, one warm-up run holding the first call of each kind, the
    rest in runs of ``RUN_SIZE`` calls; sessions in turn."""
    warm: dict[str, list[tuple[str, Callable[[], Any]]]] = {}
    rest: dict[str, list[tuple[str, Callable[[], Any]]]] = {}
    seen: set[str] = set()
    for label, thunk in work:
        workflow = PLACES.get(label, DEFAULT_PLACE)[0]
        (rest if label in seen else warm).setdefault(workflow, []).append((label, thunk))
        seen.add(label)
    turns = itertools.cycle(SESSIONS)
    first = [Run(workflow, *next(turns), calls) for workflow, calls in warm.items()]
    others = [Run(workflow, *next(turns), calls[i : i + RUN_SIZE])
              for workflow, calls in rest.items() for i in range(0, len(calls), RUN_SIZE)]
    return first, others


def run_one(run: Run) -> list[tuple[str, BaseException | None]]:
    """Make the run's calls inside its session and workflow, each in its task; how each call ended."""
    ended: list[tuple[str, BaseException | None]] = []

    @litetrace.workflow(name=run.workflow)
    def body() -> None:
        for label, thunk in run.calls:
            try:
                litetrace.task(name=PLACES.get(label, DEFAULT_PLACE)[1])(thunk)()
            except Exception as error:  # the task span records it; the workflow goes on, as an app's would
                ended.append((label, error))
            else:
                ended.append((label, None))

    with litetrace.context(session_id=run.session_id, user_id=run.user_id):
        body()
    return ended
