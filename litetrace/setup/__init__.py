"""``litetrace.setup()``: providers, exporters and instrumentation in one call."""

from __future__ import annotations

from litetrace.setup.pipeline import Pipeline, PostProcessingExporter, setup

__all__ = ["Pipeline", "PostProcessingExporter", "setup"]
