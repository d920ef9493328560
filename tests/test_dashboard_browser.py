"""The dashboard in a real browser: headless Chromium draws every chart, offline, with no console errors."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from fake_calls import sample_calls, write_calls

from litetrace.report import write_dashboard
from litetrace.report.charts import CHARTS
from litetrace.store.schema import connect

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _chromium_present() -> None:
    """A missing browser fails the test (CI installs it); LITETRACE_SKIP_MISSING_BACKENDS=1 skips instead."""
    if CHROMIUM is None:
        message = "chromium is not installed: bash .ci/integration-deps.sh <venv> (Debian package chromium)"
        if os.environ.get("LITETRACE_SKIP_MISSING_BACKENDS") == "1":
            pytest.skip(message)
        pytest.fail(message, pytrace=False)

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
