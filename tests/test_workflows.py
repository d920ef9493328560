"""Decorators: the Respan Tracing tutorial's workflow shape, as an exact span tree."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import litellm
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode

from litetrace import task, workflow

MODEL = "openai/gpt-4o-mini"


def ask(text: str) -> str:
    response = litellm.completion(model=MODEL, messages=[{"role": "user", "content": text}], mock_response=f"re: {text}")
    return response.choices[0].message.content


async def aask(text: str) -> str:
    response = await litellm.acompletion(
        model=MODEL, messages=[{"role": "user", "content": text}], mock_response=f"re: {text}"
    )
    return response.choices[0].message.content


@task(name="joke_creation")
def create_joke() -> str:
    return ask("Tell me a joke about opentelemetry")


@task(name="pirate_joke_translation")
def translate_joke_to_pirate(joke: str) -> str:
    return ask(f"Translate to pirate: {joke}")


@task(name="signature_generation")
def generate_signature(joke: str) -> str:
    return joke + "\n\n" + ask("add a signature")


@workflow(name="pirate_joke_generator")
def joke_workflow() -> str:
    return generate_signature(translate_joke_to_pirate(create_joke()))


@task(name="audience_laughs")
async def audience_laughs(joke: str) -> str:
    return await aask(f"laugh at: {joke}")


@task(name="audience_claps")
async def audience_claps() -> str:
    return await aask("clap")


@task(name="audience_applaud")
async def audience_applaud(joke: str) -> str:
    return await aask(f"applaud: {joke}")


@workflow(name="audience_reaction")
async def audience_reaction(joke: str) -> list[str]:
    return list(await asyncio.gather(audience_laughs(joke), audience_claps(), audience_applaud(joke)))


@workflow(name="joke_and_audience_reaction")
def joke_and_audience_reaction() -> list[str]:
    joke = joke_workflow()
    return asyncio.run(audience_reaction(joke))


def tree(spans: list[ReadableSpan]) -> dict[str, tuple[str | None, SpanKind]]:
    """span name -> (parent span name, kind); names must be unique in the trace."""
    by_id = {span.context.span_id: span for span in spans}
    found: dict[str, tuple[str | None, SpanKind]] = {}
    for span in spans:
        parent = by_id[span.parent.span_id].name if span.parent is not None else None
        assert span.name not in found, f"duplicate span name {span.name}"
        found[span.name] = (parent, span.kind)
    return found


def llm_spans_by_task(spans: list[ReadableSpan]) -> dict[str, list[ReadableSpan]]:
    by_id = {span.context.span_id: span for span in spans}
    found: dict[str, list[ReadableSpan]] = {}
    for span in spans:
        if span.kind == SpanKind.CLIENT:
            found.setdefault(by_id[span.parent.span_id].name, []).append(span)
    return found


TASK_TREE = {
    "invoke_workflow joke_and_audience_reaction": (None, SpanKind.INTERNAL),
    "invoke_workflow pirate_joke_generator": ("invoke_workflow joke_and_audience_reaction", SpanKind.INTERNAL),
    "task joke_creation": ("invoke_workflow pirate_joke_generator", SpanKind.INTERNAL),
    "task pirate_joke_translation": ("invoke_workflow pirate_joke_generator", SpanKind.INTERNAL),
    "task signature_generation": ("invoke_workflow pirate_joke_generator", SpanKind.INTERNAL),
    "invoke_workflow audience_reaction": ("invoke_workflow joke_and_audience_reaction", SpanKind.INTERNAL),
    "task audience_laughs": ("invoke_workflow audience_reaction", SpanKind.INTERNAL),
    "task audience_claps": ("invoke_workflow audience_reaction", SpanKind.INTERNAL),
    "task audience_applaud": ("invoke_workflow audience_reaction", SpanKind.INTERNAL),
}


def test_tutorial_workflows_make_the_exact_span_tree(telemetry):
    result = joke_and_audience_reaction()
    assert result == ["re: laugh at: " + result[0][len("re: laugh at: "):], "re: clap", result[2]]
    spans = telemetry.spans(count=15)
    assert len(spans) == 15
    decorator_spans = [span for span in spans if span.kind == SpanKind.INTERNAL]
    assert tree(decorator_spans) == TASK_TREE
    assert len({span.context.trace_id for span in spans}) == 1
    per_task = llm_spans_by_task(spans)
    assert sorted(per_task) == sorted(name for name in TASK_TREE if name.startswith("task "))
    assert all(len(calls) == 1 for calls in per_task.values())
    for task_span_name, (calls,) in ((name, calls) for name, calls in per_task.items()):
        workflow_name = TASK_TREE[task_span_name][0].removeprefix("invoke_workflow ")
        assert calls.attributes["llm.workflow.name"] == workflow_name
        assert calls.attributes["llm.task.name"] == task_span_name.removeprefix("task ")
    by_name = {span.name: span for span in spans}
    root = by_name["invoke_workflow joke_and_audience_reaction"]
    assert root.attributes["llm.span.kind"] == "workflow"
    assert root.attributes["gen_ai.operation.name"] == "invoke_workflow"
    assert root.attributes["gen_ai.workflow.name"] == "joke_and_audience_reaction"
    joke_task = by_name["task joke_creation"]
    assert joke_task.attributes["llm.span.kind"] == "task"
    assert joke_task.attributes["llm.task.name"] == "joke_creation"
    assert joke_task.attributes["llm.workflow.name"] == "pirate_joke_generator"
    assert "gen_ai.operation.name" not in joke_task.attributes
    assert all(span.status.status_code == StatusCode.UNSET for span in spans)


@workflow(name="pirate_joke_generator")
def threaded_joke_workflow(use_threads: bool) -> list[str]:
    jobs = (create_joke, lambda: translate_joke_to_pirate("j"), lambda: generate_signature("j"))
    if not use_threads:
        with ThreadPoolExecutor(max_workers=3) as pool:
            return [future.result() for future in [pool.submit(job) for job in jobs]]
    results: list[str] = [""] * 3

    def run(index: int) -> None:
        results[index] = jobs[index]()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("use_threads", [False, True], ids=["ThreadPoolExecutor", "threading.Thread"])
def test_fan_out_to_threads_keeps_llm_spans_under_their_tasks(telemetry, use_threads):
    threaded_joke_workflow(use_threads)
    spans = telemetry.spans(count=7)
    assert len(spans) == 7, [(span.name, span.attributes.get("llm.request.type")) for span in spans]
    decorator_spans = [span for span in spans if span.kind == SpanKind.INTERNAL]
    assert tree(decorator_spans) == {name: parent for name, parent in TASK_TREE.items() if "pirate" in str(parent) or
                                     name == "invoke_workflow pirate_joke_generator"} | {
        "invoke_workflow pirate_joke_generator": (None, SpanKind.INTERNAL)}
    per_task = llm_spans_by_task(spans)
    assert sorted(per_task) == ["task joke_creation", "task pirate_joke_translation", "task signature_generation"]
    assert all(len(calls) == 1 for calls in per_task.values())
    for calls in per_task.values():
        assert calls[0].attributes["llm.workflow.name"] == "pirate_joke_generator"


@task(name="joke_lines")
def joke_lines(count: int):
    for index in range(count):
        yield ask(f"line {index}")


@task(name="async_joke_lines")
async def async_joke_lines(count: int):
    for index in range(count):
        yield await aask(f"line {index}")


@workflow(name="partial_reader")
def read_two_then_close() -> list[str]:
    lines = joke_lines(5)
    read = [next(lines), next(lines)]
    # Between items the caller's context is current, not the generator's span.
    assert trace.get_current_span().name == "invoke_workflow partial_reader"
    lines.close()
    return read


def test_generator_task_read_partly_then_closed_ends_once(telemetry):
    assert read_two_then_close() == ["re: line 0", "re: line 1"]
    spans = telemetry.spans(count=4)
    assert len(spans) == 4
    assert tree([span for span in spans if span.kind == SpanKind.INTERNAL]) == {
        "invoke_workflow partial_reader": (None, SpanKind.INTERNAL),
        "task joke_lines": ("invoke_workflow partial_reader", SpanKind.INTERNAL),
    }
    assert sorted(llm_spans_by_task(spans)) == ["task joke_lines"]
    assert len(llm_spans_by_task(spans)["task joke_lines"]) == 2
    gen_span = next(span for span in spans if span.name == "task joke_lines")
    assert gen_span.status.status_code == StatusCode.UNSET


def test_generator_dropped_unfinished_ends_its_span(telemetry):
    lines = joke_lines(3)
    assert next(lines) == "re: line 0"
    del lines  # CPython closes the generator when it is collected
    spans = telemetry.spans(count=2)
    assert sorted(span.name for span in spans) == ["chat openai/gpt-4o-mini", "task joke_lines"]


def test_generator_exhausted_returns_everything(telemetry):
    assert list(joke_lines(2)) == ["re: line 0", "re: line 1"]
    assert [span.name for span in telemetry.spans(count=3)].count("task joke_lines") == 1


def test_async_generator_task_read_partly_then_closed(telemetry):
    @workflow(name="async_partial_reader")
    async def reader() -> list[str]:
        lines = async_joke_lines(5)
        read = [await lines.__anext__(), await lines.__anext__()]
        await lines.aclose()
        return read

    assert asyncio.run(reader()) == ["re: line 0", "re: line 1"]
    spans = telemetry.spans(count=4)
    assert len(spans) == 4
    assert tree([span for span in spans if span.kind == SpanKind.INTERNAL]) == {
        "invoke_workflow async_partial_reader": (None, SpanKind.INTERNAL),
        "task async_joke_lines": ("invoke_workflow async_partial_reader", SpanKind.INTERNAL),
    }
    assert len(llm_spans_by_task(spans)["task async_joke_lines"]) == 2


class JokeError(Exception):
    pass


ERROR = JokeError("the punchline failed")


@task(name="failing_punchline")
def failing_punchline() -> str:
    ask("setup")
    raise ERROR


@task(name="guarded")
def guarded() -> str:
    try:
        return failing_punchline()
    except JokeError:
        return "recovered"


@workflow(name="outer")
def outer(catch: bool) -> str:
    return guarded() if catch else failing_punchline()


@pytest.mark.parametrize("catch", [False, True], ids=["propagates", "caught-in-between"])
def test_exception_in_nested_task_is_recorded_once_and_reraised_unchanged(telemetry, catch):
    if catch:
        assert outer(True) == "recovered"
    else:
        with pytest.raises(JokeError) as raised:
            outer(False)
        assert raised.value is ERROR
    spans = {span.name: span for span in telemetry.spans(count=4 if catch else 3)}
    failing = spans["task failing_punchline"]
    assert failing.status.status_code == StatusCode.ERROR
    events = [event for span in spans.values() for event in span.events if event.name == "exception"]
    assert len(events) == 1 and events[0] in failing.events
    assert events[0].attributes["exception.type"] == "JokeError"
    assert failing.attributes["error.type"] == "JokeError"
    workflow_span = spans["invoke_workflow outer"]
    if catch:
        assert spans["task guarded"].status.status_code == StatusCode.UNSET
        assert workflow_span.status.status_code == StatusCode.UNSET
    else:
        assert workflow_span.status.status_code == StatusCode.ERROR
        assert workflow_span.attributes["error.type"] == "JokeError"
    assert spans["chat openai/gpt-4o-mini"].status.status_code == StatusCode.UNSET


def test_async_exception_passes_through_unchanged(telemetry):
    @task(name="async_fail")
    async def async_fail() -> None:
        raise ERROR

    @workflow(name="async_outer")
    async def async_outer() -> None:
        await async_fail()

    with pytest.raises(JokeError) as raised:
        asyncio.run(async_outer())
    assert raised.value is ERROR
    spans = {span.name: span for span in telemetry.spans(count=2)}
    assert spans["invoke_workflow async_outer"].status.status_code == StatusCode.ERROR
    assert sum(len(span.events) for span in spans.values()) == 1
