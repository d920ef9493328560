"""litetrace beside OpenAI/Anthropic/HTTP instrumentors: one GenAI span per call, HTTP spans as its children.

Measured on LiteLLM 1.110: Traceloop's (OpenLLMetry's) OpenAI instrumentor sees LiteLLM's
embeddings that pass ``encoding_format`` (the OpenAI SDK's ``embeddings.with_raw_response``),
and honours the ``suppress_language_model_instrumentation`` key litetrace sets while a call runs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import litellm
import openinference.instrumentation.openai as openinference_openai
import opentelemetry.instrumentation.httpx as httpx_instrumentation
import opentelemetry.instrumentation.openai as traceloop_openai
import opentelemetry.semconv_ai as semconv_ai
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from support import MESSAGES, OPENAI_CHAT, adrain, drain, ours

from litetrace.instrumentation.calls import SUPPRESS_LANGUAGE_MODEL_INSTRUMENTATION_KEY

EMBEDDING = "openai/text-embedding-3-small"


def local(provider: Any) -> dict[str, Any]:
    # A key of this module's own: LiteLLM caches OpenAI clients by key and base, and the SDK's
    # cached embeddings.with_raw_response binds create() when first built, so a client built by
    # an earlier test, before the peer was instrumented, would never reach the peer's wrapper.
    return dict(api_base=provider.openai_base, api_key="sk-peer-test")


def chat(provider: Any) -> Any:
    return litellm.completion(model=OPENAI_CHAT, messages=MESSAGES, **local(provider))


def chat_stream(provider: Any) -> Any:
    return [chunk.choices[0].delta.content for chunk in litellm.completion(model=OPENAI_CHAT, messages=MESSAGES, stream=True, **local(provider))]


def embedding(provider: Any) -> Any:
    # encoding_format sends LiteLLM through the OpenAI SDK's embeddings.create, which the peers wrap.
    return litellm.embedding(model=EMBEDDING, input=["hello"], encoding_format="float", **local(provider))


CALLS = {"chat": chat, "chat_stream": chat_stream, "embedding": embedding}


def openai_sdk_methods() -> dict[tuple[type, str], Any]:
    """Every method of the OpenAI SDK's classes, as bound now."""
    found = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("openai.") or module is None:
            continue
        for cls in vars(module).values():
            if isinstance(cls, type) and cls.__module__ == name:
                found.update({(cls, attr): value for attr, value in vars(cls).items() if callable(value)})
    return found


@contextmanager
def sdk_restored() -> Iterator[None]:
    """Put the OpenAI SDK's methods back afterwards: Traceloop's uninstrument() (0.62) leaves its
    wrappers in place, and they change LiteLLM's streamed text completions for every later test."""
    saved = openai_sdk_methods()
    try:
        yield
    finally:
        for (cls, attr), value in saved.items():
            if vars(cls).get(attr) is not value:
                setattr(cls, attr, value)


@pytest.fixture(scope="module")
def peer() -> Iterator[InMemorySpanExporter]:
    """Traceloop's OpenAI instrumentor, instrumented once (it does not wrap again after an uninstrument)."""
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentor = traceloop_openai.OpenAIInstrumentor()
    with sdk_restored():
        instrumentor.instrument(tracer_provider=tracer_provider)
        try:
            yield exporter
        finally:
            instrumentor.uninstrument()


def genai_spans(telemetry: Any, peer: InMemorySpanExporter) -> list[Any]:
    """Spans that describe a model call, ours and the peer's (not HTTP client spans)."""
    drain()
    spans = [*telemetry.settle(0.2), *peer.get_finished_spans()]
    return [span for span in spans if span.instrumentation_scope.name.split(".")[-1] != "httpx"]


def test_traceloop_openai_sees_litellms_embeddings_on_its_own(peer, provider):
    """The peer is live: without litetrace it adds a span of its own (what the next tests prevent)."""
    peer.clear()
    embedding(provider)
    drain()
    assert [span.name for span in peer.get_finished_spans()] == ["openai.embeddings"]


@pytest.mark.parametrize("name", CALLS)
def test_traceloop_openai_beside_litetrace_gives_one_genai_span(name, telemetry, peer, provider):
    peer.clear()
    result = CALLS[name](provider)
    spans = genai_spans(telemetry, peer)
    assert [span.instrumentation_scope.name.split(".")[0] for span in spans] == ["litetrace"], [s.name for s in spans]
    assert result is not None


@pytest.mark.parametrize("name", CALLS)
def test_results_are_the_same_with_the_peer_instrumented(name, telemetry_factory, peer, provider):
    peer.clear()
    bare = CALLS[name](provider)
    drain()
    # The peer alone adds a span of its own for embeddings; for chat only where LiteLLM's
    # transport is the openai SDK (up to 1.108; from 1.109 its own httpx handler).
    alone = len(peer.get_finished_spans())
    assert alone == 1 if name == "embedding" else alone <= 1
    peer.clear()
    telemetry = telemetry_factory()
    instrumented = CALLS[name](provider)
    assert type(instrumented) is type(bare)
    if name == "chat_stream":
        assert instrumented == bare
    elif name == "chat":
        assert instrumented.choices[0].message.content == bare.choices[0].message.content
    else:
        assert instrumented.data[0]["embedding"] == bare.data[0]["embedding"]
    assert len(genai_spans(telemetry, peer)) == 1


@pytest.mark.asyncio
async def test_async_calls_beside_traceloop_openai_give_one_genai_span_each(telemetry, peer, provider):
    peer.clear()
    await litellm.aembedding(model=EMBEDDING, input=["hello"], encoding_format="float", **local(provider))
    await litellm.acompletion(model=OPENAI_CHAT, messages=MESSAGES, **local(provider))
    await adrain()
    spans = genai_spans(telemetry, peer)
    assert sorted(span.name for span in spans) == [f"chat {OPENAI_CHAT}", f"embedding {EMBEDDING}"]


@pytest.mark.parametrize("name", CALLS)
def test_httpx_client_span_is_a_child_of_the_llm_span(name, telemetry, provider):
    instrumentor = httpx_instrumentation.HTTPXClientInstrumentor()
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    try:
        CALLS[name](provider)
    finally:
        instrumentor.uninstrument()
    drain()
    spans = telemetry.settle(0.2)
    (llm,) = ours(telemetry)
    http = [span for span in spans if span.instrumentation_scope.name.startswith("opentelemetry.instrumentation.httpx")]
    assert len(http) == 1, [span.name for span in spans]
    assert http[0].parent is not None and http[0].parent.span_id == llm.context.span_id
    assert http[0].context.trace_id == llm.context.trace_id


def test_the_suppression_key_is_the_one_openllmetry_reads():
    assert semconv_ai.SUPPRESS_LANGUAGE_MODEL_INSTRUMENTATION_KEY == SUPPRESS_LANGUAGE_MODEL_INSTRUMENTATION_KEY


def test_openinference_openai_adds_a_child_span_and_leaves_the_result_alone(telemetry, provider):
    """It honours only OpenTelemetry's general suppression key, which litetrace leaves unset (it would
    silence httpx spans too): a second span, the child of litetrace's, as the README says."""
    bare = chat(provider)
    drain()
    telemetry.exporter.clear()
    instrumentor = openinference_openai.OpenAIInstrumentor()
    with sdk_restored():
        instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
        try:
            result = chat(provider)
        finally:
            instrumentor.uninstrument()
    assert result.choices[0].message.content == bare.choices[0].message.content
    drain()
    spans = telemetry.settle(0.2)
    (llm,) = ours(telemetry)
    peers = [span for span in spans if span is not llm]
    assert [span.name for span in peers] == ["ChatCompletion"]
    assert peers[0].parent.span_id == llm.context.span_id


@pytest.mark.asyncio
async def test_async_httpx_client_span_is_a_child_of_the_llm_span(telemetry, provider, monkeypatch):
    monkeypatch.setattr(litellm, "disable_aiohttp_transport", True)  # else LiteLLM's async calls use aiohttp
    instrumentor = httpx_instrumentation.HTTPXClientInstrumentor()
    instrumentor.instrument(tracer_provider=telemetry.tracer_provider)
    try:
        await litellm.acompletion(model=OPENAI_CHAT, messages=MESSAGES, **local(provider))
        await adrain()
    finally:
        instrumentor.uninstrument()
    spans = telemetry.settle(0.2)
    (llm,) = ours(telemetry)
    http = [span for span in spans if span.instrumentation_scope.name.startswith("opentelemetry.instrumentation.httpx")]
    assert len(http) == 1 and http[0].parent.span_id == llm.context.span_id
