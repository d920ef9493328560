"""Loaded by ``litetrace run``: configure telemetry and instrument LiteLLM before the program runs.

Python imports ``sitecustomize`` at start-up when it is on ``sys.path``; ``litetrace run``
puts this folder first on ``PYTHONPATH``. Settings come from the environment
(``LITETRACE_EXPORTER``, ``LITETRACE_DB``, ``OTEL_*``). The ``sitecustomize`` this one
shadows (Debian's, a virtualenv's, the user's own) still runs, first.
"""

import importlib.util
import logging
import os
import sys


def _run_shadowed_sitecustomize() -> None:
    """Run the next ``sitecustomize.py`` on sys.path, which Python would have imported without us."""
    here = os.path.dirname(os.path.abspath(__file__))
    for entry in sys.path:
        folder = os.path.abspath(entry or os.curdir)
        candidate = os.path.join(folder, "sitecustomize.py")
        if folder == here or not os.path.isfile(candidate):
            continue
        spec = importlib.util.spec_from_file_location("_litetrace_shadowed_sitecustomize", candidate)
        if spec is not None and spec.loader is not None:
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
        return


try:
    _run_shadowed_sitecustomize()
except Exception:  # as Python itself does for a failing sitecustomize: report, go on
    logging.getLogger("litetrace").warning("litetrace run: the shadowed sitecustomize failed", exc_info=True)

try:
    import litetrace

    litetrace.setup(set_global=True)
except Exception:  # never stop the user's program from starting, but say it runs untraced
    logging.getLogger("litetrace").warning("litetrace run: setup failed, the program runs untraced", exc_info=True)
