"""The ``litetrace`` command: ``demo``, ``run -- program``, ``report``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

import litetrace

DEFAULT_HTML = "litetrace-dashboard.html"


def _demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    from litetrace.demo.local_provider import LocalProvider
    from litetrace.demo.workload import Target, run_workload

    server = None
    if args.api_base or args.model:
        target = Target(args.api_base, args.api_key, args.model or "gpt-4o-mini", local=False)
    else:
        server = LocalProvider().start()
        target = Target(server.openai_base, "sk-local-demo", "openai/gpt-4o-mini", local=True, anthropic_base=server.base_url)
    pipeline = litetrace.setup(
        exporter="sqlite", store_path=args.db, service_name="litetrace-demo", metric_export_interval_ms=1000
    )
    import litellm

    litellm.suppress_debug_info = True
    started = time.time()
    try:
        outcomes = run_workload(target, args.calls, workers=args.workers, progress=not args.quiet)
    finally:
        pipeline.shutdown()
        if server is not None:
            server.stop()
    planned = f", {outcomes.planned_errors} failed as planned (rate limits, 503s, timeouts)" if target.local else ""
    print(f"\n{outcomes.ok} calls succeeded{planned}, {len(outcomes.unexpected)} failed unexpectedly, "
          f"in {time.time() - started:.1f} s; stored in {pipeline.store_path}")
    shown = Counter(outcomes.unexpected).most_common(5)
    for failure, count in shown:
        print(f"  unexpected ({count}x): {failure}")
    print()
    return _report(argparse.Namespace(db=pipeline.store_path, html=args.html, since=None))


def _report(args: argparse.Namespace) -> int:
    from litetrace.report import report_text, write_dashboard
    from litetrace.store import default_store_path

    path = args.db or default_store_path()
    if not Path(path).exists():
        print(f"no store at {path}: run `litetrace demo` or `litetrace run -- python app.py` first", file=sys.stderr)
        return 1
    since_ns = int((time.time() - args.since) * 1e9) if args.since else None
    print(report_text(path, since_ns=since_ns))
    if args.html:
        try:
            written = write_dashboard(args.html, path, since_ns=since_ns)
        except ImportError as error:
            print(f"dashboard skipped ({error}): pip install 'litetrace[dashboard]'", file=sys.stderr)
        else:
            print(f"\ndashboard: {Path(written).resolve()}")
    return 0


def _run(args: argparse.Namespace) -> int:
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print("usage: litetrace run -- python app.py", file=sys.stderr)
        return 2
    bootstrap = Path(__file__).parent / "bootstrap"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(bootstrap), env.get("PYTHONPATH")]))
    if args.exporter:
        env["LITETRACE_EXPORTER"] = args.exporter
    if args.db:
        env["LITETRACE_DB"] = str(Path(args.db).resolve())
    if args.capture_content:
        env["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "true"
    os.execvpe(command[0], command, env)
    return 0  # not reached


def parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    root = argparse.ArgumentParser(prog="litetrace", description="OpenTelemetry for every LiteLLM call.")
    root.add_argument("--version", action="version", version=f"litetrace {litetrace.__version__}")
    commands = root.add_subparsers(dest="command_name", required=True)

    demo = commands.add_parser("demo", help="run a mixed LiteLLM workload against a local server and report it")
    demo.add_argument("--calls", type=int, default=120, help="number of calls (default 120)")
    demo.add_argument("--workers", type=int, default=4, help="concurrent threads (default 4)")
    demo.add_argument("--db", help="store file (default $LITETRACE_DB or ./litetrace.db)")
    demo.add_argument("--html", default=DEFAULT_HTML, help=f"dashboard file (default {DEFAULT_HTML})")
    demo.add_argument("--model", help="send the workload to this real model instead of the local server")
    demo.add_argument("--api-base", help="real provider endpoint")
    demo.add_argument("--api-key", help="real provider key")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(handler=_demo)

    run = commands.add_parser("run", help="run a program with LiteLLM instrumented: litetrace run -- python app.py")
    run.add_argument("--exporter", help="sqlite (default), console, otlp, prometheus; comma-separated")
    run.add_argument("--db", help="store file for the sqlite exporter")
    run.add_argument("--capture-content", action="store_true", help="record message content")
    run.add_argument("command", nargs=argparse.REMAINDER)
    run.set_defaults(handler=_run)

    report = commands.add_parser("report", help="summary table and HTML dashboard from the store")
    report.add_argument("--db", help="store file (default $LITETRACE_DB or ./litetrace.db)")
    report.add_argument("--html", default=DEFAULT_HTML, help=f"dashboard file (default {DEFAULT_HTML}); '' to skip")
    report.add_argument("--since", type=float, help="only the last N seconds")
    report.set_defaults(handler=_report)
    return root


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``litetrace`` command."""
    args = parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
