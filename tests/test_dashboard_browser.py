"""The dashboard in a real browser: headless Chromium draws every chart and waterfall, offline, with no console errors."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fake_calls import sample_calls, write_calls
from support import fail_or_skip
from workflow_store import write_workflow_store

from litetrace.report import write_dashboard
from litetrace.report.charts import CHARTS
from litetrace.report.dashboard import _page, traces_section_html
from litetrace.report.traces import workflow_traces
from litetrace.store import load_spans
from litetrace.store.schema import connect

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _chromium_present() -> None:
    """A missing browser fails the test (CI installs it); LITETRACE_SKIP_MISSING_BACKENDS=1 skips instead."""
    if CHROMIUM is None:
        message = "chromium is not installed: bash .ci/integration-deps.sh <venv> (Debian package chromium)"
        fail_or_skip(message)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chromium(page: Path, profile: Path, *action: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on ``page`` with a fresh profile and its log on stderr."""
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--window-size=1400,2000",
        *action, page.resolve().as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _console_messages(log: str) -> list[str]:
    """Console lines of the page. Chromium logs console.error as INFO:CONSOLE too, so any counts."""
    return [line for line in log.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def test_console_check_sees_an_uncaught_error(tmp_path):
    # Guards the check below: if Chromium stopped logging the console, it would pass on anything.
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><script>notDefined();</script></body></html>", encoding="utf-8")
    result = _chromium(page, tmp_path / "profile", "--dump-dom")
    assert any("Uncaught ReferenceError" in line for line in _console_messages(result.stderr))


def test_dashboard_draws_every_chart_without_console_errors(tmp_path):
    db = str(tmp_path / "store.db")
    write_calls(db, sample_calls(300))
    page = write_dashboard(tmp_path / "dashboard.html", db)

    dom = _chromium(page, tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _console_messages(dom.stderr) == []
    for div_id in CHARTS:
        # Plotly adds js-plotly-plot to a div once it has drawn into it.
        assert f'id="{div_id}" class="plotly-graph-div js-plotly-plot"' in dom.stdout
    assert dom.stdout.count('class="main-svg"') >= len(CHARTS)

    png = tmp_path / "dashboard.png"
    shot = _chromium(page, tmp_path / "profile-shot", f"--screenshot={png}")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert _console_messages(shot.stderr) == []
    data = png.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 50_000  # the empty-store page, text only, is ~25 kB


def test_empty_dashboard_renders_its_message(tmp_path):
    db = str(tmp_path / "empty.db")
    connect(db).close()
    page = write_dashboard(tmp_path / "empty.html", db)
    dom = _chromium(page, tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0
    assert _console_messages(dom.stderr) == []
    assert "No LiteLLM calls recorded" in dom.stdout


# Appended to a copy of the traces page: where Chromium laid out each bar, and whether the bar is
# what is painted at its own centre (hit testing), written into the DOM for --dump-dom.
_MEASURE = """<script>
const rows = [...document.querySelectorAll("svg.waterfall g.span-row")].map((row) => {
  const bar = row.querySelector("rect").getBoundingClientRect();
  const hit = document.elementFromPoint(bar.left + bar.width / 2, bar.top + bar.height / 2);
  const tick = row.querySelector("line.ttft");
  return {width: bar.width, height: bar.height, hit: !!hit && hit.closest("g.span-row") === row,
          tick: tick ? tick.getBoundingClientRect().height : null};
});
const out = document.createElement("pre");
out.id = "measured";
out.textContent = JSON.stringify(rows);
document.body.appendChild(out);
</script>"""


def test_workflow_waterfalls_draw_in_chromium(tmp_path):
    db = tmp_path / "workflows.db"
    write_workflow_store(str(db))
    dashboard = write_dashboard(tmp_path / "dashboard.html", db)
    dom = _chromium(dashboard, tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _console_messages(dom.stderr) == []
    assert dom.stdout.count('class="waterfall"') == 2

    # The traces section alone, in the dashboard's page and style, so the screenshot is of the waterfalls.
    stored = load_spans(db, llm_only=False, with_attributes=True)
    section = traces_section_html([span for span in stored if span.operation], workflow_traces(stored))
    page = tmp_path / "traces.html"
    page.write_text(_page("traces", "", section), encoding="utf-8")
    measured_page = tmp_path / "measured.html"
    measured_page.write_text(_page("traces", "", section + _MEASURE), encoding="utf-8")
    # Control: the same page with the waterfalls taken out (headings and tables stay).
    control = tmp_path / "control.html"
    control.write_text(_page("traces", "", re.sub(r"<svg.*?</svg>", "", section, flags=re.DOTALL)), encoding="utf-8")

    measured = _chromium(measured_page, tmp_path / "profile-measure", "--dump-dom")
    assert measured.returncode == 0 and _console_messages(measured.stderr) == [], measured.stderr[-2000:]
    found = re.search(r'<pre id="measured">(.*?)</pre>', measured.stdout, re.DOTALL)
    assert found, measured.stdout[-2000:]
    rows = json.loads(found.group(1).replace("&quot;", '"'))
    assert len(rows) == 10  # two runs of: workflow, 2 tasks, 2 LLM calls
    assert all(row["width"] >= 1 and row["height"] > 5 and row["hit"] for row in rows), rows
    assert rows[0]["width"] == max(row["width"] for row in rows)  # the workflow spans the whole axis
    assert sum(row["tick"] is not None and row["tick"] > 5 for row in rows) == 2  # TTFT of each streamed call

    shots = {}
    for name, source in (("traces", page), ("control", control)):
        png = tmp_path / f"{name}.png"
        shot = _chromium(source, tmp_path / f"profile-{name}", f"--screenshot={png}")
        assert shot.returncode == 0 and _console_messages(shot.stderr) == [], shot.stderr[-2000:]
        shots[name] = png.read_bytes()
        assert shots[name].startswith(PNG_SIGNATURE)
    # Two waterfalls of five rows add ~23 kB of drawing to the ~71 kB page around them.
    assert len(shots["traces"]) > len(shots["control"]) + 10_000, {name: len(data) for name, data in shots.items()}
