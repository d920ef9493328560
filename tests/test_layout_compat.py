"""Old import paths keep working for one release, with a DeprecationWarning; ``import litetrace`` stays quiet."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

# old module -> (new module, a name both must hold)
MOVED = {
    "litetrace.config": ("litetrace.settings", "Settings"),
    "litetrace.configure": ("litetrace.setup.pipeline", "setup"),
    "litetrace.local_provider": ("litetrace.demo.local_provider", "LocalProvider"),
}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_module_warns_and_reexports_the_new_one(old):
    new, name = MOVED[old]
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=new.rsplit(".", 1)[0]):
        module = importlib.import_module(old)
    assert getattr(module, name) is getattr(importlib.import_module(new), name)


def test_configure_telemetry_is_the_renamed_pipeline():
    sys.modules.pop("litetrace.configure", None)
    with pytest.warns(DeprecationWarning):
        from litetrace.configure import Telemetry
    from litetrace.setup import Pipeline

    assert Telemetry is Pipeline


def test_importing_litetrace_and_its_new_modules_emits_no_deprecation_warning():
    code = ("import litetrace, litetrace.settings, litetrace.setup.pipeline, litetrace.setup.exporters, "
            "litetrace.demo, litetrace.demo.local_provider, litetrace.cli, litetrace.instrumentation.instrumentor")
    done = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", code],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_litetrace_setup_is_the_function_and_python_m_litetrace_demo_runs_the_demo_command():
    import litetrace

    assert callable(litetrace.setup) and litetrace.setup.__module__ == "litetrace.setup.pipeline"
    done = subprocess.run([sys.executable, "-m", "litetrace.demo", "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "--calls" in done.stdout
