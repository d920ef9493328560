"""Loaded by ``litetrace run``: configure telemetry and instrument LiteLLM before the program runs.

Python imports ``sitecustomize`` at start-up when it is on ``sys.path``; ``litetrace run``
puts this folder first on ``PYTHONPATH``. Settings come from the environment
(``LITETRACE_EXPORTER``, ``LITETRACE_DB``, ``OTEL_*``).
"""

import logging

try:
    import litetrace

    litetrace.setup(set_global=True)
except Exception:  # never stop the user's program from starting
    logging.getLogger("litetrace").debug("litetrace run: setup failed", exc_info=True)
