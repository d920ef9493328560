"""Session, user, customer, tags and metadata: from litetrace.context and from a call's metadata=."""

from __future__ import annotations

import asyncio
import threading

import litellm
import pytest
from opentelemetry import baggage
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind
from support import drain

import litetrace
from litetrace.tracing import metadata as md

MODEL = "openai/gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "hi"}]
SESSION = {"gen_ai.conversation.id": "s-1", "session.id": "s-1"}


def call(**kwargs: object) -> object:
    return litellm.completion(model=MODEL, messages=MESSAGES, mock_response="hello", **kwargs)


def unwrapped_call(**kwargs: object) -> object:
    """A call no wrapper sees (like a function imported before instrument()): the callback builds its span."""
    original = litellm.completion.__wrapped__
    return original(model=MODEL, messages=MESSAGES, mock_response="hello", **kwargs)


def llm_spans(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    return [span for span in spans if span.kind == SpanKind.CLIENT]


def test_context_puts_session_user_customer_tags_metadata_on_llm_and_decorator_spans(telemetry):
    @litetrace.task(name="step")
    def step() -> None:
        call()

    with litetrace.context(session_id="s-1", user_id="u-42", customer_id="acme", tags=["beta", "eu"],
                           metadata={"plan": "pro", "seats": 3, "nested": {"no": 1}}):
        step()
    spans = telemetry.spans(count=2)
    assert len(spans) == 2
    for span in spans:
        attrs = span.attributes
        assert {key: attrs.get(key) for key in SESSION} == SESSION
        assert attrs["user.id"] == "u-42"
        assert attrs["llm.customer_id"] == "acme"
        assert list(attrs["llm.tags"]) == ["beta", "eu"]
        assert attrs["llm.metadata.plan"] == "pro"
        assert attrs["llm.metadata.seats"] == 3
        assert "llm.metadata.nested" not in attrs


def test_context_ends_with_its_block_and_nests(telemetry):
    with litetrace.context(session_id="outer", tags=["a"]):
        with litetrace.context(user_id="u-1", tags=["b"]):
            call()
        call()
    call()
    inner, outer, outside = llm_spans(telemetry.spans(count=3))
    assert inner.attributes["session.id"] == "outer" and inner.attributes["user.id"] == "u-1"
    assert list(inner.attributes["llm.tags"]) == ["a", "b"]
    assert outer.attributes["session.id"] == "outer" and "user.id" not in outer.attributes
    assert not any(key in outside.attributes for key in ("session.id", "user.id", "llm.tags"))


def test_context_as_decorator_and_across_await(telemetry):
    @litetrace.context(session_id="s-async", user_id="u-7")
    async def handler() -> None:
        await asyncio.sleep(0)
        await litellm.acompletion(model=MODEL, messages=MESSAGES, mock_response="hello")

    @litetrace.context(session_id="s-sync")
    def sync_handler() -> None:
        call()

    asyncio.run(handler())
    sync_handler()
    first, second = llm_spans(telemetry.spans(count=2))
    assert first.attributes["session.id"] == "s-async" and first.attributes["user.id"] == "u-7"
    assert second.attributes["session.id"] == "s-sync"


def test_context_reaches_threads(telemetry):
    with litetrace.context(session_id="s-thread"):
        worker = threading.Thread(target=call)
        worker.start()
        worker.join()
    (span,) = telemetry.spans(count=1)
    assert span.attributes["session.id"] == "s-thread"


def test_propagate_puts_the_context_in_baggage(telemetry):
    seen: dict[str, object] = {}

    with litetrace.context(session_id="s-1", user_id="u-1", tags=["x", "y"], propagate=True):
        seen.update(baggage.get_all())
    with litetrace.context(session_id="s-2"):
        assert baggage.get_baggage("session.id") is None
    assert seen == {"gen_ai.conversation.id": "s-1", "session.id": "s-1", "user.id": "u-1", "llm.tags": "x,y"}


@pytest.mark.parametrize("user_key", ["trace_user_id", "user_id"])
def test_per_call_metadata_keys_become_attributes(telemetry, user_key):
    call(
        user="end-user-9",
        metadata={
            "session_id": "s-9", user_key: "u-9", "customer_identifier": "acme", "tags": ["t1", "t2"],
            "generation_name": "summarise", "trace_name": "nightly", "workflow_name": "digest", "plan": "pro",
        },
    )
    (span,) = telemetry.spans(count=1)
    attrs = span.attributes
    assert attrs["session.id"] == "s-9" and attrs["gen_ai.conversation.id"] == "s-9"
    assert attrs["user.id"] == "u-9"
    assert attrs["llm.request.user"] == "end-user-9"
    assert attrs["llm.customer_id"] == "acme"
    assert list(attrs["llm.tags"]) == ["t1", "t2"]
    assert attrs["llm.generation.name"] == "summarise"
    assert attrs["llm.trace.name"] == "nightly"
    assert attrs["llm.workflow.name"] == "digest"
    assert attrs["llm.metadata.plan"] == "pro"
    assert span.name == "chat openai/gpt-4o-mini"


def test_respan_params_become_the_same_attributes(telemetry):
    call(metadata={"respan_params": {"workflow_name": "simple_logging", "span_name": "single_log",
                                     "customer_identifier": "user-123", "metadata": {"tier": "gold"}}})
    (span,) = telemetry.spans(count=1)
    assert span.attributes["llm.workflow.name"] == "simple_logging"
    assert span.attributes["llm.generation.name"] == "single_log"
    assert span.attributes["llm.customer_id"] == "user-123"
    assert span.attributes["llm.metadata.tier"] == "gold"


def test_call_metadata_wins_over_context_and_tags_add_up(telemetry):
    with litetrace.context(session_id="ctx", tags=["ctx-tag"]):
        call(metadata={"session_id": "call", "tags": ["call-tag"]})
    (span,) = telemetry.spans(count=1)
    assert span.attributes["session.id"] == "call"
    assert list(span.attributes["llm.tags"]) == ["ctx-tag", "call-tag"]


def test_secret_looking_metadata_keys_are_never_exported(telemetry):
    call(metadata={"api_key": "sk-abcdefghijklmnop", "my_secret": "hunter22", "auth_token": "tok-123456",
                   "user_api_key_hash": "h", "password": "pw-1234", "note": "key=sk-zyxwvutsrqponmlk"})
    (span,) = telemetry.spans(count=1)
    exported = repr(dict(span.attributes))
    for secret in ("sk-abcdefghijklmnop", "hunter22", "tok-123456", "pw-1234", "sk-zyxwvutsrqponmlk"):
        assert secret not in exported
    assert not any(key.startswith("llm.metadata.") and key != "llm.metadata.note" for key in span.attributes)
    assert "[REDACTED]" in span.attributes["llm.metadata.note"]


def test_circular_non_dict_and_huge_metadata_leave_the_call_unchanged(telemetry):
    circular: dict[str, object] = {"session_id": "s-c"}
    circular["self"] = circular
    huge = "x" * (5 * 1024 * 1024)
    results = [
        call(metadata=circular),
        call(metadata={"blob": huge, "session_id": huge, "tags": ["t"] * 10 + [huge] + [f"t{i}" for i in range(100)]}),
    ]
    assert [result.choices[0].message.content for result in results] == ["hello"] * 2
    # LiteLLM itself rejects a non-dict: the same error, with or without litetrace.
    with pytest.raises(AttributeError) as plain:
        unwrapped_call(metadata=["not", "a", "dict"])
    with pytest.raises(AttributeError) as traced:
        call(metadata=["not", "a", "dict"])
    assert str(traced.value) == str(plain.value)
    drain()
    spans = telemetry.spans(count=4)
    first, third = spans[0], spans[1]
    second = next(span for span in spans[2:] if span.attributes.get("llm.error.type"))
    assert first.attributes["session.id"] == "s-c" and "llm.metadata.self" not in first.attributes
    assert not any(key.startswith(("llm.metadata.", "session.")) for key in second.attributes)
    assert len(third.attributes["llm.metadata.blob"]) == md.MAX_VALUE_LENGTH
    assert len(third.attributes["session.id"]) == md.MAX_VALUE_LENGTH
    tags = list(third.attributes["llm.tags"])
    assert len(tags) == md.MAX_TAGS and max(len(tag) for tag in tags) == md.MAX_TAG_LENGTH


def test_callback_built_span_gets_caller_parent_context_and_metadata(telemetry):
    @litetrace.workflow(name="wf")
    def run() -> None:
        with litetrace.context(session_id="s-cb", user_id="u-cb", tags=["cb"]):
            unwrapped_call(metadata={"generation_name": "early", "customer_identifier": "acme"})

    run()
    drain()
    spans = telemetry.spans(count=2)
    assert len(spans) == 2
    workflow_span = next(span for span in spans if span.kind == SpanKind.INTERNAL)
    (llm,) = llm_spans(spans)
    assert llm.parent is not None and llm.parent.span_id == workflow_span.context.span_id
    assert llm.attributes["llm.workflow.name"] == "wf"
    assert llm.attributes["session.id"] == "s-cb" and llm.attributes["user.id"] == "u-cb"
    assert list(llm.attributes["llm.tags"]) == ["cb"]
    assert llm.attributes["llm.generation.name"] == "early"
    assert llm.attributes["llm.customer_id"] == "acme"
    assert len(_callback(telemetry).caller_contexts) == 0


def _callback(telemetry):
    return telemetry.instrumentor._routing.callback


def test_calls_the_wrapper_saw_leave_no_caller_context_behind(telemetry):
    with litetrace.context(session_id="s"):
        call()
    drain()
    assert len(_callback(telemetry).caller_contexts) == 0


def test_no_context_adds_nothing(telemetry):
    call()
    (span,) = telemetry.spans(count=1)
    assert not [key for key in span.attributes if key.startswith(("session.", "user.", "llm.tags", "llm.metadata",
                                                                  "llm.workflow", "llm.task", "gen_ai.conversation"))]


def test_callback_built_span_from_a_worker_thread_keeps_its_parent(telemetry):
    from concurrent.futures import ThreadPoolExecutor

    @litetrace.workflow(name="fan_out")
    def run() -> None:
        with litetrace.context(session_id="s-pool"), ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda _: unwrapped_call(), range(2)))

    run()
    drain()
    spans = telemetry.spans(count=3)
    workflow_span = next(span for span in spans if span.kind == SpanKind.INTERNAL)
    calls = llm_spans(spans)
    assert len(calls) == 2
    for llm in calls:
        assert llm.parent.span_id == workflow_span.context.span_id
        assert llm.attributes["session.id"] == "s-pool"
        assert llm.attributes["llm.workflow.name"] == "fan_out"
