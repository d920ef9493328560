"""The ``litetrace`` command: ``demo``, ``run -- program``, ``report``."""

from __future__ import annotations

import argparse
import math
import os
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path
from typing import NoReturn

import litetrace
from litetrace.report.summary import DIMENSIONS

DEFAULT_HTML = "litetrace-dashboard.html"

# --since beyond a century reaches before the Unix epoch: a typo, not a window.
MAX_SINCE_S = 100 * 365 * 86400


class CommandError(Exception):
    """A bad input the user can fix: printed as one line, exit status ``status``."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse, with a bad argument told in one line (plus where to find help) instead of the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def positive_int(text: str) -> int:
    """An argument that must be a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def seconds(text: str) -> float:
    """A positive, finite number of seconds, at most a century."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (math.isfinite(value) and 0 < value <= MAX_SINCE_S):
        raise argparse.ArgumentTypeError(f"must be a number of seconds between 0 and {MAX_SINCE_S}, not {text}")
    return value


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
    # Only this run's spans go in the report: the store may hold earlier runs and other apps.
    started_ns = time.time_ns()
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
    status = _show(pipeline.store_path or "", args.html, since_ns=started_ns)
    # The demo's calls run in workflows and sessions: say where to see them grouped so.
    print(f"\nby workflow, session or user: litetrace report --db {pipeline.store_path} --by workflow")
    return status


def _report(args: argparse.Namespace) -> int:
    from litetrace.store import default_store_path

    since_ns = int((time.time() - args.since) * 1e9) if args.since else None
    return _show(args.db or default_store_path(), args.html, since_ns=since_ns, by=args.by)


def _show(path: str, html: str | None, *, since_ns: int | None, by: str = "model") -> int:
    """Print the report of the store at ``path`` (spans since ``since_ns``) and write the dashboard."""
    from litetrace.report import report_text, write_dashboard
    from litetrace.store import StoreVersionError

    where = Path(path)
    if not where.exists():
        raise CommandError(f"no store at {path}: run `litetrace demo` or `litetrace run -- python app.py` first")
    if where.is_dir():
        raise CommandError(f"{path} is a directory, not a litetrace store")
    try:
        print(report_text(path, since_ns=since_ns, by=by))
    except (sqlite3.DatabaseError, StoreVersionError) as error:
        raise CommandError(f"cannot read {path}: {error}") from None
    if html:
        try:
            written = write_dashboard(html, path, since_ns=since_ns)
        except ImportError as error:
            print(f"dashboard skipped ({error}): pip install 'litetrace[dashboard]'", file=sys.stderr)
        except OSError as error:
            raise CommandError(f"cannot write the dashboard to {html}: {error.strerror or error}") from None
        else:
            print(f"\ndashboard: {Path(written).resolve()}")
    return 0


def _run(args: argparse.Namespace) -> int:
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise CommandError("nothing to run: litetrace run -- python app.py", status=2)
    bootstrap = Path(__file__).parent / "bootstrap"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(bootstrap), env.get("PYTHONPATH")]))
    if args.exporter:
        env["LITETRACE_EXPORTER"] = args.exporter
    if args.db:
        env["LITETRACE_DB"] = str(Path(args.db).resolve())
    if args.capture_content:
        env["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "true"
    try:
        os.execvpe(command[0], command, env)
    except FileNotFoundError:
        raise CommandError(f"{command[0]}: command not found", status=127) from None  # as a shell says it
    except OSError as error:
        raise CommandError(f"{command[0]}: cannot run it: {error.strerror or error}", status=126) from None
    return 0  # not reached


def parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    root = _Parser(prog="litetrace", description="OpenTelemetry for every LiteLLM call.")
    root.add_argument("--version", action="version", version=f"litetrace {litetrace.__version__}")
    commands = root.add_subparsers(dest="command_name", metavar="{demo,run,report}")

    demo = commands.add_parser("demo", help="run a mixed LiteLLM workload against a local server and report it")
    demo.add_argument("--calls", type=positive_int, default=120, help="number of calls (default 120)")
    demo.add_argument("--workers", type=positive_int, default=4, help="concurrent threads (default 4)")
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
    report.add_argument("--since", type=seconds, help="only the last N seconds")
    report.add_argument("--by", default="model", choices=list(DIMENSIONS),
                        help="group the table by model (default), workflow, session, user, customer, tag, "
                             "or, for a LiteLLM proxy's store, key, team, deployment")
    report.set_defaults(handler=_report)
    return root


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``litetrace`` command."""
    root = parser()
    args = root.parse_args(argv)
    if getattr(args, "handler", None) is None:
        root.print_help(sys.stderr)
        return 2
    try:
        return int(args.handler(args))
    except CommandError as error:
        print(f"litetrace: {error}", file=sys.stderr)
        return error.status


if __name__ == "__main__":
    sys.exit(main())
