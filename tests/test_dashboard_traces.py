"""The dashboard's workflow traces: waterfalls of stored workflow runs, cost per session and user, from the demo too."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fake_calls import sample_calls, write_calls
from workflow_store import write_workflow_store

from litetrace.demo.runs import FAN_OUT, SESSIONS, plan_runs
from litetrace.demo.workload import ASYNC_STREAMS, Target, build_workload
from litetrace.report import units, write_dashboard
from litetrace.report.traces import load_workflow_traces, most_expensive, workflow_traces
from litetrace.report.waterfall import MAX_ROWS, waterfall_svg
from litetrace.store import load_spans
from litetrace.store.reader import SpanRecord
from litetrace.tracing import conventions as c

BIN = Path(sys.executable).parent
LITETRACE = [str(BIN / "litetrace")] if (BIN / "litetrace").exists() else [sys.executable, "-m", "litetrace.cli"]
DEMO_CALLS = 30


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LITETRACE_", "OTEL_"))}
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)


class Page(HTMLParser):
    """The traces view of a dashboard page: each waterfall's rows, and the cost tables' cells."""

    def __init__(self) -> None:
        super().__init__()
        self.traces: dict[str, list[dict[str, str | None]]] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self._trace: str | None = None
        self._row: dict[str, str | None] | None = None
        self._table: str | None = None
        self._cells: list[str] | None = None
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "div" and found.get("class") == "trace":
            self._trace = found["data-trace-id"]
            self.traces[self._trace] = []
        elif tag == "g" and found.get("class") == "span-row" and self._trace is not None:
            self._row = {**found, "ttft": None}
            self.traces[self._trace].append(self._row)
        elif tag == "line" and found.get("class") == "ttft" and self._row is not None:
            self._row["ttft"] = found["x1"]
        elif tag == "table" and (found.get("id") or "").startswith("cost-by-"):
            self._table = found["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._cells = []
        elif tag == "td" and self._cells is not None:
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "g":
            self._row = None
        elif tag == "svg":
            self._trace = None
        elif tag == "td" and self._cells is not None and self._text is not None:
            self._cells.append("".join(self._text))
            self._text = None
        elif tag == "tr" and self._cells:
            self.tables[self._table or ""].append(self._cells)
            self._cells = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


def stored_tree(db: Path, trace_id: str) -> list[tuple[str, int, float | None]]:
    """(span id, depth, TTFT) of a trace's spans, parent before children, siblings by start: read straight from SQLite."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT span_id, parent_span_id, start_ns, ttft_s FROM spans WHERE trace_id = ?",
                            (trace_id,)).fetchall()
    children = defaultdict(list)
    for span_id, parent, start, ttft in rows:
        children[parent].append((start, span_id, ttft))
    order: list[tuple[str, int, float | None]] = []

    def visit(parent: str | None, depth: int) -> None:
        for _, span_id, ttft in sorted(children[parent]):
            order.append((span_id, depth, ttft))
            visit(span_id, depth + 1)

    visit(None, 0)
    return order


def workflow_runs(db: Path) -> dict[str, tuple[float, float, int]]:
    """trace id -> (workflow span duration, summed LLM cost, start), straight from SQLite."""
    with sqlite3.connect(db) as conn:
        return {trace: (duration, cost or 0.0, start) for trace, duration, cost, start in conn.execute(
            "SELECT root.trace_id, root.duration_s, (SELECT SUM(cost_usd) FROM spans s WHERE s.trace_id = root.trace_id),"
            " root.start_ns FROM spans root WHERE root.parent_span_id IS NULL"
            " AND json_extract(root.attributes, '$.\"llm.span.kind\"') = 'workflow'")}


def check_waterfalls(db: Path, page: Page) -> int:
    """Each drawn waterfall has one row per stored span of its trace, in tree order; returns the TTFT ticks seen."""
    ticks = 0
    assert page.traces
    for trace_id, rows in page.traces.items():
        expected = stored_tree(db, trace_id)
        assert [(row["data-span-id"], int(row["data-depth"] or 0)) for row in rows] == [(s, d) for s, d, _ in expected]
        # Each row's parent is the nearest row above it one level up.
        for index, row in enumerate(rows[1:], 1):
            above = next(r for r in reversed(rows[:index]) if int(r["data-depth"] or 0) == int(row["data-depth"] or 0) - 1)
            assert row["data-parent-id"] == above["data-span-id"]
        # A TTFT tick on exactly the streamed calls that recorded one.
        assert [row["ttft"] is not None for row in rows] == [ttft is not None for _, _, ttft in expected]
        ticks += sum(row["ttft"] is not None for row in rows)
    return ticks


def test_workflow_traces_are_trees_of_their_root_workflow_spans(tmp_path):
    db = str(tmp_path / "wf.db")
    write_workflow_store(db)
    traces = load_workflow_traces(db)
    assert [trace.name for trace in traces] == ["answer_question", "answer_question"]
    for trace in traces:
        shape = [(row.depth, row.span.name) for row in trace.rows]
        assert shape == [(0, "invoke_workflow answer_question"), (1, "task plan"), (2, "chat gpt-4o-mini"),
                         (1, "task draft"), (2, "chat gpt-4o")]
        assert len(trace.llm_calls) == 2
        assert trace.cost_usd == pytest.approx(sum(span.cost_usd or 0 for span in trace.llm_calls))


def record(span_id: str, parent: str | None, start_s: float, end_s: float, trace_id: str = "t1", *,
           kind: str | None = None, operation: str | None = None, cost: float | None = None) -> SpanRecord:
    """A stored span as the reader returns it, with only what the traces view reads."""
    attributes = {"llm.span.kind": kind} if kind else {}
    return SpanRecord(
        trace_id=trace_id, span_id=span_id, parent_span_id=parent, name=f"span {span_id}", kind="INTERNAL",
        start_ns=int(start_s * 1e9), end_ns=int(end_s * 1e9), duration_s=end_s - start_s, status_code="UNSET",
        status_message=None, service_name=None, operation=operation, provider=None, request_model=None,
        response_model=None, is_streaming=None, ttft_s=None, chunks_per_second=None, chunk_count=None,
        prompt_tokens=None, completion_tokens=None, total_tokens=None, cost_usd=cost, error_type=None,
        error_category=None, attributes=attributes,
    )


def test_only_traces_rooted_in_a_workflow_count_and_orphans_and_loops_are_left_out():
    spans = [
        record("w", None, 0, 3, kind="workflow"),
        record("b", "w", 2, 3, kind="task"),
        record("a", "w", 0, 1, kind="task"),
        record("c", "a", 0.1, 0.9, operation="chat"),
        record("orphan", "gone", 0, 1, operation="chat"),  # its parent was never stored
        record("x", "y", 0, 1, "t2", kind="task"),  # a loop, no root
        record("y", "x", 0, 1, "t2", kind="task"),
        record("r", None, 0, 1, "t3", operation="chat"),  # a bare call: a trace, but not a workflow
    ]
    (trace,) = workflow_traces(spans)
    assert [(row.span.span_id, row.depth) for row in trace.rows] == [("w", 0), ("a", 1), ("c", 2), ("b", 1)]
    assert trace.cost_usd is None and most_expensive([trace], 3) == []  # no cost reported: not ranked by cost


def test_a_long_workflow_draws_its_first_rows_and_says_how_many_more():
    spans = [record("w", None, 0, 100, kind="workflow")]
    spans += [record(f"c{i:03}", "w", i, i + 1, operation="chat", cost=0.001) for i in range(MAX_ROWS + 5)]
    (trace,) = workflow_traces(spans)
    svg = waterfall_svg(trace, "w1")
    assert svg.count('class="span-row"') == MAX_ROWS
    assert "6 more spans not shown" in svg
    assert trace.cost_usd == pytest.approx(0.001 * (MAX_ROWS + 5))


def test_dashboard_draws_each_workflow_run_and_the_cost_per_session_and_user(tmp_path):
    db = tmp_path / "wf.db"
    write_workflow_store(str(db))
    page = parse(write_dashboard(tmp_path / "wf.html", db).read_text(encoding="utf-8"))
    assert set(page.traces) == set(workflow_runs(db))
    assert check_waterfalls(db, page) == 2  # the streamed draft call of each run
    assert {row[0]: int(row[1]) for row in page.tables["cost-by-session"]} == {"s-1": 2, "s-2": 2, "(none)": 1}
    assert {row[0]: int(row[1]) for row in page.tables["cost-by-user"]} == {"u-1": 2, "u-2": 2, "(none)": 1}


def test_dashboard_without_workflows_says_so(tmp_path):
    db = str(tmp_path / "calls.db")
    write_calls(db, sample_calls(20))
    page = write_dashboard(tmp_path / "calls.html", db).read_text(encoding="utf-8")
    assert "No workflow traces in this window" in page
    assert 'class="waterfall"' not in page
    assert [row[:2] for row in parse(page).tables["cost-by-session"]] == [["(none)", "20"]]


def test_workflow_and_user_names_are_escaped(tmp_path):
    db = tmp_path / "evil.db"
    evil, user = "<script>alert(1)</script>", '<img src=x onerror="alert(2)">'
    write_workflow_store(str(db), evil, user_id=user)
    page = write_dashboard(tmp_path / "evil.html", db).read_text(encoding="utf-8")
    assert evil not in page and user not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in page
    parsed = parse(page)
    assert len(parsed.traces) == 2
    assert [user, "2"] in [row[:2] for row in parsed.tables["cost-by-user"]]


# The demo, run as a user runs it, into a temporary store.


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    where = tmp_path_factory.mktemp("demo")
    db, html = where / "demo.db", where / "demo.html"
    done = run([*LITETRACE, "demo", "--calls", str(DEMO_CALLS), "--db", str(db), "--html", str(html), "--quiet"], where)
    assert done.returncode == 0, done.stderr[-3000:]
    assert " 0 failed unexpectedly" in done.stdout, done.stdout[:2000]
    return db, html


def planned() -> dict[str, Counter[str]]:
    """The demo's calls per workflow, session and user, as its workload plans them."""
    work = build_workload(Target(None, None, "openai/gpt-4o-mini", local=True), DEMO_CALLS)
    first, rest = plan_runs(work)
    counts: dict[str, Counter[str]] = {"workflow": Counter(), "session": Counter(), "user": Counter()}
    for one in first + rest:
        counts["workflow"][one.workflow] += len(one.calls)
        counts["session"][one.session_id] += len(one.calls)
        counts["user"][one.user_id] += len(one.calls)
    counts["workflow"][FAN_OUT] += ASYNC_STREAMS
    counts["session"][SESSIONS[0][0]] += ASYNC_STREAMS
    counts["user"][SESSIONS[0][1]] += ASYNC_STREAMS
    return counts


def test_the_demo_plans_calls_in_several_workflows_sessions_and_users():
    counts = planned()
    assert sum(counts["workflow"].values()) == DEMO_CALLS + ASYNC_STREAMS
    assert len(counts["workflow"]) >= 2 and len(counts["session"]) >= 2 and len(counts["user"]) >= 2


@pytest.mark.parametrize("by", ["workflow", "session", "user"])
def test_report_by_shows_the_demos_workflows_and_sessions_with_their_call_counts(demo, tmp_path, by):
    db, _ = demo
    done = run([*LITETRACE, "report", "--db", str(db), "--html", "", "--by", by], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    expected = planned()[by]
    lines = [line.split() for line in done.stdout.splitlines()]
    shown = {parts[0]: int(parts[1]) for parts in lines if len(parts) > 1 and parts[0] in expected}
    assert shown == dict(expected)
    assert "(none)" not in done.stdout  # every demo call runs inside a workflow and a session


def test_demo_dashboard_draws_the_slowest_and_costliest_workflow_runs(demo):
    db, html = demo
    page = parse(html.read_text(encoding="utf-8"))
    runs = workflow_runs(db)
    # Equal costs are common (runs of the same fixed-answer calls): the earlier run ranks first.
    slowest = sorted(runs, key=lambda trace: (-runs[trace][0], runs[trace][2]))[:3]
    costliest = sorted((trace for trace in runs if runs[trace][1]),
                       key=lambda trace: (-round(runs[trace][1], 12), runs[trace][2]))[:3]
    assert set(page.traces) == set(slowest) | set(costliest)
    assert check_waterfalls(db, page) >= 1  # the demo's workflows stream: a TTFT tick is drawn


@pytest.mark.parametrize("by, key", [("session", c.SESSION_ID), ("user", c.USER_ID)])
def test_demo_dashboard_cost_tables_match_the_store(demo, by, key):
    db, html = demo
    calls: Counter[str] = Counter()
    costs: dict[str, list[float]] = defaultdict(list)
    for span in load_spans(db, with_attributes=True):
        label = str((span.attributes or {}).get(key, "(none)"))
        calls[label] += 1
        if span.cost_usd is not None:
            costs[label].append(span.cost_usd)
    table = parse(html.read_text(encoding="utf-8")).tables[f"cost-by-{by}"]
    assert len(table) == len(SESSIONS)
    assert {row[0]: (int(row[1]), row[-1]) for row in table} == {
        label: (count, units.dollars(sum(costs[label]) if costs[label] else None)) for label, count in calls.items()
    }
