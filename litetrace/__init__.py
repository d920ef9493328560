"""litetrace: OpenTelemetry auto-instrumentation for LiteLLM.

    from litetrace import Instrumentor
    Instrumentor().instrument()

From then on every LiteLLM call (chat, text completion, embeddings, image generation,
moderation, responses; sync and async; streamed or not) is one CLIENT span with
``llm.*`` and ``gen_ai.*`` attributes, plus GenAI metrics. Streams record time to
first token, chunk counts and chunk rates.

Each public name loads on first use: ``from litetrace import Instrumentor`` imports the
OpenTelemetry API, wrapt and the instrumentation, not the SDK, exporters, store or CLI
(``setup`` and ``buffer`` bring the SDK when used); LiteLLM itself loads at ``instrument()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litetrace.lazy import attach
from litetrace.version import __version__

if TYPE_CHECKING:
    from litetrace.instrumentation.instrumentor import LiteLLMInstrumentor
    from litetrace.instrumentation.instrumentor import LiteLLMInstrumentor as Instrumentor
    from litetrace.setup.pipeline import setup
    from litetrace.tracing.buffer import SpanBuffer, buffer
    from litetrace.tracing.context import context
    from litetrace.tracing.current import update_current_span
    from litetrace.tracing.decorators import agent, task, tool, workflow

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

__getattr__, __dir__ = attach(__name__, {
    "Instrumentor": "litetrace.instrumentation.instrumentor:LiteLLMInstrumentor",
    "LiteLLMInstrumentor": "litetrace.instrumentation.instrumentor",
    "setup": "litetrace.setup",
    **{name: "litetrace.tracing" for name in (
        "SpanBuffer", "agent", "buffer", "context", "task", "tool", "update_current_span", "workflow",
    )},
})  # fmt: skip
