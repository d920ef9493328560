"""What litetrace's stream proxy costs per chunk, and once at the end of a stream.

A synthetic in-memory stream of N real ``ModelResponseStream`` chunks is read (a) bare,
(b) through litetrace's ``StreamWrapper`` with a real ``StreamState`` on a real SDK
tracer (in-memory exporter) and meter. Bare and wrapped runs alternate; the figure is
the median over repetitions of (wrapped - bare) ns per chunk. The end of a stream
(``StreamState.finish``: folding the chunks, writing the attributes, recording the
metrics, ending the span) is timed apart, in microseconds. Same for the async proxy.

    LITELLM_LOCAL_MODEL_COST_MAP=True python benchmarks/stream_chunk_cost.py [--quick]

Writes benchmarks/results/stream_chunk_cost.json.
"""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # before litellm: no price-list download

import asyncio
import gc
import json
import platform
import statistics
import sys
import time
from importlib.metadata import version
from itertools import islice
from pathlib import Path
from typing import Any

from litellm.types.utils import Delta, ModelResponseStream, StreamingChoices, Usage
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from litetrace.instrumentation.calls import CallRecorder
from litetrace.instrumentation.pairing import CallPairing
from litetrace.metrics import Instruments
from litetrace.settings import Settings
from litetrace.stream import AsyncStreamWrapper, StreamState, StreamWrapper
from litetrace.stream.timing import COMPLETED

SIZES = (5, 52, 1000)
CHUNKS_PER_REPETITION = 2000  # each timed region reads about this many chunks (several streams when N is small)
RESULTS = Path(__file__).resolve().parent / "results" / "stream_chunk_cost.json"
GOAL_NS_PER_CHUNK = 1000
WHAT = (
    "litetrace StreamWrapper/AsyncStreamWrapper cost per chunk (wrapped minus bare, medians) and "
    "StreamState.finish cost per stream, on an in-memory stream of real ModelResponseStream chunks"
)


def make_chunks(count: int) -> list[ModelResponseStream]:
    """A chat stream as LiteLLM hands it out: role, content pieces, finish reason, usage."""
    def chunk(delta: Delta, finish: str | None = None) -> ModelResponseStream:
        choice = StreamingChoices(index=0, delta=delta, finish_reason=finish)
        return ModelResponseStream(id="chatcmpl-bench", created=1, model="gpt-4o-mini", choices=[choice])

    chunks = [chunk(Delta(role="assistant", content=""))]
    chunks += [chunk(Delta(content=f"tok{i} ")) for i in range(max(count - 3, 0))]
    chunks.append(chunk(Delta(), "stop"))
    usage = Usage(prompt_tokens=12, completion_tokens=count, total_tokens=count + 12)
    chunks.append(ModelResponseStream(id="chatcmpl-bench", created=1, model="gpt-4o-mini", choices=[], usage=usage))
    return chunks[:count]


class AsyncChunks:
    """The smallest async iterator over a list: what the async proxy wraps here."""

    def __init__(self, chunks: list[Any]) -> None:
        self._it = iter(chunks)

    def __aiter__(self) -> AsyncChunks:
        return self

    async def __anext__(self) -> Any:
        try:
            return next(self._it)
        except StopIteration:
            raise StopAsyncIteration from None


class Bench:
    """A real tracer and meter behind litetrace's CallRecorder, as instrument() builds it."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        meter = MeterProvider(metric_readers=[InMemoryMetricReader()]).get_meter("bench")
        self.pending = CallPairing(Settings.callback_deadline, Settings.max_pending)
        self.recorder = CallRecorder(tracer_provider.get_tracer("bench"), Instruments(meter), Settings(), self.pending)

    def state(self) -> StreamState:
        """A stream's state after the wrapt patch's part of a real call (span started, context restored)."""
        kwargs = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "stream": True,
                  "api_base": "http://127.0.0.1:9/v1"}  # fmt: skip
        call = self.recorder.begin("chat", (), kwargs)
        self.recorder.detach(call)
        assert call is not None
        # As when LiteLLM's callback came while the stream was open: finish() ends the span itself.
        call.enriched = True
        return StreamState(self.recorder, call)


def timed(run: Any) -> int:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        run()
        return time.perf_counter_ns() - start
    finally:
        gc.enable()


def measure_sync(bench: Bench, chunks: list[Any], repetitions: int) -> dict[str, Any]:
    n = len(chunks)
    streams = max(1, CHUNKS_PER_REPETITION // n)
    bare_ns: list[float] = []
    wrapped_ns: list[float] = []
    finish_us: list[float] = []
    for _ in range(repetitions):
        bare = [iter(chunks) for _ in range(streams)]
        states = [bench.state() for _ in range(streams)]
        wrapped = [StreamWrapper(iter(chunks), state) for state in states]

        def read(iterators: list[Any]) -> None:
            # islice stops after n chunks without asking for more: the end-of-stream is timed apart.
            for iterator in iterators:
                for _ in islice(iterator, n):
                    pass

        def finish(states: list[StreamState] = states) -> None:
            for state in states:
                state.finish(COMPLETED)

        bare_ns.append(timed(lambda bare=bare: read(bare)) / (streams * n))
        wrapped_ns.append(timed(lambda wrapped=wrapped: read(wrapped)) / (streams * n))
        finish_us.append(timed(finish) / streams / 1000)
        assert all(state.count == n for state in states)
        bench.exporter.clear()
    return summarize(n, streams, bare_ns, wrapped_ns, finish_us)


def measure_async(bench: Bench, chunks: list[Any], repetitions: int) -> dict[str, Any]:
    n = len(chunks)
    streams = max(1, CHUNKS_PER_REPETITION // n)
    bare_ns: list[float] = []
    wrapped_ns: list[float] = []
    finish_us: list[float] = []

    async def read(iterators: list[Any]) -> int:
        start = time.perf_counter_ns()
        for iterator in iterators:
            for _ in range(n):
                await anext(iterator)
        return time.perf_counter_ns() - start

    async def main() -> None:
        for _ in range(repetitions):
            bare = [AsyncChunks(chunks) for _ in range(streams)]
            states = [bench.state() for _ in range(streams)]
            wrapped = [AsyncStreamWrapper(AsyncChunks(chunks), state) for state in states]
            gc.collect()
            gc.disable()
            try:
                bare_ns.append(await read(bare) / (streams * n))
                wrapped_ns.append(await read(wrapped) / (streams * n))
            finally:
                gc.enable()
            finish_us.append(timed(lambda states=states: [state.finish(COMPLETED) for state in states]) / streams / 1000)
            assert all(state.count == n for state in states)
            bench.exporter.clear()

    asyncio.run(main())
    return summarize(n, streams, bare_ns, wrapped_ns, finish_us)


def summarize(n: int, streams: int, bare: list[float], wrapped: list[float], finish: list[float]) -> dict[str, Any]:
    overhead = [w - b for b, w in zip(bare, wrapped, strict=False)]
    return {
        "chunks": n,
        "streams_per_repetition": streams,
        "repetitions": len(bare),
        "bare_ns_per_chunk": round(statistics.median(bare), 1),
        "wrapped_ns_per_chunk": round(statistics.median(wrapped), 1),
        "overhead_ns_per_chunk": round(statistics.median(overhead), 1),
        "overhead_ns_per_chunk_p10_p90": [round(q, 1) for q in quantiles(overhead)],
        "finish_us": round(statistics.median(finish), 2),
        # What a chunk costs in all, with the end of the stream spread over its chunks.
        "amortized_ns_per_chunk": round(statistics.median(overhead) + statistics.median(finish) * 1000 / n, 1),
        "finish_us_p10_p90": [round(q, 2) for q in quantiles(finish)],
    }


def quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return ordered[len(ordered) // 10], ordered[(len(ordered) * 9) // 10]


def main() -> None:
    quick = "--quick" in sys.argv
    repetitions = 7 if quick else 31
    bench = Bench()
    rows: list[dict[str, Any]] = []
    for mode, measure in (("sync", measure_sync), ("async", measure_async)):
        for size in SIZES:
            chunks = make_chunks(size)
            measure(bench, chunks, 3)  # warm-up: imports, first span, first metric points
            rows.append({"mode": mode, **measure(bench, chunks, repetitions)})
    header = (f"{'mode':<6} {'N':>5} {'bare ns/chunk':>14} {'wrapped ns/chunk':>17} {'overhead ns/chunk':>18} "
              f"{'p10..p90':>15} {'finish us':>10} {'amortized ns/chunk':>19}")  # fmt: skip
    print(header)
    for row in rows:
        low, high = row["overhead_ns_per_chunk_p10_p90"]
        print(f"{row['mode']:<6} {row['chunks']:>5} {row['bare_ns_per_chunk']:>14.1f} {row['wrapped_ns_per_chunk']:>17.1f} "
              f"{row['overhead_ns_per_chunk']:>18.1f} {f'{low:.0f}..{high:.0f}':>15} {row['finish_us']:>10.1f} "
              f"{row['amortized_ns_per_chunk']:>19.1f}")  # fmt: skip
    worst = max(row["overhead_ns_per_chunk"] for row in rows)
    verdict = "met" if worst <= GOAL_NS_PER_CHUNK else "MISSED"
    print(f"worst per-chunk overhead {worst:.0f} ns; goal <= {GOAL_NS_PER_CHUNK} ns: {verdict} (peers: 12-28 us per chunk)")
    report = {
        "benchmark": "stream_chunk_cost",
        "what": WHAT,
        "goal_ns_per_chunk": GOAL_NS_PER_CHUNK,
        "goal_met": worst <= GOAL_NS_PER_CHUNK,
        "environment": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "litellm": version("litellm"),
            "opentelemetry-sdk": version("opentelemetry-sdk"),
            "wrapt": version("wrapt"),
            "gc_during_timed_regions": "disabled",
        },
        "results": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
