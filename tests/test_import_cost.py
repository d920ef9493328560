"""``from litetrace import Instrumentor`` loads only what instrumenting needs; every public name still resolves."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# What the instrumentation must not pull in: the SDK, exporters, the store, report/CLI code, LiteLLM.
HEAVY = ("opentelemetry.sdk", "opentelemetry.exporter", "sqlite3", "litetrace.store", "litetrace.report",
         "litetrace.setup", "litetrace.cli", "litellm")  # fmt: skip


def loaded_after(code: str) -> list[str]:
    """The HEAVY modules (or their submodules) in ``sys.modules`` after ``code`` runs in a fresh interpreter."""
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps(sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.') for h in {HEAVY!r}))))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_instrumentor_loads_no_sdk_store_report_setup_or_litellm():
    assert loaded_after("from litetrace import Instrumentor") == []


def test_import_litetrace_alone_loads_no_instrumentation_either():
    assert loaded_after("import litetrace, sys; assert 'litetrace.instrumentation' not in sys.modules") == []


def test_instrument_without_providers_loads_litellm_but_not_the_sdk():
    loaded = loaded_after("import litetrace; litetrace.Instrumentor().instrument()")
    assert "litellm" in loaded
    assert [m for m in loaded if not m.startswith("litellm")] == []


@pytest.mark.parametrize("name", ["Instrumentor", "LiteLLMInstrumentor", "SpanBuffer", "__version__", "agent", "buffer",
                                  "context", "setup", "task", "tool", "update_current_span", "workflow"])
def test_each_public_name_resolves_in_a_fresh_interpreter(name):
    code = (f"import litetrace; value = getattr(litetrace, {name!r}); assert value is not None\n"
            f"assert {name!r} in dir(litetrace)\n"
            f"from litetrace import {name} as again; assert again is value")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_star_import_binds_every_name_in_all():
    code = ("from litetrace import *\nimport litetrace\n"
            "missing = [n for n in litetrace.__all__ if n not in globals()]\nassert not missing, missing\n"
            "assert Instrumentor is LiteLLMInstrumentor and callable(setup) and setup.__module__ == 'litetrace.setup.pipeline'")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_name_shared_with_its_submodule_stays_the_function_after_the_submodule_is_imported():
    # litetrace.setup, litetrace.tracing.buffer and litetrace.tracing.context are both a submodule
    # and a public function/class; importing the submodule first must not rebind the name to it.
    code = ("import litetrace.setup.exporters, litetrace.tracing.buffer, litetrace.tracing.context\n"
            "import litetrace, litetrace.tracing\n"
            "assert litetrace.setup.__module__ == 'litetrace.setup.pipeline', litetrace.setup\n"
            "assert litetrace.tracing.buffer.__module__ == 'litetrace.tracing.buffer', litetrace.tracing.buffer\n"
            "assert litetrace.buffer is litetrace.tracing.buffer and callable(litetrace.buffer)\n"
            "assert isinstance(litetrace.context, type) and litetrace.context is litetrace.tracing.context")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_an_unknown_name_is_an_attribute_error():
    import litetrace

    with pytest.raises(AttributeError, match="no_such_name"):
        litetrace.no_such_name  # noqa: B018  # the lookup is the test
