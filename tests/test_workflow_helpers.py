"""buffer(), update_current_span(), decorator metrics, content capture, no-instrument behaviour."""

from __future__ import annotations

import asyncio

import litellm
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from support import drain

import litetrace
from litetrace import agent, task, tool, workflow
from litetrace.setup import setup

MODEL = "openai/gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "hi"}]


def call() -> object:
    return litellm.completion(model=MODEL, messages=MESSAGES, mock_response="hello")


@task(name="buffered_step")
def buffered_step() -> None:
    call()


def test_buffer_holds_spans_until_export(telemetry):
    with litetrace.buffer() as buf:
        buffered_step()
    assert telemetry.spans() == []
    assert sorted(span.name for span in buf.spans) == ["chat openai/gpt-4o-mini", "task buffered_step"]
    assert buf.export() == 2
    assert sorted(span.name for span in telemetry.spans()) == ["chat openai/gpt-4o-mini", "task buffered_step"]
    assert buf.spans == []


def test_buffer_discard_drops_spans_and_outside_spans_pass(telemetry):
    with litetrace.buffer() as buf:
        buffered_step()
    call()
    assert buf.discard() == 2
    assert [span.name for span in telemetry.spans(count=1)] == ["chat openai/gpt-4o-mini"]
    assert len(telemetry.spans()) == 1


def test_buffer_takes_callback_built_spans_of_calls_begun_inside(telemetry):
    original = litellm.completion.__wrapped__
    with litetrace.buffer() as buf:
        original(model=MODEL, messages=MESSAGES, mock_response="hello")
        drain()
    assert telemetry.spans() == []
    assert [span.kind for span in buf.spans] == [SpanKind.CLIENT]


def test_buffer_works_across_await_and_with_setup_pipeline(tmp_path):
    exporter = InMemorySpanExporter()
    built = setup(exporter="none", batch=False)
    built.tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    try:
        async def run() -> None:
            with litetrace.buffer() as buf:
                await litellm.acompletion(model=MODEL, messages=MESSAGES, mock_response="hello")
            assert exporter.get_finished_spans() == ()
            assert len(buf.spans) == 1
            buf.export()

        asyncio.run(run())
        assert [span.name for span in exporter.get_finished_spans()] == ["chat openai/gpt-4o-mini"]
    finally:
        built.shutdown()


def test_update_current_span_changes_the_enclosing_task(telemetry):
    @task(name="updatable")
    def updatable() -> None:
        call()  # the LLM span has ended: the update goes to the task span
        assert litetrace.update_current_span(name="renamed", attributes={"custom.key": 7}, status="error",
                                             status_description="bad input", customer_id="acme",
                                             session_id="s-1", tags=["x"], metadata={"plan": "pro"})

    updatable()
    spans = {span.name: span for span in telemetry.spans(count=2)}
    span = spans["renamed"]
    assert span.attributes["custom.key"] == 7
    assert span.attributes["llm.customer_id"] == "acme"
    assert span.attributes["session.id"] == "s-1"
    assert list(span.attributes["llm.tags"]) == ["x"]
    assert span.attributes["llm.metadata.plan"] == "pro"
    assert span.status.status_code == StatusCode.ERROR and span.status.description == "bad input"


def test_update_current_span_outside_any_span_returns_false(telemetry):
    assert litetrace.update_current_span(name="nothing") is False


def test_agent_and_tool_spans_follow_the_genai_conventions(telemetry):
    @tool(name="lookup")
    def lookup(city: str) -> str:
        return "rainy"

    @agent(name="Weather Bot")
    def bot() -> str:
        return lookup("Paris")

    assert bot() == "rainy"
    spans = {span.name: span for span in telemetry.spans(count=2)}
    agent_span, tool_span = spans["invoke_agent Weather Bot"], spans["execute_tool lookup"]
    assert agent_span.kind == tool_span.kind == SpanKind.INTERNAL
    assert agent_span.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert agent_span.attributes["gen_ai.agent.name"] == "Weather Bot"
    assert agent_span.attributes["llm.span.kind"] == "agent"
    assert tool_span.attributes["gen_ai.operation.name"] == "execute_tool"
    assert tool_span.attributes["gen_ai.tool.name"] == "lookup"
    assert tool_span.parent.span_id == agent_span.context.span_id
    assert "llm.span.input" not in tool_span.attributes  # content capture is off by default


def test_workflow_agent_tool_durations_are_recorded(telemetry):
    @tool
    def t() -> None:
        pass

    @agent
    def a() -> None:
        t()

    @workflow
    def w() -> None:
        a()

    @task
    def plain_task() -> None:
        pass

    w()
    plain_task()
    metrics = telemetry.metrics()
    (wf,) = metrics["gen_ai.workflow.duration"]
    (ag,) = metrics["gen_ai.invoke_agent.duration"]
    (tl,) = metrics["gen_ai.execute_tool.duration"]
    assert dict(wf.attributes) == {"gen_ai.workflow.name": "w"} and wf.count == 1
    assert dict(ag.attributes) == {"gen_ai.agent.name": "a"}
    assert dict(tl.attributes) == {"gen_ai.tool.name": "t"}
    assert wf.sum >= ag.sum >= tl.sum > 0


def test_llm_metrics_gain_the_workflow_only_when_asked(telemetry_factory):
    for enabled in (False, True):
        found = telemetry_factory(workflow_metric_dimension=enabled)

        @workflow(name="billing")
        def billing() -> None:
            call()

        billing()
        (point,) = found.metrics()["gen_ai.client.operation.duration"]
        assert ("gen_ai.workflow.name" in point.attributes) is enabled
        found.instrumentor.uninstrument()


def test_content_capture_records_arguments_and_result_scrubbed(telemetry_factory):
    found = telemetry_factory(capture_content=True)

    class Holder:
        @task(name="method_task")
        def run(self, key: str, circular: list) -> dict:
            return {"answer": 42, "echo": key}

    circular: list = []
    circular.append(circular)
    assert Holder().run("sk-abcdefghijklmnopqrst", circular) == {"answer": 42, "echo": "sk-abcdefghijklmnopqrst"}
    (span,) = found.spans(count=1)
    assert "sk-abcdefghijklmnopqrst" not in span.attributes["llm.span.input"]
    assert span.attributes["llm.span.output"].startswith('{"answer": 42')
    assert "sk-abcdefghijklmnopqrst" not in span.attributes["llm.span.output"]


def test_decorators_without_instrument_use_the_global_provider_and_change_nothing():
    sentinel = object()

    @workflow(name="standalone")
    def standalone() -> object:
        return sentinel

    @task
    async def astandalone() -> object:
        return sentinel

    assert standalone() is sentinel  # no provider configured: no-op spans
    assert asyncio.run(astandalone()) is sentinel
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    # The global provider may be set once per process; a parent span from the user's own
    # provider shows the decorator takes the current context either way.
    with tracer.start_as_current_span("user-span"):
        assert standalone() is sentinel
        assert trace.get_current_span().name == "user-span"


def test_decorator_is_transparent_to_return_values_and_signatures():
    @task
    def add(a: int, b: int = 2) -> int:
        """Adds."""
        return a + b

    assert add(1) == 3 and add.__name__ == "add" and add.__doc__ == "Adds."
    with pytest.raises(TypeError):
        add()  # type: ignore[call-arg]


def test_an_internal_failure_costs_only_telemetry(telemetry, monkeypatch):
    from litetrace import safety
    from litetrace.tracing import spans

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("litetrace bug")

    monkeypatch.setattr(safety, "STRICT", False)
    monkeypatch.setattr(spans, "Opened", broken)

    @task
    def still_runs(x: int) -> int:
        return x * 2

    @task
    def gen():
        yield 1
        yield 2

    assert still_runs(21) == 42
    assert list(gen()) == [1, 2]
    assert telemetry.spans() == []


def test_context_is_restored_after_each_shape(telemetry):
    tracer = telemetry.tracer_provider.get_tracer("t")

    @task
    def sync_fn() -> None:
        pass

    @task
    def failing() -> None:
        raise ValueError("x")

    with tracer.start_as_current_span("caller") as caller:
        sync_fn()
        with pytest.raises(ValueError):
            failing()
        asyncio.run(asyncio.sleep(0))
        assert trace.get_current_span() is caller
