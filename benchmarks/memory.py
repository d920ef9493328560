"""Memory: RSS and litetrace's pending state over many calls, and many concurrent streams.

    python benchmarks/memory.py [--config litetrace] [--calls 100000] [--streams 1000] [--quick]

1. Many calls through real LiteLLM (``mock_response=``, so LiteLLM's callbacks run as in
   production): a repeating mix of sync and async, streamed and not. After a warm-up,
   a checkpoint every tenth of the run: RSS (after ``gc.collect()`` and after LiteLLM's
   logging work is drained), the size of litetrace's pending state, spans ended so far.
2. ``--streams`` async streams at once (``asyncio.gather``) against the local server
   (in a child process, 5 chunks 5 ms apart, so the streams interleave): every span
   must end, with time to first token recorded, and nothing may be left pending.

Spans go to an exporter that only counts them (an in-memory exporter would itself grow
by every span). Prints one JSON object (after ``@@RESULT@@``).
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import sys
import threading
import time
from typing import Any
from collections.abc import Sequence

import common
from common import HTTP_MODEL, MESSAGES, MODEL, Server, emit, has_ttft, rss_bytes, words

import litellm  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult  # noqa: E402

import configs  # noqa: E402

# The repeating mix, per 100 calls: (sync?, stream?) -> count.
MIX = ((True, False, 80), (False, False, 18), (True, True, 1), (False, True, 1))


class CountingExporter(SpanExporter):  # type: ignore[misc]
    """Counts ended spans (and those with time to first token); keeps nothing."""

    def __init__(self) -> None:
        self.spans = 0
        self.ttft = 0
        self._lock = threading.Lock()

    def export(self, spans: Sequence[Any]) -> Any:
        with self._lock:
            self.spans += len(spans)
            self.ttft += sum(1 for span in spans if has_ttft(span))
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass


def providers() -> tuple[Any, CountingExporter, Any]:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider

    exporter = CountingExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    return tracer_provider, exporter, MeterProvider(metric_readers=[InMemoryMetricReader()])


def run_mix(calls: int) -> None:
    """``calls`` calls of the mix, sync ones first, then the async ones on one event loop."""
    plan = {(is_sync, stream): calls * share // 100 for is_sync, stream, share in MIX}
    plan[(True, False)] += calls - sum(plan.values())
    base = {"model": MODEL, "messages": MESSAGES, "mock_response": "Hello there, this is a mock reply."}
    # Interleave sync streams with sync calls so parked spans and markers mix.
    streams_every = max(1, plan[(True, False)] // max(1, plan[(True, True)]))
    done_streams = 0
    for i in range(plan[(True, False)]):
        litellm.completion(**base)
        if i % streams_every == 0 and done_streams < plan[(True, True)]:
            for _chunk in litellm.completion(**base, stream=True):
                pass
            done_streams += 1
    for _ in range(plan[(True, True)] - done_streams):
        for _chunk in litellm.completion(**base, stream=True):
            pass

    async def run_async() -> None:
        every = max(1, plan[(False, False)] // max(1, plan[(False, True)]))
        streamed = 0
        for i in range(plan[(False, False)]):
            await litellm.acompletion(**base)
            if i % every == 0 and streamed < plan[(False, True)]:
                async for _chunk in await litellm.acompletion(**base, stream=True):
                    pass
                streamed += 1
        for _ in range(plan[(False, True)] - streamed):
            async for _chunk in await litellm.acompletion(**base, stream=True):
                pass
        await common.drain_async()

    asyncio.run(run_async())
    common.drain_threads()


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]  # fmt: skip


def malloc_mb() -> dict[str, float]:
    """glibc's view, summed over its arenas: bytes taken from the system, in use, and freed but kept."""
    try:
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):  # not glibc, or older than 2.33
        return {}
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return {"malloc_heap_mb": (info.arena + info.hblkhd) / 2**20, "malloc_in_use_mb": (info.uordblks + info.hblkhd) / 2**20,
            "malloc_free_kept_mb": info.fordblks / 2**20}  # fmt: skip


def checkpoint(installed: configs.Installed, exporter: CountingExporter, calls: int, started: float) -> dict[str, Any]:
    gc.collect()
    return {
        "calls": calls,
        "rss_mb": rss_bytes() / 2**20,
        # What is alive, as opposed to what the allocator holds: RSS can step up while these stay
        # flat (freed memory kept by malloc's per-thread arenas, fragmentation), which is no leak.
        "allocated_blocks": sys.getallocatedblocks(),
        "gc_objects": len(gc.get_objects()),
        # Each thread that allocates gets a glibc arena of its own (up to 8 per core).
        "threads": sorted(thread.name for thread in threading.enumerate()),
        **malloc_mb(),
        "pending": installed.pending() if installed.pending is not None else None,
        "spans": exporter.spans,
        "elapsed_s": time.perf_counter() - started,
    }


def concurrent_streams(count: int, base_url: str) -> dict[str, Any]:
    kwargs = {"model": HTTP_MODEL, "messages": MESSAGES, "api_base": base_url, "api_key": "sk-bench", "stream": True}
    failures: list[str] = []

    async def one() -> int:
        try:
            chunks = 0
            async for _chunk in await litellm.acompletion(**kwargs):
                chunks += 1
            return chunks
        except Exception as error:  # noqa: BLE001  # counted, reported
            failures.append(type(error).__name__)
            return 0

    async def main() -> list[int]:
        results = await asyncio.gather(*(one() for _ in range(count)))
        await common.drain_async()
        return results

    started = time.perf_counter()
    chunk_counts = asyncio.run(main())
    common.drain_threads()
    return {
        "elapsed_s": time.perf_counter() - started,
        "completed": sum(1 for c in chunk_counts if c),
        "failures": len(failures),
        "failure_types": sorted(set(failures)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="litetrace", choices=configs.CONFIGS)
    parser.add_argument("--calls", type=int, default=None)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    calls = args.calls or (2_000 if args.quick else 100_000)
    warmup = min(2_000, calls // 5)
    result: dict[str, Any] = {"config": args.config, "calls": calls, "warmup_calls": warmup, "mix": MIX}
    why = configs.missing(args.config)
    if why:
        result["missing"] = why
        emit(result)
        return
    tracer_provider, exporter, meter_provider = providers()
    installed = configs.install(args.config, tracer_provider, meter_provider)
    started = time.perf_counter()
    result["rss_start_mb"] = rss_bytes() / 2**20

    run_mix(warmup)
    points = [checkpoint(installed, exporter, 0, started)]
    segment = max(1, calls // 10)
    done = 0
    while done < calls:
        step = min(segment, calls - done)
        run_mix(step)
        done += step
        points.append(checkpoint(installed, exporter, done, started))
    result["checkpoints"] = points
    spans_per_call = (exporter.spans - 0) / (calls + warmup)
    result["spans_per_call"] = spans_per_call
    result["rss_growth_mb"] = points[-1]["rss_mb"] - points[0]["rss_mb"]
    result["allocated_blocks_growth"] = points[-1]["allocated_blocks"] - points[0]["allocated_blocks"]
    result["gc_objects_growth"] = points[-1]["gc_objects"] - points[0]["gc_objects"]
    result["pending_max"] = max((p["pending"] or 0) for p in points) if installed.pending is not None else None
    result["pending_end"] = points[-1]["pending"]

    if args.streams:
        spans_before, ttft_before = exporter.spans, exporter.ttft
        gc.collect()
        rss_before = rss_bytes()
        with Server(chunk_count=5, text=words(5), chunk_delay=0.005) as server:
            streams = concurrent_streams(args.streams, server.openai_base)
        gc.collect()
        streams.update(
            count=args.streams,
            spans_ended=exporter.spans - spans_before,
            ttft_recorded=exporter.ttft - ttft_before,
            pending_after=installed.pending() if installed.pending is not None else None,
            rss_before_mb=rss_before / 2**20,
            rss_after_mb=rss_bytes() / 2**20,
            rss_growth_mb=(rss_bytes() - rss_before) / 2**20,
        )
        result["streams"] = streams
    emit(result)


if __name__ == "__main__":
    sys.exit(main())
