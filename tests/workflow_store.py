"""A store holding workflow traces made by the real decorators, instrumentor and exporter (mocked LiteLLM calls)."""

from __future__ import annotations

import litellm
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from support import MESSAGES, drain

import litetrace
from litetrace import Instrumentor
from litetrace.store import SQLiteSpanExporter

TEXT = "Tracing shows where the time goes. " * 4


def write_workflow_store(path: str, workflow_name: str = "answer_question", *, user_id: str = "u-1") -> None:
    """Two runs of ``workflow_name`` (plan: a chat call; draft: a streamed call) in sessions s-1 and s-2, and one bare call."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(SQLiteSpanExporter(path)))
    instrumentor = Instrumentor()
    instrumentor.instrument(tracer_provider=provider)
    try:
        @litetrace.task(name="plan")
        def plan() -> None:
            litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="a plan")

        @litetrace.task(name="draft")
        def draft() -> None:
            for _ in litellm.completion(model="gpt-4o", messages=MESSAGES, mock_response=TEXT, stream=True):
                pass

        @litetrace.workflow(name=workflow_name)
        def answer() -> None:
            plan()
            draft()

        with litetrace.context(session_id="s-1", user_id=user_id):
            answer()
        with litetrace.context(session_id="s-2", user_id="u-2"):
            answer()
        litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="outside any workflow")
        drain()
    finally:
        instrumentor.uninstrument()
        provider.shutdown()
