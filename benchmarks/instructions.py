"""Intrinsic cost as instructions per call, counted by callgrind: free of the machine's load.

    python benchmarks/instructions.py [--configs none,floor,...] [--calls 40,160] [--jobs 2]
                                      [--out benchmarks/results/instructions.json]

The same set-up as ``intrinsic.py`` (real LiteLLM objects recorded through the local server,
LiteLLM's entry points stubbed, each configuration installed on the stubs, its callback
payloads delivered as LiteLLM would), run once per configuration under
``valgrind --tool=callgrind --instr-atstart=no --dump-before=getloadavg`` (instrumentation is
switched on only for the cells: start-up runs uninstrumented). The child marks boundaries by
calling ``os.getloadavg()``, which nothing else calls; callgrind then writes the counts
since the previous boundary. Each cell runs ``N1`` calls, then ``N2`` calls, each between
two boundaries, so

    instructions per call = (I(N2) - I(N1)) / (N2 - N1)

with everything constant per cell (the boundary itself, the loop's set-up) cancelled.
``--whole-call`` counts real LiteLLM calls instead (no stubs): ``mock_response=`` and over
HTTP to the local provider (started by the parent, outside callgrind: its work is not the
client's), sync and async, non-streamed and streamed (52 chunks). After each batch the child
waits, inside the counted window, until LiteLLM's logging thread pool and async logging
worker are idle, so a callback's work (and LiteLLM's own end-of-stream logging) is counted.

Python's cyclic garbage collector is paused while counting: when it runs depends on the
whole heap, not on the call (the timed benchmark keeps it on). Needs ``valgrind``;
without it the configurations are reported as missing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import common  # noqa: F401  # sets LITELLM_LOCAL_MODEL_COST_MAP for the children too
from common import HERE, emit, machine

import configs

DEFAULT_CONFIGS = ("none", "floor", "floor+metrics", "litetrace", "litetrace-nometrics", "openinference", "traceloop", "litellm-otel")
# Calls before counting: first-call work (lazy imports, caches) is not per-call cost.
WARMUP_CALLS = 10
_TOTALS = re.compile(rb"^(?:summary|totals):\s+(\d+)", re.MULTILINE)


# -- the child, under callgrind ----------------------------------------------------------------


def _mark() -> None:
    """A boundary: callgrind dumps (and restarts) its counts on entering getloadavg()."""
    os.getloadavg()


def _start_counting() -> None:
    """Switch callgrind's instrumentation on: the child starts with it off (``--instr-atstart=no``),
    so imports, recording and set-up run uninstrumented, about six times faster, and uncounted.

    ``callgrind_control`` is served while this process runs code, so the main thread spins
    until it returns. A boundary then drops what the switch itself ran.
    """
    done: list[subprocess.CompletedProcess[bytes]] = []

    def switch() -> None:
        done.append(subprocess.run(["callgrind_control", "--instr=on", str(os.getpid())], capture_output=True, timeout=300))

    threading.Thread(target=switch, daemon=True).start()
    while not done:
        pass
    if done[0].returncode != 0:
        raise SystemExit(f"callgrind_control --instr=on failed: {done[0].stdout!r} {done[0].stderr!r}")
    _mark()


def _count_sync(run: Any, n1: int, n2: int, warmup: int = WARMUP_CALLS) -> None:
    run(warmup)
    gc.collect()
    gc.disable()
    try:
        _mark()
        run(n1)
        _mark()
        run(n2)
        _mark()
    finally:
        gc.enable()


def _count_async(run: Any, n1: int, n2: int, warmup: int = WARMUP_CALLS) -> None:
    async def main() -> None:
        await run(warmup)
        gc.collect()
        gc.disable()
        try:
            _mark()
            await run(n1)
            _mark()
            await run(n2)
            _mark()
        finally:
            gc.enable()

    asyncio.run(main())


def _chosen(cells: Any, variable: str) -> list[Any]:
    """The cells named in ``$variable`` (comma-separated), or all of them."""
    names = [cell for cell in os.environ.get(variable, "").split(",") if cell]
    return [cell for cell in cells if not names or cell[0] in names]


def child(name: str, n1: int, n2: int) -> None:
    import intrinsic
    from common import providers

    recorded = intrinsic.record()
    stubs = intrinsic.Stubs(recorded)
    stubs.install()
    tracer_provider, _exporter, meter_provider, _reader = providers()
    cells: list[str] = []
    _start_counting()
    if name in ("floor", "floor+metrics"):
        attributes = intrinsic.litetrace_attributes(stubs, tracer_provider, _exporter, meter_provider)
        tracer = tracer_provider.get_tracer("benchmark.floor")
        for cell, _is_async, _chunks, error in _chosen(intrinsic.CELLS, "LITETRACE_CELLS"):
            span_name, attrs = attributes[cell]
            if name == "floor":
                loop = intrinsic.floor_loop(tracer, span_name, attrs)
            else:
                loop = intrinsic.floor_metrics_loop(tracer, meter_provider, span_name, attrs, error)
            _count_sync(loop, n1, n2)
            cells.append(cell)
        emit({"config": name, "cells": cells})
        return

    installed = configs.install(name, tracer_provider, meter_provider)
    callback = installed.callback
    for cell, is_async, chunks, error in _chosen(intrinsic.CELLS, "LITETRACE_CELLS"):
        stubs.chunks = recorded.get(f"chunks{chunks}", [])
        stubs.hidden = recorded.get(f"stream_hidden{chunks}", {})
        stubs.failing = error
        stubs.fail_callback = callback.log_failure_event if (error and callback is not None) else None
        if is_async:
            _count_async(intrinsic.async_loop(stubs, callback, chunks), n1, n2)
        else:
            _count_sync(intrinsic.sync_loop(stubs, callback, chunks, error), n1, n2)
        cells.append(cell)
    stubs.failing = False
    emit({"config": name, "cells": cells, "pending_after": installed.pending() if installed.pending else None})


WHOLE_CONFIGS = ("none", "noop-logger", "litetrace", "litetrace-nogenai", "litetrace-nometrics", "traceloop", "openinference", "litellm-otel")
WHOLE_CHUNKS = 52
WHOLE_WARMUP_CALLS = 4  # a real call is ~10x the stub harness's: fewer suffice for first-call work


def _idle_sync() -> None:
    """LiteLLM's logging thread pool has nothing queued or running (polled coarsely: each poll
    is counted, so few of them)."""
    from litellm.litellm_core_utils.thread_pool_executor import executor

    slots, limit = getattr(executor, "_pending_slots", None), getattr(executor, "_max_pending_tasks", None)
    deadline = time.monotonic() + 120
    while slots is not None and slots._value < limit and time.monotonic() < deadline:
        time.sleep(0.01)


def whole_child(name: str, n1: int, n2: int, base: str) -> None:
    import whole_call
    from common import providers

    import litellm

    whole_call.litellm = litellm
    tracer_provider, exporter, meter_provider, _reader = providers()
    installed = configs.install(name, tracer_provider, meter_provider)
    gc.collect()
    gc.freeze()
    cells, spans = [], {}
    _start_counting()
    for cell, transport, is_async, stream in _chosen(whole_call.CELLS, "LITETRACE_WHOLE_CELLS"):
        kwargs = whole_call.call_kwargs(transport, stream, base)
        if is_async:

            async def run(n: int, kwargs: dict[str, Any] = kwargs, stream: bool = stream) -> None:
                for _ in range(n):
                    await whole_call.async_call(dict(kwargs), stream)
                await common.drain_async()
                _idle_sync()

            _count_async(run, n1, n2, WHOLE_WARMUP_CALLS)
        else:

            def run(n: int, kwargs: dict[str, Any] = kwargs, stream: bool = stream) -> None:  # type: ignore[misc]
                for _ in range(n):
                    whole_call.sync_call(dict(kwargs), stream)
                _idle_sync()

            _count_sync(run, n1, n2, WHOLE_WARMUP_CALLS)
        spans[cell] = len(exporter.get_finished_spans())
        exporter.clear()
        cells.append(cell)
    emit({"config": name, "cells": cells, "spans": spans, "pending_after": installed.pending() if installed.pending else None})


# -- the parent ------------------------------------------------------------------------------


def run_config(name: str, n1: int, n2: int, timeout: float, base: str | None = None) -> dict[str, Any]:
    why = configs.missing(name)
    if why:
        return {"config": name, "missing": why}
    if shutil.which("valgrind") is None:
        return {"config": name, "missing": "valgrind is not installed (Debian: apt-get install valgrind)"}
    with tempfile.TemporaryDirectory(prefix="litetrace-callgrind-") as folder:
        out = os.path.join(folder, "callgrind.out")
        command = [
            "valgrind", "--tool=callgrind", "--instr-atstart=no", "--dump-before=getloadavg", f"--callgrind-out-file={out}",
            sys.executable, os.path.join(HERE, "instructions.py"), "--child", name, "--calls", f"{n1},{n2}",
            *(["--base", base] if base else []),
        ]  # fmt: skip
        started = time.monotonic()
        proc = subprocess.run(command, capture_output=True, timeout=timeout, env={**os.environ, "PYTHONPATH": _pythonpath()})
        seconds = time.monotonic() - started
        if proc.returncode != 0 or b"@@RESULT@@" not in proc.stdout:
            tail = (proc.stderr or b"")[-2000:].decode(errors="replace")
            return {"config": name, "failed": f"exit {proc.returncode}: {tail}"}
        result = json.loads(proc.stdout.rsplit(b"@@RESULT@@", 1)[1].splitlines()[0])
        dumps = _dumps(out)
    # Callgrind zeroes its counts at each dump, so a dump holds what ran since the previous
    # boundary: per cell, its set-up and warm-up, then N1 calls, then N2 calls (three dumps).
    # The cells' dumps are the last ones (anything before the first cell would come first).
    cells: dict[str, Any] = {}
    expected = 3 * len(result["cells"])
    if len(dumps) < expected:
        return {"config": name, "failed": f"{len(dumps)} callgrind dumps, expected at least {expected}"}
    offset = len(dumps) - expected
    for index, cell in enumerate(result["cells"]):
        first, second = dumps[offset + 3 * index + 1], dumps[offset + 3 * index + 2]
        cells[cell] = {"n1": n1, "n2": n2, "instructions_n1": first, "instructions_n2": second, "per_call": (second - first) / (n2 - n1)}
    return {"config": name, "cells": cells, "seconds": round(seconds, 1), "pending_after": result.get("pending_after"),
            "spans": result.get("spans")}


def _pythonpath() -> str:
    root = os.path.dirname(HERE)
    current = os.environ.get("PYTHONPATH")
    return os.pathsep.join(part for part in (HERE, root, current) if part)


def _dumps(out: str) -> list[int]:
    """Instruction totals of callgrind's dumps, in order (``out.1``, ``out.2``, ...; the final
    counts, after the last boundary, go to ``out`` itself and are not needed)."""
    folder, base = os.path.split(out)
    numbered = []
    for entry in os.listdir(folder):
        if entry.startswith(base + "."):
            suffix = entry[len(base) + 1 :]
            if suffix.isdigit():
                numbered.append((int(suffix), os.path.join(folder, entry)))
    totals = []
    for _number, path in sorted(numbered):
        with open(path, "rb") as handle:
            found = _TOTALS.search(handle.read())
        totals.append(int(found.group(1)) if found else 0)
    return totals


# -- tables -------------------------------------------------------------------------------------


def summarize(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Instructions added per call over no instrumentation, per cell, and per chunk."""
    by_name = {result["config"]: result for result in results if "cells" in result}
    base = by_name.get("none")
    summary: dict[str, Any] = {}
    for name, result in by_name.items():
        row: dict[str, Any] = {}
        for cell, values in result["cells"].items():
            added = values["per_call"] - base["cells"][cell]["per_call"] if base and name != "none" and cell in base["cells"] else None
            row[cell] = {"per_call": values["per_call"], "added": added}
        # The floor spans read no chunks: a per-chunk figure would be the stubs' noise.
        for prefix in ("sync", "async") if not name.startswith("floor") else ():
            five, fifty_two = row.get(f"{prefix} stream 5"), row.get(f"{prefix} stream 52")
            if five and fifty_two and five["added"] is not None and fifty_two["added"] is not None:
                row[f"{prefix} per chunk"] = {"added": (fifty_two["added"] - five["added"]) / 47}
        summary[name] = row
    return summary


def _markdown(results: list[dict[str, Any]], headers: list[str], columns: list[str], text: Any) -> str:
    """One row per configuration: ``text(name, column)`` per column, or why it did not run."""
    lines = ["| configuration | " + " | ".join(headers) + " |", "|---|" + "---|" * len(columns)]
    for result in results:
        name = result["config"]
        label = configs.LABELS.get(name, name)
        if "cells" not in result:
            figures = [result.get("missing") or "failed"] + ["–"] * (len(columns) - 1)
        else:
            figures = [text(name, column) for column in columns]
        lines.append(f"| {label} | " + " | ".join(figures) + " |")
    return "\n".join(lines)


def table(results: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    columns = ["sync", "async", "sync error", "sync per chunk", "async per chunk"]

    def text(name: str, column: str) -> str:
        value = summary[name].get(column, {})
        figure = value.get("added") if name != "none" else value.get("per_call")
        if figure is None:
            return "–"
        return f"{figure:,.0f}" if "chunk" in column else f"{figure / 1000:,.1f}"

    headers = [f"{c} (k instr.)" if "chunk" not in c else f"{c} (instr.)" for c in columns]
    return _markdown(results, headers, columns, text)


def whole_table(results: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    """Per whole-call cell: millions of instructions per call for no instrumentation, and what
    each configuration adds (thousands, and percent of the bare call)."""
    import whole_call

    cells = [cell for cell, *_ in whole_call.CELLS]
    base = summary.get("none", {})

    def text(name: str, cell: str) -> str:
        value = summary[name].get(cell)
        if value is None:
            return "–"
        if name == "none":
            return f"{value['per_call'] / 1e6:.2f} M"
        bare, added = base.get(cell, {}).get("per_call") or 0, value["added"]
        return f"{added / 1000:+,.0f} k ({added / bare:+.1%})" if bare else f"{added / 1000:+,.0f} k"

    return _markdown(results, cells, cells, text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)  # the child of --whole-call: the local provider
    parser.add_argument("--whole-call", action="store_true", help="count real LiteLLM calls (mock and HTTP), not the stub harness; "
                        "LITETRACE_WHOLE_CELLS='mock sync,http sync' counts only those cells "
                        "(LITETRACE_CELLS='sync,async' for the stub harness)")
    parser.add_argument("--configs", help=f"default: {','.join(DEFAULT_CONFIGS)}; with --whole-call: {','.join(WHOLE_CONFIGS)}")
    parser.add_argument("--calls", help="N1,N2: calls per cell in the two counted runs (default 40,160; with --whole-call 10,40)")
    parser.add_argument("--jobs", type=int, default=2, help="configurations counted at once (counts do not depend on it)")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--out", help="default: benchmarks/results/instructions.json (--whole-call: instructions_whole_call.json)")
    args = parser.parse_args()
    whole = args.whole_call or args.base is not None
    n1, n2 = (int(part) for part in (args.calls or ("10,40" if whole else "40,160")).split(","))
    if n2 <= n1:
        parser.error("--calls N1,N2 needs N2 > N1")
    if args.child:
        if args.base:
            whole_child(args.child, n1, n2, args.base)
        else:
            child(args.child, n1, n2)
        return

    names = [name for name in (args.configs or ",".join(WHOLE_CONFIGS if whole else DEFAULT_CONFIGS)).split(",") if name]
    unknown = [name for name in names if name not in configs.CONFIGS + configs.INTRINSIC_EXTRA]
    if unknown:
        parser.error(f"unknown configurations: {', '.join(unknown)}")
    out = args.out or os.path.join(HERE, "results", "instructions_whole_call.json" if whole else "instructions.json")
    started = time.monotonic()
    if whole:
        from common import Server, words

        with Server(chunk_count=WHOLE_CHUNKS, text=words(WHOLE_CHUNKS)) as server, ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
            results = list(pool.map(lambda name: run_config(name, n1, n2, args.timeout, server.openai_base), names))
        summary = summarize(results)
        text = whole_table(results, summary)
    else:
        with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
            results = list(pool.map(lambda name: run_config(name, n1, n2, args.timeout), names))
        summary = summarize(results)
        text = table(results, summary)
    header = (
        f"Instructions per call (callgrind), added over no instrumentation (that row: its own total); "
        f"{'whole LiteLLM calls, ' if whole else ''}cells of {n1} and {n2} calls; {time.monotonic() - started:.0f} s."
    )
    print(header)
    print(text)
    for result in results:
        if "failed" in result:
            print(f"{result['config']}: FAILED {result['failed']}", file=sys.stderr)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as handle:
        json.dump({"machine": machine(), "calls": [n1, n2], "results": results, "summary": summary}, handle, indent=1)
    command = "python benchmarks/instructions.py" + (" --whole-call" if whole else "")
    with open(os.path.splitext(out)[0] + ".md", "w") as handle:
        handle.write(f"# litetrace: instructions per call\n\nCommand: `{command}`\n\n{header}\n\n{text}\n")
    if any("failed" in result for result in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
