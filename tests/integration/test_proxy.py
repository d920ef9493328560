"""The real LiteLLM proxy with litetrace's one config line, driven by the official openai client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from proxy_support import (
    MASTER_KEY,
    UPSTREAM_KEY,
    Proxy,
    model,
    one_span,
    proxy_free_of,
    running_proxy,
    wait_for_spans,
    write_config,
)

pytestmark = pytest.mark.integration

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"
MESSAGES = [{"role": "user", "content": "hi"}]
SLOW_STREAM = {"chunk_count": 40, "chunk_delay": 0.2}


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory, provider: Any) -> Iterator[Proxy]:
    folder = tmp_path_factory.mktemp("proxy")
    models = [
        model("gpt-local", provider.openai_base),
        model("gpt-slow", provider.openai_base, extra_headers={"x-local-provider": json.dumps(SLOW_STREAM)}),
        model("emb-local", provider.openai_base, upstream="openai/text-embedding-3-small"),
        model("gpt-broken", provider.openai_base, extra_headers={"x-local-provider": json.dumps({"error_status": 500})}),
    ]
    # "agentops" too: it must resolve to litetrace (one span per call), not to LiteLLM's AgentOps logger.
    config = write_config(folder, models, {"success_callback": ["agentops"]},
                          router_settings={"fallbacks": [{"gpt-broken": ["gpt-local"]}], "num_retries": 1, "retry_after": 0})
    with running_proxy(folder, config, LITETRACE_PROPAGATE_TO_PROVIDER="true") as server:
        yield server


def test_non_streamed_request_continues_the_callers_trace_and_returns_it(proxy: Proxy):
    traceparent = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"
    raw = proxy.client().chat.completions.with_raw_response.create(
        model="gpt-local", messages=MESSAGES, extra_headers={"traceparent": traceparent, "baggage": "tenant=acme"})
    reply = raw.parse()
    call_id = raw.headers["x-litellm-call-id"]
    span = one_span(proxy.store, call_id)
    assert reply.choices[0].message.content
    assert (span["trace_id"], span["parent_span_id"]) == (CALLER_TRACE, CALLER_SPAN)
    assert raw.headers["traceparent"] == f"00-{CALLER_TRACE}-{span['span_id']}-01"
    assert raw.headers["x-litetrace-trace-id"] == CALLER_TRACE
    assert span["status_code"] == "UNSET"
    assert span["request_model"] == "gpt-local" and span["total_tokens"] > 0


def test_request_without_trace_context_starts_a_new_trace_named_in_the_response(proxy: Proxy):
    raw = proxy.client().chat.completions.with_raw_response.create(model="gpt-local", messages=MESSAGES)
    span = one_span(proxy.store, raw.headers["x-litellm-call-id"])
    assert span["parent_span_id"] is None
    assert raw.headers["x-litetrace-trace-id"] == span["trace_id"] != CALLER_TRACE
    assert raw.headers["traceparent"].split("-")[1:3] == [span["trace_id"], span["span_id"]]


def test_streamed_request_counts_the_chunks_the_client_read(proxy: Proxy):
    raw = proxy.client().chat.completions.with_raw_response.create(model="gpt-local", messages=MESSAGES, stream=True)
    chunks = list(raw.parse())
    span = one_span(proxy.store, raw.headers["x-litellm-call-id"])
    attributes = span["attributes"]
    assert attributes["llm.response.stream_outcome"] == "completed"
    assert attributes["llm.response.chunk_count"] == len(chunks) > 1
    assert 0 < attributes["llm.response.time_to_first_token"] <= attributes["llm.response.stream_duration"]
    assert raw.headers["x-litetrace-trace-id"] == span["trace_id"]
    assert span["status_code"] == "UNSET"


def test_stream_closed_early_by_the_client_is_closed_early_not_an_error(proxy: Proxy):
    raw = proxy.client().chat.completions.with_raw_response.create(model="gpt-slow", messages=MESSAGES, stream=True)
    stream = raw.parse()
    for read, _ in enumerate(stream, start=1):
        if read == 2:
            break
    stream.close()
    span = one_span(proxy.store, raw.headers["x-litellm-call-id"])
    attributes = span["attributes"]
    assert attributes["llm.response.stream_outcome"] == "closed_early"
    assert span["status_code"] != "ERROR"
    assert not any(key.startswith("llm.error.") for key in attributes), attributes
    assert 2 <= attributes["llm.response.chunk_count"] < SLOW_STREAM["chunk_count"]
    text = json.dumps(span)
    for internal in ("Task", "run_asgi", ".py", "cancel scope"):
        assert internal not in text, internal


def test_embeddings_request_is_one_span(proxy: Proxy):
    raw = proxy.client().embeddings.with_raw_response.create(model="emb-local", input=["a", "b"])
    assert len(raw.parse().data) == 2
    span = one_span(proxy.store, raw.headers["x-litellm-call-id"])
    assert span["operation"] == "embedding" and span["status_code"] == "UNSET"
    assert span["attributes"]["llm.response.embedding_count"] == 2


def test_unknown_model_is_one_error_span(proxy: Proxy):
    import openai

    call_id = "litetrace-test-unknown-model-0001"
    with pytest.raises(openai.BadRequestError):
        proxy.client().chat.completions.create(model="no-such-model", messages=MESSAGES,
                                               extra_headers={"x-litellm-call-id": call_id})
    span = one_span(proxy.store, call_id)
    assert span["status_code"] == "ERROR" and span["error_category"] == "bad_request"


def test_fifty_concurrent_streams_are_fifty_spans(proxy: Proxy):
    async def one(client: Any) -> tuple[str, int]:
        raw = await client.chat.completions.with_raw_response.create(model="gpt-local", messages=MESSAGES, stream=True)
        read = [chunk async for chunk in raw.parse()]
        return raw.headers["x-litellm-call-id"], len(read)

    async def all_of_them() -> list[tuple[str, int]]:
        async with proxy.async_client() as client:
            return await asyncio.gather(*(one(client) for _ in range(50)))

    results = dict(asyncio.run(all_of_them()))
    assert len(results) == 50
    spans = wait_for_spans(proxy.store, lambda found: results.keys() <= {s["attributes"]["llm.litellm.call_id"] for s in found},
                           "not every stream's span arrived")
    mine = [span for span in spans if span["attributes"]["llm.litellm.call_id"] in results]
    assert len(mine) == 50
    for span in mine:
        assert span["attributes"]["llm.response.chunk_count"] == results[span["attributes"]["llm.litellm.call_id"]]
        assert span["attributes"]["llm.response.stream_outcome"] == "completed"


def test_no_key_reaches_the_store_and_agentops_is_not_dialled(proxy: Proxy):
    proxy.client().chat.completions.create(model="gpt-local", messages=MESSAGES)
    wait_for_spans(proxy.store, lambda found: len(found) >= 1, "no spans")
    proxy_free_of([MASTER_KEY, UPSTREAM_KEY], proxy)
    log = proxy.log.read_text(errors="replace").lower()
    assert "agentops.cloud" not in log and "empty module name" not in log


def test_fallback_through_the_proxy_is_one_ok_span_with_its_attempts(proxy: Proxy):
    raw = proxy.client().chat.completions.with_raw_response.create(model="gpt-broken", messages=MESSAGES)
    assert raw.parse().choices[0].message.content
    span = one_span(proxy.store, raw.headers["x-litellm-call-id"])
    attributes = span["attributes"]
    assert span["status_code"] == "UNSET"
    assert attributes["llm.router.fallback_model"] == "gpt-local"
    assert attributes["llm.router.attempts"] >= 2
    assert attributes["llm.litellm.model_group"] == "gpt-broken"


def test_provider_receives_a_traceparent_naming_the_llm_span(proxy: Proxy, provider: Any):
    raw = proxy.client().chat.completions.with_raw_response.create(
        model="gpt-local", messages=MESSAGES, extra_headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"})
    span = one_span(proxy.store, raw.headers["x-litellm-call-id"])
    forwarded = [request["headers"].get("traceparent") for request in provider.requests]
    assert f"00-{CALLER_TRACE}-{span['span_id']}-01" in forwarded
