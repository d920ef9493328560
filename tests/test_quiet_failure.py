"""No silent 0 spans: litetrace says once when its spans have nowhere to go."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOWHERE = "spans go nowhere"

APP = textwrap.dedent("""
    import litellm
    litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], mock_response="ok")
    print("answer: ok", flush=True)
""")


def _env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LITETRACE_", "OTEL_"))}
    env.update(PYTHONPATH=str(REPO), LITELLM_LOCAL_MODEL_COST_MAP="True", **extra)
    return env


def _python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=_env(), cwd=tmp_path, timeout=180)


def test_instrument_without_any_sdk_provider_says_so_once_at_info(tmp_path):
    done = _python("""
        import logging
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
        from litetrace import Instrumentor
        Instrumentor().instrument()
        Instrumentor().uninstrument()
        Instrumentor().instrument()
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    told = [line for line in done.stderr.splitlines() if NOWHERE in line]
    assert len(told) == 1, done.stderr
    assert told[0].startswith("INFO litetrace")


@pytest.mark.parametrize("how", ["global", "passed"])
def test_instrument_with_an_sdk_provider_says_nothing(tmp_path, how):
    done = _python(f"""
        import logging
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s %(message)s")
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from litetrace import Instrumentor
        provider = TracerProvider()
        if {how!r} == "global":
            trace.set_tracer_provider(provider)
            Instrumentor().instrument()
        else:
            Instrumentor().instrument(tracer_provider=provider)
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    assert NOWHERE not in done.stderr


def _opentelemetry_instrument(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    command = str(BIN / "opentelemetry-instrument") if (BIN / "opentelemetry-instrument").exists() else (
        shutil.which("opentelemetry-instrument"))
    if command is None:
        pytest.fail("opentelemetry-instrument is missing: pip install opentelemetry-instrumentation")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    return subprocess.run([command, sys.executable, "app.py"], capture_output=True, text=True, cwd=tmp_path,
                          env=_env(OTEL_TRACES_EXPORTER="console", OTEL_METRICS_EXPORTER="none",
                                   OTEL_LOGS_EXPORTER="none", **env), timeout=180)


def test_opentelemetry_instrument_without_a_distro_warns_once(tmp_path):
    # What a machine without opentelemetry-distro sees: the default (empty) distro, no configurator.
    done = _opentelemetry_instrument(tmp_path, OTEL_PYTHON_DISTRO="absent", OTEL_PYTHON_CONFIGURATOR="absent")
    assert done.returncode == 0, done.stderr
    assert "answer: ok" in done.stdout
    assert '"name": "chat gpt-4o-mini"' not in done.stdout  # indeed no span
    told = [line for line in done.stderr.splitlines() if NOWHERE in line]
    assert len(told) == 1, done.stderr  # a WARNING: Python's last-resort handler shows it without logging set up
    assert "opentelemetry-distro" in told[0]


def test_opentelemetry_instrument_with_the_distro_is_quiet(tmp_path):
    done = _opentelemetry_instrument(tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"name": "chat gpt-4o-mini"' in done.stdout
    assert NOWHERE not in done.stderr
