"""The terminal table and the HTML dashboard, from spans stored by the real SDK."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fake_calls import BASE_NS, Call, sample_calls, write_calls

from litetrace.report import percentile, render_dashboard, report_text, summarize, write_dashboard
from litetrace.report.charts import CHARTS
from litetrace.store import load_spans
from litetrace.store.schema import connect

# gpt-4o-mini: four streamed successes (latency 1..4 s, TTFT 0.1..0.4 s, 10..40 chunks/s)
# and two failures; claude: one plain success with unknown tokens and cost.
KNOWN = [
    *(
        Call("gpt-4o-mini", start_s=float(i), duration_s=float(i), streaming=True, ttft_s=i / 10,
             chunks_per_second=10.0 * i, chunk_count=20, prompt_tokens=100 * i, completion_tokens=10 * i,
             cost=0.001 * i)
        for i in (1, 2, 3, 4)
    ),
    Call("gpt-4o-mini", start_s=5.0, duration_s=30.0, error_type="RateLimitError", error_category="rate_limit"),
    Call("gpt-4o-mini", start_s=6.0, duration_s=0.5, error_type="Timeout", error_category="timeout"),
    Call("claude-3-5-sonnet-20241022", provider="anthropic", start_s=7.0, duration_s=0.8),
]


@pytest.fixture
def known_db(tmp_path: Path) -> str:
    path = str(tmp_path / "known.db")
    write_calls(path, KNOWN)
    return path


def test_percentile_interpolates_linearly_between_ranks():
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_summary_counts_errors_and_percentiles_for_known_calls(known_db):
    mini, claude = summarize(load_spans(known_db))
    assert (mini.provider, mini.model, mini.label) == ("openai", "gpt-4o-mini", "openai/gpt-4o-mini")
    assert (mini.calls, mini.errors, mini.streaming_calls) == (6, 2, 4)
    assert mini.errors_by_category == {"rate_limit": 1, "timeout": 1}
    # Latency over successful calls only: the 30 s rate-limited failure does not count.
    assert (mini.latency_p50, mini.latency_p95) == (pytest.approx(2.5), pytest.approx(3.85))
    assert (mini.ttft_p50, mini.ttft_p95) == (pytest.approx(0.25), pytest.approx(0.385))
    assert mini.chunks_per_second_median == pytest.approx(25.0)
    assert (mini.prompt_tokens, mini.completion_tokens) == (1000, 100)
    assert mini.cost_usd == pytest.approx(0.01)
    assert (claude.label, claude.calls, claude.errors) == ("anthropic/claude-3-5-sonnet-20241022", 1, 0)
    assert claude.ttft_p50 is None and claude.prompt_tokens is None and claude.cost_usd is None


def _row(text: str, label: str) -> list[str]:
    """The cells of a model's row; a long name stands on its own line above them."""
    lines = text.splitlines()
    (index,) = [i for i, line in enumerate(lines) if line == label or line.startswith(label + " ")]
    line = lines[index] if lines[index] != label else lines[index + 1]
    return line.removeprefix(label).split()


def test_table_shows_counts_percentiles_tokens_and_cost(known_db):
    text = report_text(known_db)
    assert text.startswith("7 LiteLLM calls, 2024-01-01 ")
    assert f"store: {known_db}" in text
    assert _row(text, "openai/gpt-4o-mini") == [
        "6", "2", "2.50s", "3.85s", "250ms", "385ms", "25.0", "1000", "100", "$0.0100"]
    assert _row(text, "anthropic/claude-3-5-sonnet-20241022") == [
        "1", "0", "800ms", "800ms", "-", "-", "-", "-", "-", "-"]
    assert _row(text, "all models")[:2] == ["7", "2"]
    assert "openai/gpt-4o-mini: rate_limit 1, timeout 1" in text


def test_table_fits_a_100_column_terminal(tmp_path):
    db = str(tmp_path / "sample.db")
    write_calls(db, sample_calls(300))
    lines = report_text(db, width=100).splitlines()
    assert lines[1] == f"store: {db}"
    assert max(len(line) for line in lines[2:]) <= 100


def test_a_model_name_too_long_for_its_column_gets_its_own_line(tmp_path):
    path = str(tmp_path / "long.db")
    name = "bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0-with-a-very-long-deployment-suffix"
    write_calls(path, [Call(name, provider="bedrock"), Call("gpt-4o-mini")])
    lines = report_text(path).splitlines()
    index = lines.index(name)
    assert lines[index + 1].split()[:2] == ["1", "0"]
    assert max(len(line) for line in lines[2:] if line != name and not line.startswith("  " + name)) <= 100


def test_window_and_empty_store_reports(known_db):
    assert report_text(known_db, since_ns=BASE_NS + 7 * 10**9).startswith("1 LiteLLM calls")
    assert report_text(known_db, since_ns=BASE_NS + 100 * 10**9) == f"No LiteLLM calls recorded in {known_db}."


class _Tags(HTMLParser):
    """Collects start tags and checks that every opened element is closed."""

    VOID = frozenset({"meta", "br", "img", "link", "input", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    assert parser.open == []
    return parser


def test_dashboard_has_every_plot_and_inlines_plotly_without_remote_scripts(tmp_path):
    db = str(tmp_path / "dash.db")
    write_calls(db, sample_calls(200))
    out = write_dashboard(tmp_path / "dashboard.html", db)
    page = out.read_text(encoding="utf-8")

    parser = _parse(page)
    div_ids = {attrs.get("id") for tag, attrs in parser.tags if tag == "div"}
    assert set(CHARTS) <= div_ids
    body = page.split("</head>", 1)[1]  # the inlined library mentions newPlot itself in some versions
    assert body.count("Plotly.newPlot(") == len(CHARTS)
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    assert scripts and all("src" not in attrs for attrs in scripts)
    assert not re.search(r"<script[^>]+src\s*=", page, re.IGNORECASE)
    assert "plotly.js v" in page[:20000]  # the library itself is in the page, near the top
    assert '<table id="summary">' in page and "openai/gpt-4o-mini" in page


def test_dashboard_of_an_empty_store_says_so_and_is_valid_html(tmp_path):
    db = str(tmp_path / "empty.db")
    connect(db).close()
    page = write_dashboard(tmp_path / "empty.html", db).read_text(encoding="utf-8")
    _parse(page)
    assert page.startswith("<!DOCTYPE html>")
    assert "No LiteLLM calls recorded" in page
    assert "<script" not in page


def test_dashboard_escapes_model_names(tmp_path):
    db = str(tmp_path / "evil.db")
    evil = '<img src=x onerror="alert(1)"></script>'
    write_calls(db, [Call(evil, streaming=True, ttft_s=0.2, chunks_per_second=30.0, error_type="X")])
    page = render_dashboard(load_spans(db))
    assert evil not in page
    assert "&lt;img src=x" in page

