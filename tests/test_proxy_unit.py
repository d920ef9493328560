"""The proxy modules on their own: trace context, who asked, response headers, client disconnects."""

from __future__ import annotations

import asyncio
from typing import Any

import litellm
import pytest
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from support import MESSAGES, OPENAI_CHAT, afinished, aonly_span, behave

from litetrace.proxy.context import CallSpans, continue_callers_trace, traceparent
from litetrace.proxy.requester import end_user_of, metadata_of, requester_attributes

CALLER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def _request(headers: dict[str, str]) -> dict[str, Any]:
    return {"proxy_server_request": {"url": "http://proxy/v1/chat/completions", "method": "POST", "headers": headers}}


def _in_fresh_context(run: Any) -> Any:
    token = otel_context.attach(otel_context.Context())
    try:
        return run()
    finally:
        otel_context.detach(token)


def test_callers_traceparent_becomes_the_current_parent():
    def run() -> SpanContext:
        continue_callers_trace(_request({"Traceparent": CALLER, "baggage": "tenant=acme"}))
        return trace.get_current_span().get_span_context()

    found = _in_fresh_context(run)
    assert (f"{found.trace_id:032x}", f"{found.span_id:016x}") == ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331")
    assert found.is_remote


def test_an_existing_server_span_wins_over_the_header():
    server = SpanContext(0x1234, 0x5678, is_remote=False, trace_flags=TraceFlags(1))

    def run() -> SpanContext:
        otel_context.attach(trace.set_span_in_context(NonRecordingSpan(server)))
        continue_callers_trace(_request({"traceparent": CALLER}))
        return trace.get_current_span().get_span_context()

    assert _in_fresh_context(run) == server


def test_no_header_leaves_no_parent():
    def run() -> bool:
        continue_callers_trace(_request({"content-type": "application/json"}))
        return trace.get_current_span().get_span_context().is_valid

    assert _in_fresh_context(run) is False


def test_call_spans_are_bounded_and_taken_once():
    spans = CallSpans(limit=2)
    contexts = [SpanContext(index + 1, index + 1, is_remote=False) for index in range(3)]
    for index, span_context in enumerate(contexts):
        spans.remember(f"call-{index}", span_context)
    assert spans.take("call-0") is None  # the oldest went when the third came
    assert spans.take("call-2") == contexts[2]
    assert spans.take("call-2") is None
    assert traceparent(SpanContext(1, 2, False, TraceFlags(1))) == f"00-{1:032x}-{2:016x}-01"


PROXY_METADATA = {
    "user_api_key": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
    "user_api_key_hash": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
    "user_api_key_alias": "alpha-key", "user_api_key_team_id": "team-7", "user_api_key_team_alias": "Research",
    "user_api_key_user_id": "user-42", "user_api_key_end_user_id": "end-9", "model_group": "gpt-local",
    "tags": ["nightly", 3, ""],
}


def test_requester_attributes_name_who_asked_but_never_the_key():
    details = {"litellm_params": {"metadata": PROXY_METADATA}}
    attrs = requester_attributes(metadata_of(details), redact_key_info=False, end_user=end_user_of(details))
    assert attrs == {
        "llm.proxy.key_alias": "alpha-key", "llm.proxy.team_id": "team-7", "llm.proxy.team_alias": "Research",
        "llm.proxy.user_id": "user-42", "user.id": "end-9", "llm.litellm.model_group": "gpt-local",
        "llm.tags": ["nightly"],
    }
    assert PROXY_METADATA["user_api_key"] not in repr(attrs)


def test_redaction_drops_every_key_value_and_the_end_user():
    details = {"litellm_metadata": PROXY_METADATA, "user": "end-9"}
    attrs = requester_attributes(metadata_of(details), redact_key_info=True, end_user=end_user_of(details))
    assert attrs == {"llm.litellm.model_group": "gpt-local", "llm.tags": ["nightly"]}


def test_end_user_falls_back_to_the_user_field():
    details = {"optional_params": {"user": "end-from-field"}, "metadata": {"user_api_key_alias": "k"}}
    attrs = requester_attributes(metadata_of(details), False, end_user_of(details))
    assert attrs["user.id"] == "end-from-field"


@pytest.mark.asyncio
async def test_a_proxied_stream_cancelled_by_a_disconnect_is_closed_early(telemetry, provider):
    stream = await litellm.acompletion(
        model=OPENAI_CHAT, messages=MESSAGES, api_base=provider.openai_base, api_key="sk-unit", stream=True,
        extra_headers=behave(chunk_count=5, chunk_delay=0.5), proxy_server_request=_request({}),
    )
    first = asyncio.Event()

    async def consume() -> None:
        async for _ in stream:
            first.set()

    task = asyncio.create_task(consume())
    await first.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await afinished(telemetry, 1)  # LiteLLM's tasks on this loop may still be unwinding
    span = await aonly_span(telemetry)
    assert span.attributes["llm.response.stream_outcome"] == "closed_early"
    assert span.status.status_code.name == "UNSET"
    assert not [event for event in span.events if event.name == "exception"]


def test_proxy_hooks_return_the_trace_headers_of_a_remembered_call():
    from litetrace.proxy.hooks import ProxyHooks

    hooks = ProxyHooks()
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("llm") as span:
        hooks.log_pre_api_call("m", [], {"litellm_call_id": "call-1", "litellm_params": {"metadata": PROXY_METADATA}})
    headers = asyncio.run(hooks.async_post_call_response_headers_hook({"litellm_call_id": "call-1"}, None, None))
    expected = span.get_span_context()
    assert headers == {"traceparent": traceparent(expected), "x-litetrace-trace-id": f"{expected.trace_id:032x}"}
    assert span.attributes["llm.proxy.key_alias"] == "alpha-key"
    assert asyncio.run(hooks.async_post_call_response_headers_hook({"litellm_call_id": "other"}, None, None)) is None
