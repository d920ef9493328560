"""Cost of litetrace's workflow layer: an empty ``@task``, and ``litetrace.context`` per LLM call.

    python benchmarks/decorators.py [--rounds 15] [--iterations 2000] [--instructions]
                                    [--out benchmarks/results/decorators.json]

Beside each litetrace figure, its floor: the same function under a plain OpenTelemetry span
(``tracer.start_as_current_span``), on the same SDK provider (a processor that drops ended
spans, so export cost is left out of both). The LLM-call rows time litetrace's own per-call
path (``CallRecorder.begin`` ... ``succeed`` with a ready-made LiteLLM response: LiteLLM's
work is left out), with no context, inside ``litetrace.context(...)``, and with per-call
``metadata=``. Timing: CPU (process time) and wall, per iteration, the median of ``--rounds``
rounds, the scenarios alternated within each round. ``--instructions`` also counts
instructions per iteration under callgrind (two iteration counts; the difference divided by
their difference), free of the machine's load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import common  # noqa: F401  # sets LITELLM_LOCAL_MODEL_COST_MAP before LiteLLM is imported
from common import HERE, emit, machine

Runner = Callable[[int], None]
SCENARIOS = (
    "function", "otel_span", "task", "async_function", "async_otel_span", "async_task",
    "llm_call", "llm_call_in_context", "llm_call_with_metadata",
)  # fmt: skip
FLOOR = {"task": "otel_span", "async_task": "async_otel_span", "llm_call_in_context": "llm_call",
         "llm_call_with_metadata": "llm_call", "otel_span": "function", "async_otel_span": "async_function"}


def _providers() -> tuple[Any, Any]:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider

    class Drop(SpanProcessor):  # type: ignore[misc]
        def on_end(self, span: Any) -> None:
            pass

    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(Drop())
    return tracer_provider, MeterProvider(metric_readers=[InMemoryMetricReader()])


def build() -> dict[str, Runner]:
    """Every scenario as ``run(n)``: n iterations."""
    import litellm

    import litetrace

    tracer_provider, meter_provider = _providers()
    instrumentor = litetrace.Instrumentor()
    instrumentor.instrument(tracer_provider=tracer_provider, meter_provider=meter_provider, thread_context=False)
    tracer = tracer_provider.get_tracer("bench")
    messages = [{"role": "user", "content": "hi"}]
    response = litellm.completion(model="openai/gpt-4o-mini", messages=messages, mock_response="hello")
    telemetry = instrumentor.telemetry

    def empty() -> None:
        pass

    async def aempty() -> None:
        pass

    traced = litetrace.task(name="empty")(empty)
    atraced = litetrace.task(name="aempty")(aempty)

    def function(n: int) -> None:
        for _ in range(n):
            empty()

    def otel_span(n: int) -> None:
        for _ in range(n):
            with tracer.start_as_current_span("empty"):
                empty()

    def task(n: int) -> None:
        for _ in range(n):
            traced()

    async def _afunction(n: int) -> None:
        for _ in range(n):
            await aempty()

    async def _aspan(n: int) -> None:
        for _ in range(n):
            with tracer.start_as_current_span("aempty"):
                await aempty()

    async def _atask(n: int) -> None:
        for _ in range(n):
            await atraced()

    def llm(n: int, metadata: dict[str, Any] | None = None) -> None:
        for _ in range(n):
            kwargs: dict[str, Any] = {"model": "openai/gpt-4o-mini", "messages": messages}
            if metadata is not None:
                kwargs["metadata"] = metadata
            call = telemetry.begin("chat", (), kwargs)
            telemetry.detach(call)
            telemetry.succeed(call, response)

    def llm_in_context(n: int) -> None:
        with litetrace.context(session_id="s-1", user_id="u-1", customer_id="acme", tags=["beta"],
                               metadata={"plan": "pro", "region": "eu"}):
            llm(n)

    call_metadata = {"session_id": "s-1", "trace_user_id": "u-1", "tags": ["beta"], "generation_name": "g",
                     "plan": "pro", "region": "eu"}
    return {
        "function": function,
        "otel_span": otel_span,
        "task": task,
        "async_function": lambda n: asyncio.run(_afunction(n)),
        "async_otel_span": lambda n: asyncio.run(_aspan(n)),
        "async_task": lambda n: asyncio.run(_atask(n)),
        "llm_call": llm,
        "llm_call_in_context": llm_in_context,
        "llm_call_with_metadata": lambda n: llm(n, call_metadata),
    }


def timed(runners: dict[str, Runner], rounds: int, iterations: int) -> dict[str, Any]:
    """Median CPU and wall microseconds per iteration, scenarios alternated within each round."""
    for run in runners.values():
        run(200)  # warm-up: lazy imports, caches
    cpu: dict[str, list[float]] = {name: [] for name in runners}
    wall: dict[str, list[float]] = {name: [] for name in runners}
    for index in range(rounds):
        order = list(runners) if index % 2 == 0 else list(reversed(runners))
        for name in order:
            c0, w0 = time.process_time_ns(), time.perf_counter_ns()
            runners[name](iterations)
            cpu[name].append((time.process_time_ns() - c0) / iterations / 1000)
            wall[name].append((time.perf_counter_ns() - w0) / iterations / 1000)
    return {
        name: {"cpu_us": round(statistics.median(cpu[name]), 3), "wall_us": round(statistics.median(wall[name]), 3),
               "wall_range_us": [round(min(wall[name]), 3), round(max(wall[name]), 3)]}
        for name in runners
    }


# -- instruction counts ---------------------------------------------------------------------------


def child(n1: int, n2: int) -> None:
    """Under callgrind: set-up once, then per scenario n1 and n2 iterations between getloadavg() boundaries."""
    import gc

    runners = build()
    for run in runners.values():
        run(50)
    gc.disable()
    for run in runners.values():
        os.getloadavg()
        run(n1)
        os.getloadavg()
        run(n2)
    os.getloadavg()
    emit({"scenarios": list(runners)})


def instructions(n1: int, n2: int) -> dict[str, float | None]:
    """Instructions per iteration of each scenario (one process: LiteLLM is imported once)."""
    from instructions import _dumps

    with tempfile.TemporaryDirectory(prefix="litetrace-callgrind-") as folder:
        out = os.path.join(folder, "callgrind.out")
        command = ["valgrind", "--tool=callgrind", "--dump-before=getloadavg", f"--callgrind-out-file={out}",
                   sys.executable, os.path.abspath(__file__), "--child", "--calls", f"{n1},{n2}"]
        proc = subprocess.run(command, capture_output=True, timeout=3600)
        dumps = _dumps(out)
    expected = 2 * len(SCENARIOS)
    if proc.returncode != 0 or len(dumps) < expected + 1:
        return dict.fromkeys(SCENARIOS)
    # Dumps: set-up, then per scenario its N1 run and its N2 run (each dump holds what ran since the previous one).
    cells = dumps[-expected:]
    return {name: (cells[2 * i + 1] - cells[2 * i]) / (n2 - n1) for i, name in enumerate(SCENARIOS)}


def table(times: dict[str, Any], counts: dict[str, float | None]) -> str:
    lines = ["| scenario | CPU us | wall us | added over its floor (CPU us) | instructions |", "|---|---|---|---|---|"]
    for name, values in times.items():
        floor = FLOOR.get(name)
        added = f"{values['cpu_us'] - times[floor]['cpu_us']:+.2f} over {floor}" if floor else ""
        count = counts.get(name)
        lines.append(f"| {name} | {values['cpu_us']:.2f} | {values['wall_us']:.2f} | {added} | "
                     f"{'' if count is None else f'{count:,.0f}'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--instructions", action="store_true", help="also count instructions under callgrind")
    parser.add_argument("--calls", default="200,800", help="callgrind iteration counts N1,N2")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=os.path.join(HERE, "results", "decorators.json"))
    args = parser.parse_args()
    n1, n2 = (int(part) for part in args.calls.split(","))
    if args.child:
        child(n1, n2)
        return
    times = timed(build(), args.rounds, args.iterations)
    counts: dict[str, float | None] = {}
    if args.instructions and shutil.which("valgrind"):
        counts = instructions(n1, n2)
    result = {"machine": machine(), "rounds": args.rounds, "iterations": args.iterations, "times": times,
              "instructions_per_iteration": counts}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2)
    print(table(times, counts))


if __name__ == "__main__":
    main()
