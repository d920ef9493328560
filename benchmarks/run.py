"""The benchmark entry point: every configuration, every figure, one run.

    python benchmarks/run.py [--quick] [--rounds N] [--out benchmarks/results/latest.json]
                             [--only intrinsic,whole,memory]

Each configuration runs in a fresh process; configurations alternate within a round
(the order rotates every round) and rounds repeat, so slow phases of a shared machine
spread over all of them. Prints the tables, writes the raw results and summary as JSON
(``--out``) and the tables as Markdown (same name, ``.md``). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from typing import Any

import common  # noqa: F401  # sets LITELLM_LOCAL_MODEL_COST_MAP for the child processes too
from common import HERE, ROOT, machine, median, spread

import configs

INTRINSIC_CONFIGS = (
    "none", "floor", "floor+metrics", "litetrace", "litetrace+content", "litetrace-nometrics", "openinference", "traceloop", "litellm-otel",
)  # fmt: skip
WHOLE_CONFIGS = configs.CONFIGS
NON_STREAM_INTRINSIC = ("sync", "async")
STREAM_PAIRS = (("sync", "sync stream 5", "sync stream 52"), ("async", "async stream 5", "async stream 52"))
NON_STREAM_WHOLE = ("mock sync", "mock async", "http sync", "http async")


# -- running the harnesses ---------------------------------------------------------------


def run_harness(script: str, args: list[str], timeout: float) -> dict[str, Any]:
    """Run one harness in a fresh process; its result, or an error record."""
    env = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_VERSION", None)
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, os.path.join(HERE, script), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    for line in proc.stdout.splitlines():
        if line.startswith("@@RESULT@@"):
            result = json.loads(line[len("@@RESULT@@") :])
            result["process_s"] = time.perf_counter() - started
            return result
    tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-12:]
    return {"error": f"exit {proc.returncode}", "stderr": tail}


def rounds_of(suite: str, script: str, names: tuple[str, ...], rounds: int, quick: bool, timeout: float, log: Any) -> dict[str, list[dict[str, Any]]]:
    """Every configuration once per round, the order rotated each round."""
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    runnable = [name for name in names if not configs.missing(name)]
    for name in names:
        why = configs.missing(name)
        if why:
            results[name].append({"config": name, "missing": why})
            log(f"[{suite}] {name}: MISSING ({why})")
    for r in range(rounds):
        order = runnable[r % len(runnable) :] + runnable[: r % len(runnable)] if runnable else []
        if r % 2:
            order.reverse()
        for name in order:
            args = ["--config", name] + (["--quick"] if quick else [])
            result = run_harness(script, args, timeout)
            result.setdefault("config", name)
            result["round"] = r
            results[name].append(result)
            status = "error: " + result["error"] if "error" in result else f"{result.get('process_s', 0):.1f} s"
            log(f"[{suite}] round {r + 1}/{rounds} {name}: {status}")
            if "error" in result:
                for line in result.get("stderr", []):
                    log("    " + line)
    return results


# -- summarising -------------------------------------------------------------------------


def _ok(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [run for run in runs if "cells" in run and "error" not in run]


def _by_round(runs: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {run["round"]: run for run in _ok(runs)}


def _stat(values: list[float]) -> dict[str, Any]:
    values = [v for v in values if v is not None]
    return {"median": median(values), "range": spread(values), "n": len(values)}


def summarize_intrinsic(results: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per configuration and cell: instrumentation cost = configuration - none, same round."""
    none = _by_round(results.get("none", []))
    summary: dict[str, Any] = {}
    for name, runs in results.items():
        if name == "none":
            continue
        if runs and "missing" in runs[0]:
            summary[name] = {"missing": runs[0]["missing"]}
            continue
        entry: dict[str, Any] = {"cells": {}, "per_chunk": {}}
        ok = _ok(runs)
        if not ok:
            entry["error"] = runs[0].get("error") if runs else "no run"
            summary[name] = entry
            continue
        cells = ok[0]["cells"].keys()
        for cell in cells:
            cpu, wall, cb = [], [], []
            for run in ok:
                base = none.get(run["round"])
                this = run["cells"].get(cell)
                if this is None:
                    continue
                # The floor times a span alone (no stub call): nothing to subtract.
                sub = base["cells"][cell] if (base and not name.startswith("floor")) else None
                cpu.append(this["cpu_us"] - (sub["cpu_us"] if sub else 0.0))
                wall.append(this["wall_us"] - (sub["wall_us"] if sub else 0.0))
                cb.append(this.get("cb_us") or 0.0)
            last = ok[-1]["cells"][cell]
            entry["cells"][cell] = {
                "cpu_us": _stat(cpu),
                "wall_us": _stat(wall),
                "cb_us": _stat(cb),
                "spans_per_call": sorted({run["cells"][cell]["spans_per_call"] for run in ok if cell in run["cells"]}),
                "ttft_fraction": min(run["cells"][cell]["ttft_fraction"] for run in ok if cell in run["cells"]),
                "attributes": last.get("attributes"),
                "span_names": last.get("span_names"),
                "pending_after": max((run["cells"][cell].get("pending_after") or 0) for run in ok if cell in run["cells"]),
            }
        if not name.startswith("floor"):
            for label, _plain, small, big in [(p[0], *p) for p in STREAM_PAIRS]:
                values = {"cpu_us": [], "wall_us": []}
                for run in ok:
                    base = none.get(run["round"])
                    if not base:
                        continue
                    for key in values:
                        extra_big = run["cells"][big][key] - base["cells"][big][key]
                        extra_small = run["cells"][small][key] - base["cells"][small][key]
                        values[key].append((extra_big - extra_small) / (52 - 5))
                entry["per_chunk"][label] = {key: _stat(vals) for key, vals in values.items()}
        summary[name] = entry
    return summary


def summarize_whole(results: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per configuration and cell: medians, and ratios to no instrumentation in the same round."""
    none = _by_round(results.get("none", []))
    summary: dict[str, Any] = {}
    for name, runs in results.items():
        if runs and "missing" in runs[0]:
            summary[name] = {"missing": runs[0]["missing"]}
            continue
        ok = _ok(runs)
        if not ok:
            summary[name] = {"error": runs[0].get("error") if runs else "no run"}
            continue
        entry: dict[str, Any] = {"cells": {}}
        for cell in ok[0]["cells"]:
            wall, cpu, wall_ratio, cpu_ratio = [], [], [], []
            for run in ok:
                this = run["cells"][cell]
                wall.append(this["wall_us"])
                cpu.append(this["cpu_us"])
                base = none.get(run["round"])
                if base and cell in base["cells"]:
                    wall_ratio.append(this["wall_us"] / base["cells"][cell]["wall_us"])
                    cpu_ratio.append(this["cpu_us"] / base["cells"][cell]["cpu_us"])
            cells = [run["cells"][cell] for run in ok]
            ttft = [c["ttft_fraction"] for c in cells if c.get("ttft_fraction") is not None]
            metric = [c["ttft_metric_points"] for c in cells if c.get("ttft_metric_points") is not None]
            entry["cells"][cell] = {
                "wall_us": _stat(wall),
                "cpu_us": _stat(cpu),
                "wall_ratio": _stat(wall_ratio),
                "cpu_ratio": _stat(cpu_ratio),
                "spans_per_call": sorted({c["spans_per_call"] for c in cells}),
                "ttft_fraction": min(ttft) if ttft else None,
                "ttft_metric": (min(metric) > 0) if metric else None,
                "chunks": cells[-1]["chunks"],
                "calls": cells[-1]["calls"],
                "pending_after": max((c.get("pending_after") or 0) for c in cells) if "pending_after" in cells[0] else None,
                "span_names": cells[-1]["span_names"],
            }
        summary[name] = entry
    return summary


def check_goals(intrinsic: dict[str, Any] | None, whole: dict[str, Any] | None, memory: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The issue's goals, each with its numbers and whether it is met."""
    goals: list[dict[str, Any]] = []

    def goal(name: str, met: bool | None, detail: str) -> None:
        goals.append({"goal": name, "met": met, "detail": detail})

    peers_present = [p for p in configs.PEERS if intrinsic and p in intrinsic and "cells" in intrinsic[p]]
    if intrinsic and "cells" in intrinsic.get("litetrace", {}):
        lt = intrinsic["litetrace"]
        floor = intrinsic.get("floor", {})
        for cell in NON_STREAM_INTRINSIC:
            mine = lt["cells"][cell]["cpu_us"]["median"]
            peer_costs = {p: intrinsic[p]["cells"][cell]["cpu_us"]["median"] for p in peers_present}
            if peer_costs:
                cheapest = min(peer_costs, key=peer_costs.get)
                limit = peer_costs[cheapest] / 2
                goal(
                    f"intrinsic {cell}: <= 1/2 cheapest peer",
                    mine <= limit,
                    f"litetrace {mine:.1f} us vs cheapest peer {cheapest} {peer_costs[cheapest]:.1f} us (limit {limit:.1f}; "
                    f"{'met' if mine <= limit else f'missed by {mine - limit:.1f} us, x{mine / peer_costs[cheapest]:.2f} of the peer'})",
                )
            if "cells" in floor:
                base = floor["cells"][cell]["cpu_us"]["median"]
                goal(
                    f"intrinsic {cell}: <= 2x plain-span floor",
                    mine <= 2 * base,
                    f"litetrace {mine:.1f} us vs floor {base:.1f} us (x{mine / base:.2f}; limit {2 * base:.1f})",
                )
            with_metrics = intrinsic.get("floor+metrics", {})
            if "cells" in with_metrics:
                sdk = with_metrics["cells"][cell]["cpu_us"]["median"]
                goal(
                    f"intrinsic {cell}: where the time goes (information)",
                    None,
                    f"the SDK's span + metric records alone {sdk:.1f} us; litetrace's own logic {mine - sdk:.1f} us",
                )
        for label in ("sync", "async"):
            per_chunk = lt["per_chunk"][label]["cpu_us"]["median"]
            peers = ", ".join(
                f"{p} {intrinsic[p]['per_chunk'][label]['cpu_us']['median']:.1f}" for p in peers_present if intrinsic[p].get("per_chunk")
            )
            goal(f"intrinsic per chunk ({label}) <= 1 us", per_chunk <= 1.0, f"litetrace {per_chunk:.2f} us/chunk (peers: {peers})")
        spans_ok = all(c["spans_per_call"] == [1.0] for c in lt["cells"].values())
        ttft_ok = all(c["ttft_fraction"] == 1.0 for cell, c in lt["cells"].items() if "stream" in cell)
        goal("intrinsic: litetrace 1 span per call, TTFT in every stream", spans_ok and ttft_ok,
             f"spans/call {sorted({s for c in lt['cells'].values() for s in c['spans_per_call']})}, "
             f"TTFT fraction min {min(c['ttft_fraction'] for cell, c in lt['cells'].items() if 'stream' in cell):.2f}")
    if whole and "cells" in whole.get("litetrace", {}):
        lt = whole["litetrace"]
        for cell in NON_STREAM_WHOLE:
            mine = lt["cells"][cell]["cpu_ratio"]["median"]
            peers = {p: whole[p]["cells"][cell]["cpu_ratio"]["median"] for p in configs.PEERS if "cells" in whole.get(p, {})}
            if mine is None or not peers:
                continue
            worse = {p: r for p, r in peers.items() if r is not None and mine > r}
            goal(
                f"whole call {cell}: CPU ratio <= every peer's",
                not worse,
                f"litetrace x{mine:.3f}; " + ", ".join(f"{p} x{r:.3f}" for p, r in peers.items() if r is not None),
            )
        spans_ok = all(c["spans_per_call"] == [1.0] for c in lt["cells"].values())
        ttft_ok = all(c["ttft_fraction"] == 1.0 for cell, c in lt["cells"].items() if "stream" in cell)
        goal("whole call: litetrace 1 span per call in every cell, TTFT in every streaming cell", spans_ok and ttft_ok,
             f"spans/call {sorted({s for c in lt['cells'].values() for s in c['spans_per_call']})}; "
             f"TTFT fraction min {min(c['ttft_fraction'] for cell, c in lt['cells'].items() if 'stream' in cell):.2f}")
    if memory and "litetrace" in memory and "checkpoints" in memory["litetrace"]:
        m = memory["litetrace"]
        pend = [p["pending"] for p in m["checkpoints"]]
        goal(f"memory: no growth in pending state over {m['calls']:,} calls", m["pending_end"] == 0 and max(pend) <= max(pend[:2] + [1]),
             f"pending at checkpoints {pend}")
        base = memory.get("none", {})
        base_growth = base.get("rss_growth_mb")
        goal(f"memory: RSS growth < 5 MB after warm-up ({m['calls']:,} calls)", m["rss_growth_mb"] < 5,
             f"litetrace {m['rss_growth_mb']:.2f} MB" + (f" (no instrumentation: {base_growth:.2f} MB)" if base_growth is not None else ""))
        s = m.get("streams")
        if s:
            goal(f"memory: {s['count']:,} concurrent streams ended, TTFT recorded, nothing pending",
                 s["spans_ended"] == s["count"] and s["ttft_recorded"] == s["count"] and s["pending_after"] == 0 and s["failures"] == 0,
                 f"{s['spans_ended']}/{s['count']} ended, {s['ttft_recorded']}/{s['count']} with TTFT, pending {s['pending_after']}, "
                 f"failures {s['failures']}, RSS +{s['rss_growth_mb']:.1f} MB"
                 + (f" (no instrumentation: +{base['streams']['rss_growth_mb']:.1f} MB)" if base.get("streams") else ""))
    return goals


# -- tables ------------------------------------------------------------------------------


def _fmt(stat: dict[str, Any] | None, digits: int = 1, ratio: bool = False) -> str:
    if not stat or stat.get("median") is None:
        return "–"
    med, rng = stat["median"], stat.get("range")
    if ratio:
        text = f"×{med:.2f}"
        if rng and stat.get("n", 0) > 1:
            text += f" ({rng[0]:.2f}–{rng[1]:.2f})"
        return text
    text = f"{med:.{digits}f}"
    if rng and stat.get("n", 0) > 1:
        text += f" ({rng[0]:.{digits}f}–{rng[1]:.{digits}f})"
    return text


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def intrinsic_tables(summary: dict[str, Any]) -> str:
    cells = ("sync", "async", "sync stream 5", "sync stream 52", "async stream 5", "async stream 52", "sync error")
    out = []
    for key, title in (("cpu_us", "CPU time"), ("wall_us", "wall time")):
        header = ["configuration", *[f"{c} (µs/call)" for c in cells], "sync µs/chunk", "async µs/chunk"]
        rows = []
        for name in INTRINSIC_CONFIGS:
            if name == "none" or name not in summary:
                continue
            entry = summary[name]
            if "missing" in entry or "error" in entry:
                rows.append([configs.LABELS[name]] + [entry.get("missing") or entry.get("error")] + [""] * (len(header) - 2))
                continue
            row = [configs.LABELS[name]] + [_fmt(entry["cells"][c][key]) if c in entry["cells"] else "–" for c in cells]
            for label in ("sync", "async"):
                row.append(_fmt(entry["per_chunk"].get(label, {}).get(key), 2) if entry["per_chunk"] else "–")
            rows.append(row)
        out.append(f"**Intrinsic cost, {title}** (median over rounds of configuration − no instrumentation, µs; range in brackets):\n\n" + _table(header, rows))
    header = ["configuration", "spans/call", "attributes on span", "TTFT on stream spans", "of which callback (µs/call, sync · stream 52)"]
    rows = []
    for name in INTRINSIC_CONFIGS:
        entry = summary.get(name)
        if name == "none" or not entry or "cells" not in entry:
            continue
        spans = sorted({s for c in entry["cells"].values() for s in c["spans_per_call"]})
        attrs = f"{entry['cells']['sync']['attributes']} · {entry['cells']['sync stream 52']['attributes']}"
        ttft = min(c["ttft_fraction"] for cell, c in entry["cells"].items() if "stream" in cell)
        cb = f"{entry['cells']['sync']['cb_us']['median']:.1f} · {entry['cells']['sync stream 52']['cb_us']['median']:.1f}"
        rows.append([configs.LABELS[name], ", ".join(f"{s:g}" for s in spans), attrs, f"{ttft:.0%}", cb if not name.startswith("floor") else "–"])
    out.append("**Per call** (sync non-streaming · sync stream of 52):\n\n" + _table(header, rows))
    return "\n\n".join(out)


def whole_tables(summary: dict[str, Any]) -> str:
    out = []
    cells = list(next((e["cells"] for e in summary.values() if "cells" in e), {}).keys())
    for cell in cells:
        header = ["configuration", "wall µs/call (median)", "CPU µs/call", "CPU ratio to none", "wall ratio to none", "spans/call", "TTFT"]
        rows = []
        for name in WHOLE_CONFIGS:
            entry = summary.get(name)
            if not entry:
                continue
            if "cells" not in entry:
                rows.append([configs.LABELS[name], entry.get("missing") or entry.get("error", "?"), "", "", "", "", ""])
                continue
            c = entry["cells"][cell]
            if "stream" in cell:
                ttft = "span" if c["ttft_fraction"] == 1.0 else (f"span {c['ttft_fraction']:.0%}" if c["ttft_fraction"] else "no")
                if c.get("ttft_metric"):
                    ttft += " + metric"
            else:
                ttft = "n/a"
            rows.append([
                configs.LABELS[name],
                _fmt(c["wall_us"], 0),
                _fmt(c["cpu_us"], 0),
                "1" if name == "none" else _fmt(c["cpu_ratio"], ratio=True),
                "1" if name == "none" else _fmt(c["wall_ratio"], ratio=True),
                ", ".join(f"{s:g}" for s in c["spans_per_call"]),
                ttft if name != "none" else "–",
            ])
        sample = next((e["cells"][cell] for e in summary.values() if "cells" in e), {})
        extra = f", {sample.get('chunks')} chunks" if "stream" in cell else ""
        out.append(f"**{cell}** ({sample.get('calls')} calls per round{extra}):\n\n" + _table(header, rows))
    return "\n\n".join(out)


def memory_table(memory: dict[str, Any]) -> str:
    header = ["configuration", "calls", "RSS after warm-up (MB)", "RSS at end (MB)", "growth (MB)",
              "live growth: allocated blocks · gc objects", "pending (checkpoints)", "spans/call",
              "concurrent streams: ended · TTFT · pending", "streams: RSS growth (MB)"]
    rows = []
    for name in ("none", "litetrace"):
        m = memory.get(name)
        if not m:
            continue
        if "checkpoints" not in m:
            rows.append([configs.LABELS[name], m.get("missing") or m.get("error", "?")] + [""] * 8)
            continue
        pts = m["checkpoints"]
        s = m.get("streams") or {}
        pend = "–" if pts[0]["pending"] is None else " ".join(str(p["pending"]) for p in pts)
        streams = (f"{s['spans_ended']}/{s['count']} · {s['ttft_recorded']}/{s['count']} · {s['pending_after']}"
                   if name != "none" and s else (f"{s.get('completed')}/{s.get('count')} completed" if s else "–"))
        rows.append([
            configs.LABELS[name], f"{m['calls']:,}", f"{pts[0]['rss_mb']:.1f}", f"{pts[-1]['rss_mb']:.1f}", f"{m['rss_growth_mb']:+.2f}",
            f"{m['allocated_blocks_growth']:+,} · {m['gc_objects_growth']:+,}" if "allocated_blocks_growth" in m else "–",
            pend, f"{m['spans_per_call']:.2f}", streams, f"{s['rss_growth_mb']:+.1f}" if s else "–",
        ])
    return _table(header, rows)


def render(report: dict[str, Any]) -> str:
    info = report["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in info.get("versions", {}).items() if v)
    parts = [
        f"# litetrace benchmarks — {report['started']}",
        f"Machine: {info.get('cpu', '?')}, {info.get('cpus')} CPUs, {info.get('memory_gib', '?')} GiB, "
        f"{info.get('implementation')} {info.get('python')} on {info.get('platform')}.  \nVersions: {versions}.  \n"
        f"Command: `{report['command']}` ({report['rounds']} rounds, {report['elapsed_s'] / 60:.1f} min).",
    ]
    missing = {name: why for suite in ("intrinsic", "whole") for name, e in (report.get("summary", {}).get(suite) or {}).items()
               if isinstance(e, dict) and "missing" in e for why in [e["missing"]]}
    if missing:
        parts.append("Missing configurations: " + "; ".join(f"{configs.LABELS[k]}: {v}" for k, v in missing.items()))
    if report["summary"].get("goals"):
        rows = [[g["goal"], {True: "met", False: "**missed**", None: "–"}[g["met"]], g["detail"]] for g in report["summary"]["goals"]]
        parts.append("## Goals\n\n" + _table(["goal", "", "numbers"], rows))
    if report["summary"].get("intrinsic"):
        parts.append("## Intrinsic cost (LiteLLM stubbed out)\n\n" + intrinsic_tables(report["summary"]["intrinsic"]))
    if report["summary"].get("whole"):
        parts.append("## Whole calls through LiteLLM\n\n" + whole_tables(report["summary"]["whole"]))
    if report["summary"].get("memory"):
        parts.append("## Memory\n\n" + memory_table(report["summary"]["memory"]))
    return "\n\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer calls and one round (about 2 minutes)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of every configuration (default 5, --quick 1)")
    parser.add_argument("--whole-rounds", type=int, default=None, help="rounds of the whole-call suite (default: --rounds)")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "latest.json"))
    parser.add_argument("--only", default="intrinsic,whole,memory", help="comma-separated suites to run")
    parser.add_argument("--memory-calls", type=int, default=None, help="calls in the memory run (default 100000, --quick 2000)")
    parser.add_argument("--streams", type=int, default=None, help="concurrent streams in the memory run (default 1000, --quick 200)")
    args = parser.parse_args()
    rounds = args.rounds or (1 if args.quick else 5)
    whole_rounds = args.whole_rounds or rounds
    suites = {s.strip() for s in args.only.split(",") if s.strip()}
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f}s] {message}", file=sys.stderr, flush=True)

    report: dict[str, Any] = {
        "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python benchmarks/run.py " + " ".join(sys.argv[1:]),
        "machine": machine(),
        "rounds": rounds,
        "whole_rounds": whole_rounds,
        "quick": args.quick,
        "raw": {},
        "summary": {},
    }
    if "intrinsic" in suites:
        raw = rounds_of("intrinsic", "intrinsic.py", INTRINSIC_CONFIGS, rounds, args.quick, 300, log)
        report["raw"]["intrinsic"] = raw
        report["summary"]["intrinsic"] = summarize_intrinsic(raw)
    if "whole" in suites:
        raw = rounds_of("whole", "whole_call.py", WHOLE_CONFIGS, whole_rounds, args.quick, 600, log)
        report["raw"]["whole"] = raw
        report["summary"]["whole"] = summarize_whole(raw)
    if "memory" in suites:
        calls = args.memory_calls or (2_000 if args.quick else 100_000)
        streams = args.streams if args.streams is not None else (200 if args.quick else 1000)
        memory: dict[str, Any] = {}
        for name in ("litetrace", "none"):
            result = run_harness("memory.py", ["--config", name, "--calls", str(calls), "--streams", str(streams)], 1200)
            memory[name] = result
            log(f"[memory] {name}: " + ("error: " + result["error"] if "error" in result else f"{result.get('process_s', 0):.0f} s"))
            for line in result.get("stderr", []):
                log("    " + line)
        report["raw"]["memory"] = memory
        report["summary"]["memory"] = memory
    report["summary"]["goals"] = check_goals(report["summary"].get("intrinsic"), report["summary"].get("whole"), report["summary"].get("memory"))
    report["elapsed_s"] = time.perf_counter() - started

    out = args.out
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as handle:
        json.dump(report, handle, indent=1, default=str)
    markdown = render(report)
    md_path = os.path.splitext(out)[0] + ".md"
    with open(md_path, "w") as handle:
        handle.write(markdown)
    print(markdown)
    log(f"wrote {out} and {md_path}")


if __name__ == "__main__":
    sys.exit(main())
