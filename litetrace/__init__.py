"""litetrace: OpenTelemetry auto-instrumentation for LiteLLM.

    from litetrace import Instrumentor
    Instrumentor().instrument()

From then on every LiteLLM call (chat, text completion, embeddings, image generation,
moderation, responses; sync and async; streamed or not) is one CLIENT span with
``llm.*`` and ``gen_ai.*`` attributes, plus GenAI metrics. Streams record time to
first token, chunk counts and chunk rates.
"""

from __future__ import annotations

from litetrace.instrumentation import LiteLLMInstrumentor
from litetrace.setup import setup
from litetrace.tracing import SpanBuffer, agent, buffer, context, task, tool, update_current_span, workflow
from litetrace.version import __version__

Instrumentor = LiteLLMInstrumentor

__all__ = [
    "Instrumentor",
    "LiteLLMInstrumentor",
    "SpanBuffer",
    "__version__",
    "agent",
    "buffer",
    "context",
    "setup",
    "task",
    "tool",
    "update_current_span",
    "workflow",
]
