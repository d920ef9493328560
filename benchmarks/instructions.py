"""Intrinsic cost as instructions per call, counted by callgrind: free of the machine's load.

    python benchmarks/instructions.py [--configs none,floor,...] [--calls 40,160] [--jobs 2]
                                      [--out benchmarks/results/instructions.json]

The same set-up as ``intrinsic.py`` (real LiteLLM objects recorded through the local server,
LiteLLM's entry points stubbed, each configuration installed on the stubs, its callback
payloads delivered as LiteLLM would), run once per configuration under
``valgrind --tool=callgrind --dump-before=getloadavg``. The child marks boundaries by
calling ``os.getloadavg()``, which nothing else calls; callgrind then writes the counts
since the previous boundary. Each cell runs ``N1`` calls, then ``N2`` calls, each between
two boundaries, so

    instructions per call = (I(N2) - I(N1)) / (N2 - N1)

with everything constant per cell (the boundary itself, the loop's set-up) cancelled.
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


def _count_sync(run: Any, n1: int, n2: int) -> None:
    run(WARMUP_CALLS)
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


def _count_async(run: Any, n1: int, n2: int) -> None:
    async def main() -> None:
        await run(WARMUP_CALLS)
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


def child(name: str, n1: int, n2: int) -> None:
    import intrinsic
    from common import providers

    recorded = intrinsic.record()
    stubs = intrinsic.Stubs(recorded)
    stubs.install()
    tracer_provider, _exporter, meter_provider, _reader = providers()
    cells: list[str] = []
    if name in ("floor", "floor+metrics"):
        attributes = intrinsic.litetrace_attributes(stubs, tracer_provider, _exporter, meter_provider)
        tracer = tracer_provider.get_tracer("benchmark.floor")
        for cell, _is_async, _chunks, error in intrinsic.CELLS:
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
    for cell, is_async, chunks, error in intrinsic.CELLS:
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


# -- the parent ------------------------------------------------------------------------------


def run_config(name: str, n1: int, n2: int, timeout: float) -> dict[str, Any]:
    why = configs.missing(name)
    if why:
        return {"config": name, "missing": why}
    if shutil.which("valgrind") is None:
        return {"config": name, "missing": "valgrind is not installed (Debian: apt-get install valgrind)"}
    with tempfile.TemporaryDirectory(prefix="litetrace-callgrind-") as folder:
        out = os.path.join(folder, "callgrind.out")
        command = [
            "valgrind", "--tool=callgrind", "--dump-before=getloadavg", f"--callgrind-out-file={out}",
            sys.executable, os.path.join(HERE, "instructions.py"), "--child", name, "--calls", f"{n1},{n2}",
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
    return {"config": name, "cells": cells, "seconds": round(seconds, 1), "pending_after": result.get("pending_after")}


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


def table(results: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    columns = ("sync", "async", "sync error", "sync per chunk", "async per chunk")
    lines = [
        "| configuration | " + " | ".join(f"{c} (k instr.)" if "chunk" not in c else f"{c} (instr.)" for c in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for result in results:
        name = result["config"]
        label = configs.LABELS.get(name, name)
        if "cells" not in result:
            lines.append(f"| {label} | " + " | ".join([result.get("missing") or "failed"] + ["–"] * (len(columns) - 1)) + " |")
            continue
        row = summary[name]
        cells = []
        for column in columns:
            value = row.get(column, {})
            figure = value.get("added") if name != "none" else value.get("per_call")
            if figure is None:
                cells.append("–")
            elif "chunk" in column:
                cells.append(f"{figure:,.0f}")
            else:
                cells.append(f"{figure / 1000:,.1f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--configs", default=",".join(DEFAULT_CONFIGS))
    parser.add_argument("--calls", default="40,160", help="N1,N2: calls per cell in the two counted runs")
    parser.add_argument("--jobs", type=int, default=2, help="configurations counted at once (counts do not depend on it)")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--out", default=os.path.join(HERE, "results", "instructions.json"))
    args = parser.parse_args()
    n1, n2 = (int(part) for part in args.calls.split(","))
    if n2 <= n1:
        parser.error("--calls N1,N2 needs N2 > N1")
    if args.child:
        child(args.child, n1, n2)
        return

    names = [name for name in args.configs.split(",") if name]
    unknown = [name for name in names if name not in configs.CONFIGS + configs.INTRINSIC_EXTRA]
    if unknown:
        parser.error(f"unknown configurations: {', '.join(unknown)}")
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        results = list(pool.map(lambda name: run_config(name, n1, n2, args.timeout), names))
    summary = summarize(results)
    text = table(results, summary)
    header = (
        f"Instructions per call (callgrind), added over no instrumentation (that row: its own total); "
        f"cells of {n1} and {n2} calls; {time.monotonic() - started:.0f} s."
    )
    print(header)
    print(text)
    for result in results:
        if "failed" in result:
            print(f"{result['config']}: FAILED {result['failed']}", file=sys.stderr)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as handle:
        json.dump({"machine": machine(), "calls": [n1, n2], "results": results, "summary": summary}, handle, indent=1)
    with open(os.path.splitext(args.out)[0] + ".md", "w") as handle:
        handle.write(f"# litetrace: instructions per call\n\nCommand: `python benchmarks/instructions.py`\n\n{header}\n\n{text}\n")
    if any("failed" in result for result in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
