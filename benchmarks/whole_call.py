"""Whole-call cost: real LiteLLM calls, with and without each instrumentor.

Run by ``run.py`` once per configuration per round, each time in a fresh process:

    python benchmarks/whole_call.py --config litetrace [--quick]

Cells: {mock_response=, HTTP to the local OpenAI-compatible server} x {sync, async} x
{non-streaming, streaming}. The server runs in a child process (its CPU time is not the
client's) and streams 52 content chunks. Per cell: a warm-up, then a batch of calls;
each call's wall time (median reported), and the process CPU time of the whole batch
including LiteLLM's background logging work, drained after the batch (so a callback
running on LiteLLM's logging thread is counted). Spans are counted after the drain;
time to first token is looked for on the spans (and, for the record, in the metrics).

Prints one JSON object (after ``@@RESULT@@``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from typing import Any

import common
from common import HTTP_MODEL, MESSAGES, MODEL, Server, emit, has_ttft, providers, ttft_metric_points, words

import configs  # noqa: E402

litellm: Any = None  # imported in main(), once the server process is starting

CHUNKS = 52
MOCK_TEXT = "Hello there, this is a mock reply."
# (cell, transport, async?, stream?)
CELLS = (
    ("mock sync", "mock", False, False),
    ("mock async", "mock", True, False),
    ("mock sync stream", "mock", False, True),
    ("mock async stream", "mock", True, True),
    ("http sync", "http", False, False),
    ("http async", "http", True, False),
    ("http sync stream", "http", False, True),
    ("http async stream", "http", True, True),
)
# Calls per timed batch (full run); --quick divides them.
BATCH = {("mock", False): 300, ("mock", True): 60, ("http", False): 120, ("http", True): 24}
WARMUP = {("mock", False): 10, ("mock", True): 3, ("http", False): 5, ("http", True): 2}


def call_kwargs(transport: str, stream: bool, base: str) -> dict[str, Any]:
    if transport == "mock":
        kwargs: dict[str, Any] = {"model": MODEL, "messages": MESSAGES, "mock_response": MOCK_TEXT}
    else:
        kwargs = {"model": HTTP_MODEL, "messages": MESSAGES, "api_base": base, "api_key": "sk-bench"}
    if stream:
        kwargs["stream"] = True
    return kwargs


def sync_call(kwargs: dict[str, Any], stream: bool) -> int:
    result = litellm.completion(**kwargs)
    if stream:
        count = 0
        for _chunk in result:
            count += 1
        return count
    return 0


async def async_call(kwargs: dict[str, Any], stream: bool) -> int:
    result = await litellm.acompletion(**kwargs)
    if stream:
        count = 0
        async for _chunk in result:
            count += 1
        return count
    return 0


def run_cell(installed: configs.Installed, exporter: Any, reader: Any, transport: str, is_async: bool, stream: bool, base: str, scale: float) -> dict[str, Any]:
    kwargs = call_kwargs(transport, stream, base)
    n = max(4, int(BATCH[(transport, stream)] * scale))
    warm = WARMUP[(transport, stream)]
    walls: list[float] = []
    chunks = 0

    if is_async:

        async def go() -> tuple[float, float, float]:
            nonlocal chunks
            for _ in range(warm):
                await async_call(dict(kwargs), stream)
            await common.drain_async()
            exporter.clear()
            gc.collect()
            nonlocal ttft_before
            ttft_before = ttft_metric_points(reader)
            c0, w0 = time.process_time(), time.perf_counter()
            for _ in range(n):
                t = time.perf_counter()
                chunks = await async_call(dict(kwargs), stream)
                walls.append((time.perf_counter() - t) * 1e6)
            w1 = time.perf_counter()
            await common.drain_async()
            return c0, w0, w1

        ttft_before = 0
        c0, w0, w1 = asyncio.run(go())
    else:
        for _ in range(warm):
            sync_call(dict(kwargs), stream)
        common.drain_threads()
        exporter.clear()
        gc.collect()
        ttft_before = ttft_metric_points(reader)
        c0, w0 = time.process_time(), time.perf_counter()
        for _ in range(n):
            t = time.perf_counter()
            chunks = sync_call(dict(kwargs), stream)
            walls.append((time.perf_counter() - t) * 1e6)
        w1 = time.perf_counter()
        common.drain_threads()
    c1 = time.process_time()
    finished = exporter.get_finished_spans()
    ttft_spans = sum(1 for span in finished if has_ttft(span))
    result = {
        "calls": n,
        "chunks": chunks,
        "wall_us": common.median(walls),
        "wall_iqr": common.quartiles(walls),
        "wall_mean_us": (w1 - w0) / n * 1e6,
        "cpu_us": (c1 - c0) / n * 1e6,
        "spans_per_call": len(finished) / n,
        "ttft_fraction": ttft_spans / n if stream else None,
        "ttft_metric_points": (ttft_metric_points(reader) - ttft_before) if stream else None,
        "span_names": sorted({span.name for span in finished}),
    }
    if installed.pending is not None:
        result["pending_after"] = installed.pending()
    exporter.clear()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True, choices=configs.CONFIGS)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    result: dict[str, Any] = {"config": args.config, "cells": {}}
    why = configs.missing(args.config)
    if why:
        result["missing"] = why
        emit(result)
        return
    scale = 0.1 if args.quick else 1.0
    with Server(chunk_count=CHUNKS, text=words(CHUNKS)) as server:
        global litellm
        import litellm as _litellm

        litellm = _litellm
        tracer_provider, exporter, meter_provider, reader = providers()
        installed = configs.install(args.config, tracer_provider, meter_provider)
        result["notes"] = installed.notes
        gc.collect()
        gc.freeze()  # LiteLLM's large import out of the way of the collections between cells
        for cell, transport, is_async, stream in CELLS:
            result["cells"][cell] = run_cell(installed, exporter, reader, transport, is_async, stream, server.openai_base, scale)
    emit(result)


if __name__ == "__main__":
    sys.exit(main())
