"""Import cost: what ``from litetrace import Instrumentor`` loads, and how long it takes.

    python benchmarks/import_cost.py [--repeat 7] [--root PATH] [--out benchmarks/results/import_cost.json]

Statements, each in a fresh interpreter, alternated within every repetition:

- ``lazy``: ``from litetrace import Instrumentor`` (what instrumenting needs);
- ``full``: the modules ``import litetrace`` loaded before its names became lazy (the SDK
  pipeline ``litetrace.setup`` and every ``litetrace.tracing`` helper);
- ``lazy+instrument`` / ``full+instrument``: the same, then ``Instrumentor().instrument()``
  with no providers (this imports LiteLLM, by far the largest part).

Per statement, the median over ``--repeat`` repetitions of: modules loaded (beyond a bare
``python -c pass``), ``-X importtime`` totals (microseconds: the self time summed over every
module the statement imported, and over litetrace's own modules), and, from a run without
``-X importtime``, wall and CPU (user + system of the child) minus the bare interpreter's.
``--root`` runs the statements against another checkout (e.g. the commit before a change).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

import common

HERE = os.path.dirname(os.path.abspath(__file__))

FULL = ("import litetrace.setup, litetrace.tracing.buffer, litetrace.tracing.context, "
        "litetrace.tracing.current, litetrace.tracing.decorators; from litetrace import Instrumentor")  # fmt: skip
LAZY = "from litetrace import Instrumentor"
INSTRUMENT = "; Instrumentor().instrument()"
STATEMENTS = {"lazy": LAZY, "full": FULL, "lazy+instrument": LAZY + INSTRUMENT, "full+instrument": FULL + INSTRUMENT}
# Modules whose presence the figures report (any submodule counts).
WATCHED = ("opentelemetry.sdk", "opentelemetry.exporter", "sqlite3", "litetrace.store", "litetrace.report",
           "litetrace.setup", "litetrace.cli", "litellm")  # fmt: skip
# Printed after the statement, with nothing imported for it (``sys`` is always loaded).
COUNT = (f"\nimport sys; print(repr((len(sys.modules), sorted({{w for w in {WATCHED!r} "
         "for m in sys.modules if m == w or m.startswith(w + '.')}))))")  # fmt: skip


def run(code: str, env: dict[str, str], importtime: bool) -> tuple[float, float, str, str]:
    """Wall and CPU seconds of one fresh interpreter running ``code``, with its stdout and stderr.

    It runs in the checkout's folder: ``python -c`` puts the current folder first on ``sys.path``.
    """
    argv = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", code]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=env["PYTHONPATH"], timeout=300)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{code!r} failed: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout, done.stderr


def importtime_rows(stderr: str) -> dict[str, tuple[int, int, int]]:
    """Module -> (self us, cumulative us, nesting depth) from ``-X importtime`` output."""
    rows: dict[str, tuple[int, int, int]] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line[len("import time:"):].split("|")
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        rows.setdefault(name.strip(), (int(own), int(cumulative), depth))
    return rows


def measure(code: str, env: dict[str, str], bare: dict[str, Any]) -> dict[str, Any]:
    _, _, out, err = run(code + COUNT, env, importtime=True)
    modules, watched = ast.literal_eval(out.strip().splitlines()[-1])
    new = {name: row for name, row in importtime_rows(err).items() if name not in bare["modules_seen"]}
    wall, cpu, _, _ = run(code, env, importtime=False)
    return {
        "modules": modules - bare["modules"],
        "watched": watched,
        # Everything the statement imported, and the part under litetrace's own (top-level) imports.
        "importtime_total_us": sum(own for own, _, _ in new.values()),
        "importtime_litetrace_self_us": sum(own for name, (own, _, _) in new.items() if name.startswith("litetrace")),
        "importtime_litetrace_cumulative_us": sum(
            cumulative for name, (_, cumulative, depth) in new.items() if name.startswith("litetrace") and depth == 0
        ),
        "wall_s": wall - bare["wall_s"],
        "cpu_s": cpu - bare["cpu_s"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--root", default=common.ROOT, help="the litetrace checkout to import")
    parser.add_argument("--only", choices=sorted(STATEMENTS), action="append")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "import_cost.json"))
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": os.path.abspath(args.root), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    names = args.only or list(STATEMENTS)
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for repetition in range(args.repeat):
        _, _, _, err = run("pass", env, importtime=True)
        _, _, out, _ = run("import sys; print(len(sys.modules))", env, importtime=False)
        wall, cpu, _, _ = run("pass", env, importtime=False)
        bare = {"modules_seen": set(importtime_rows(err)), "modules": int(out), "wall_s": wall, "cpu_s": cpu}
        # Alternate the order so drift in the machine's load falls on both sides.
        for name in names if repetition % 2 == 0 else reversed(names):
            samples[name].append(measure(STATEMENTS[name], env, bare))
    result: dict[str, Any] = {"machine": common.machine(), "root": os.path.abspath(args.root), "repeat": args.repeat,
                              "statements": {name: STATEMENTS[name] for name in names}, "median": {}, "samples": samples}  # fmt: skip
    for name in names:
        rows = samples[name]
        median = {key: statistics.median(row[key] for row in rows) for key in rows[0] if key != "watched"}
        median["watched"] = rows[0]["watched"]
        result["median"][name] = median
        print(f"{name:16} modules {median['modules']:5.0f}  importtime total {median['importtime_total_us'] / 1e3:7.1f} ms"
              f"  litetrace self {median['importtime_litetrace_self_us'] / 1e3:6.1f} ms"
              f"  cumulative {median['importtime_litetrace_cumulative_us'] / 1e3:7.1f} ms"
              f"  wall {median['wall_s'] * 1e3:7.1f} ms  cpu {median['cpu_s'] * 1e3:7.1f} ms"
              f"  loaded: {', '.join(median['watched']) or '-'}")  # fmt: skip
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as handle:
        json.dump(result, handle, indent=1)


if __name__ == "__main__":
    main()
