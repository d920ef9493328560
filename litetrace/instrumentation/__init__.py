"""The hybrid instrumentor: wrapt patches own the span, the LiteLLM callback enriches and covers."""

from __future__ import annotations

from litetrace.instrumentation.instrumentor import LiteLLMInstrumentor

__all__ = ["LiteLLMInstrumentor"]
