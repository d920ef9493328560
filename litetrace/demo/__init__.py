"""``litetrace demo``: a mixed LiteLLM workload (``workload``) against a local server (``local_provider``)."""

from __future__ import annotations

from litetrace.demo.workload import Outcomes, Target, build_workload, run_workload

__all__ = ["Outcomes", "Target", "build_workload", "run_workload"]
