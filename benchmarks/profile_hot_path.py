"""Profile one configuration's hot path on the intrinsic stubs (cProfile).

    python benchmarks/profile_hot_path.py [--config litetrace] [--cell "sync stream 52"] [--calls 2000] [--top 30]

Same stubs, recorded payloads and telemetry pipeline as ``intrinsic.py``; prints the
top functions by cumulative time (and, with ``--tottime``, by own time). For a
sampling profile of the same loop: ``py-spy record -o out.svg -- python
benchmarks/profile_hot_path.py --no-cprofile ...``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import pstats
import sys
import time

import intrinsic
from common import providers

import configs

# Calls between exporter clears in the --no-cprofile loop.
BATCH = 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="litetrace", choices=configs.CONFIGS + configs.INTRINSIC_EXTRA[1:])
    parser.add_argument("--cell", default="sync", choices=[cell[0] for cell in intrinsic.CELLS])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--tottime", action="store_true", help="also sort by own time")
    parser.add_argument("--no-cprofile", action="store_true", help="just run the loop (for py-spy)")
    parser.add_argument("--wall", action="store_true", help="profile wall time (default: process CPU time, all threads)")
    args = parser.parse_args()

    recorded = intrinsic.record()
    stubs = intrinsic.Stubs(recorded)
    stubs.install()
    tracer_provider, exporter, meter_provider, _reader = providers()
    installed = configs.install(args.config, tracer_provider, meter_provider)
    callback = installed.callback
    _name, is_async, chunks, error = next(cell for cell in intrinsic.CELLS if cell[0] == args.cell)
    stubs.chunks = recorded.get(f"chunks{chunks}", [])
    stubs.hidden = recorded.get(f"stream_hidden{chunks}", {})
    stubs.failing = error
    stubs.fail_callback = callback.log_failure_event if (error and callback is not None) else None

    if is_async:
        arun = intrinsic.async_loop(stubs, callback, chunks)

        def run(n: int) -> None:
            asyncio.run(arun(n))
    else:
        run = intrinsic.sync_loop(stubs, callback, chunks, error)

    run(50)  # warm-up
    exporter.clear()
    # As in intrinsic.py: what is allocated so far leaves the collector's view, and finished
    # spans are dropped every batch. Otherwise the collections walking an ever larger heap of
    # exported spans are charged to whichever frame allocated (Span.__init__, mostly).
    gc.collect()
    gc.freeze()
    if args.no_cprofile:
        for _ in range(max(args.calls // BATCH, 1)):
            run(BATCH)
            exporter.clear()
        return
    # CPU time by default: on a shared machine wall time charges other processes' work to whatever ran.
    profiler = cProfile.Profile() if args.wall else cProfile.Profile(time.process_time)
    profiler.enable()
    run(args.calls)
    profiler.disable()
    print(f"{args.config} / {args.cell}: {args.calls} calls, {len(exporter.get_finished_spans())} spans")
    for key in ("cumulative",) + (("tottime",) if args.tottime else ()):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(key).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    sys.exit(main())
