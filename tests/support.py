"""Helpers for the core tests: wait for LiteLLM's own logging, steer the local provider, read spans."""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any

import pytest
from litellm.litellm_core_utils.logging_worker import GLOBAL_LOGGING_WORKER
from litellm.litellm_core_utils.thread_pool_executor import executor
from opentelemetry.sdk.trace import ReadableSpan

try:  # LiteLLM 1.109+: a finished async call spawns a task that later enqueues its success handler
    from litellm.responses.streaming_iterator import drain_logging_tasks
except ImportError:  # older LiteLLM enqueues the handler before the call returns
    drain_logging_tasks = None

MESSAGES = [{"role": "user", "content": "hi"}]
OPENAI_CHAT = "openai/gpt-4o-mini"
ANTHROPIC_CHAT = "anthropic/claude-sonnet-4-5"  # priced in LiteLLM's bundled cost map


def behave(**fields: Any) -> dict[str, str]:
    """extra_headers that make the local provider answer this one request differently."""
    return {"x-local-provider": json.dumps(fields)}


def _logging_idle() -> bool:
    slots = getattr(executor, "_pending_slots", None)
    if slots is not None:
        # Every task submitted to LiteLLM's logging pool holds one slot until it has run.
        return bool(slots._value >= executor._max_pending_tasks)
    # Older LiteLLM (a plain ThreadPoolExecutor): nothing queued and no worker busy.
    return executor._work_queue.empty() and getattr(executor, "_idle_semaphore", None) is not None and (
        executor._idle_semaphore._value >= len(executor._threads))


def drain(timeout: float = 5.0) -> None:
    """Wait until LiteLLM's logging threads have run every callback submitted so far."""
    deadline = time.monotonic() + timeout
    while not _logging_idle() and time.monotonic() < deadline:
        time.sleep(0.002)


async def adrain(timeout: float = 5.0) -> None:
    """Run LiteLLM's async callbacks of the calls made so far, then wait for its logging threads.

    In that order: the spawned tasks put the handlers on the worker's queue, ``flush()`` runs
    them, and they hand sync work to the thread pool. Flushing first returned before the
    handler was queued (seen on Python 3.12: the callback then reached the next test).
    """
    if drain_logging_tasks is not None:
        await drain_logging_tasks(timeout)
    await asyncio.wait_for(GLOBAL_LOGGING_WORKER.flush(), timeout)
    deadline = time.monotonic() + timeout
    while not _logging_idle() and time.monotonic() < deadline:
        await asyncio.sleep(0.002)


async def afinished(telemetry: Any, count: int = 1) -> list[Any]:
    """The finished spans once ``count`` have ended, after a pause in which a surplus one would show.

    For async tests: LiteLLM's async callbacks run on this loop, so wait without blocking it.
    """
    deadline = time.monotonic() + 3.0
    while len(telemetry.exporter.get_finished_spans()) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)
    return list(telemetry.exporter.get_finished_spans())


def ours(telemetry: Any) -> list[ReadableSpan]:
    """Finished spans made by litetrace (not the tests' own parent spans)."""
    return [span for span in telemetry.spans() if span.instrumentation_scope.name.startswith("litetrace")]


def only_span(telemetry: Any) -> ReadableSpan:
    """The one span of the call just made, once LiteLLM's callbacks had their chance to add another."""
    drain()
    spans = ours(telemetry)
    assert len(spans) == 1, [span.name for span in spans]
    return spans[0]


async def aonly_span(telemetry: Any) -> ReadableSpan:
    """``only_span`` for async calls."""
    await adrain()
    spans = ours(telemetry)
    assert len(spans) == 1, [span.name for span in spans]
    return spans[0]


def span_texts(spans: list[ReadableSpan]) -> str:
    """Everything the spans would export, as one JSON text."""
    return "\n".join(span.to_json() for span in spans)


def fail_or_skip(message: str) -> None:
    """A missing test dependency (backend, browser, tool) fails the test; with
    LITETRACE_SKIP_MISSING_BACKENDS=1 it is skipped instead (CI installs them all)."""
    if os.environ.get("LITETRACE_SKIP_MISSING_BACKENDS") == "1":
        pytest.skip(message)
    pytest.fail(message, pytrace=False)
