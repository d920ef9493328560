"""``litetrace report --by``: the table grouped by workflow, session, user, tag, key, ... from real spans."""

from __future__ import annotations

import os
import subprocess
import sys

import litellm
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from support import MESSAGES, drain

import litetrace
from litetrace import Instrumentor
from litetrace.report import report_text, summarize
from litetrace.store import SQLiteSpanExporter, load_spans


@pytest.fixture
def store(tmp_path):
    """Three calls in two workflows and two sessions, one with proxy-style metadata, stored by the real exporter."""
    path = str(tmp_path / "by.db")
    provider = TracerProvider()
    exporter = SQLiteSpanExporter(path)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentor = Instrumentor()
    instrumentor.instrument(tracer_provider=provider)
    try:
        @litetrace.workflow(name="jokes")
        def jokes() -> None:
            with litetrace.context(session_id="s-1", user_id="u-1", tags=["fun", "beta"]):
                litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="a")
                litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="b")

        @litetrace.workflow(name="review")
        def review() -> None:
            litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="c",
                               metadata={"session_id": "s-2", "trace_user_id": "u-2", "tags": ["beta"]})

        jokes()
        review()
        drain()
    finally:
        instrumentor.uninstrument()
        provider.shutdown()
    return path


def groups(path: str, by: str) -> dict[str, int]:
    return {summary.label: summary.calls for summary in summarize(load_spans(path, with_attributes=True), by)}


def test_report_groups_llm_calls_by_workflow_session_user_and_tag(store):
    assert groups(store, "workflow") == {"jokes": 2, "review": 1}
    assert groups(store, "session") == {"s-1": 2, "s-2": 1}
    assert groups(store, "user") == {"u-1": 2, "u-2": 1}
    # A call counts under each of its tags.
    assert groups(store, "tag") == {"beta": 3, "fun": 2}
    assert groups(store, "key") == {"(none)": 3}
    assert groups(store, "model") == {"openai/gpt-4o-mini": 3}


def test_report_text_names_its_grouping_and_totals_all_but_tags(store):
    text = report_text(store, by="workflow")
    assert "\nworkflow " in text and "jokes" in text and "review" in text and "all models" in text
    assert "all models" not in report_text(store, by="tag")


def test_cli_report_by_session_prints_the_sessions(store, tmp_path):
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    done = subprocess.run([sys.executable, "-m", "litetrace.cli", "report", "--db", store, "--html", "", "--by", "session"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "s-1" in done.stdout and "s-2" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "litetrace.cli", "report", "--db", store, "--by", "planet"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode != 0 and "planet" in bad.stderr
