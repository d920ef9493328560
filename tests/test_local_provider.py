"""Tests for the local provider, driven through real LiteLLM calls (HTTP + SSE code paths)."""

from __future__ import annotations

import os

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # before litellm is imported: no price-list download

import base64
import json
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import litellm
import openai
import pytest

from litetrace.demo.local_provider import Behavior, LocalProvider

OPENAI_MODEL = "openai/gpt-4o-mini"
ANTHROPIC_MODEL = "anthropic/claude-sonnet-4-5"  # priced in LiteLLM's bundled cost map
MESSAGES = [{"role": "user", "content": "hi"}]
TOOLS = [
    {"name": "get_weather", "arguments": '{"city": "Paris", "unit": "celsius"}'},
    {"name": "get_time", "arguments": '{"tz": "Europe/Paris"}'},
]
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, whatever *_proxy says


@pytest.fixture(scope="module")
def server() -> Iterator[LocalProvider]:
    with LocalProvider() as provider:
        yield provider


@pytest.fixture
def provider(server: LocalProvider) -> LocalProvider:
    """This module's own server (shadows conftest's shared one), reset to the default behavior for each test."""
    server.behavior = Behavior()
    return server


def chat(provider: LocalProvider, **kwargs: Any) -> Any:
    return litellm.completion(
        model=OPENAI_MODEL, api_base=provider.openai_base, api_key="x", messages=MESSAGES, max_retries=0, **kwargs
    )


def claude(provider: LocalProvider, **kwargs: Any) -> Any:
    return litellm.completion(model=ANTHROPIC_MODEL, api_base=provider.base_url, api_key="x", messages=MESSAGES, **kwargs)


def content_of(chunks: list[Any]) -> list[str]:
    return [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]


def assemble_tool_calls(chunks: list[Any]) -> list[tuple[str, str]]:
    calls: dict[int, list[str]] = {}
    for chunk in chunks:
        for call in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            entry = calls.setdefault(call.index, ["", ""])
            entry[0] += call.function.name or ""
            entry[1] += call.function.arguments or ""
    return [(name, arguments) for name, arguments in (calls[i] for i in sorted(calls))]


def raw_post(provider: LocalProvider, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(provider.base_url + path, json.dumps(body).encode(), method="POST")
    try:
        with DIRECT.open(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_chat_non_stream(provider: LocalProvider) -> None:
    response = chat(provider)
    assert response.choices[0].message.content == "Hello from the local provider."
    assert response.choices[0].finish_reason == "stop"
    assert response.id.startswith("chatcmpl-") and response.model == "gpt-4o-mini"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens, response.usage.total_tokens) == (12, 5, 17)
    last = provider.requests[-1]
    assert last["path"] == "/v1/chat/completions" and last["body"]["model"] == "gpt-4o-mini"
    assert last["headers"]["authorization"] == "Bearer x"


def test_chat_stream_sync(provider: LocalProvider) -> None:
    chunks = list(chat(provider, stream=True))
    assert content_of(chunks) == ["Hello ", "from ", "the ", "local ", "provider."]
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.model == "gpt-4o-mini" for c in chunks)


@pytest.mark.asyncio
async def test_acompletion_stream(provider: LocalProvider) -> None:
    provider.behavior = Behavior(text="one two three", chunk_count=3)
    stream = await litellm.acompletion(
        model=OPENAI_MODEL, api_base=provider.openai_base, api_key="x", messages=MESSAGES, stream=True, max_retries=0
    )
    assert content_of([chunk async for chunk in stream]) == ["one ", "two ", "three"]


@pytest.mark.asyncio
async def test_acompletion_anthropic_stream(provider: LocalProvider) -> None:
    stream = await litellm.acompletion(
        model=ANTHROPIC_MODEL, api_base=provider.base_url, api_key="x", messages=MESSAGES, stream=True
    )
    assert "".join(content_of([chunk async for chunk in stream])) == "Hello from the local provider."


def test_include_usage_chunk(provider: LocalProvider) -> None:
    # Token counts LiteLLM could not have estimated itself prove the usage chunk was parsed.
    provider.behavior = Behavior(prompt_tokens=101, completion_tokens=7)
    chunks = list(chat(provider, stream=True, stream_options={"include_usage": True}))
    usage = [c.usage for c in chunks if getattr(c, "usage", None)]
    assert usage and (usage[-1].prompt_tokens, usage[-1].completion_tokens) == (101, 7)


def test_tool_call_stream_matches_non_stream(provider: LocalProvider) -> None:
    provider.behavior = Behavior(tool_calls=TOOLS, chunk_count=4)
    response = chat(provider)
    message = response.choices[0].message
    expected = [(t["name"], t["arguments"]) for t in TOOLS]
    assert [(c.function.name, c.function.arguments) for c in message.tool_calls] == expected
    assert response.choices[0].finish_reason == "tool_calls"
    chunks = list(chat(provider, stream=True))
    assert assemble_tool_calls(chunks) == expected
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    argument_pieces = [c for c in chunks if c.choices and c.choices[0].delta.tool_calls]
    assert len(argument_pieces) >= 2 * 4  # arguments really arrive split over several chunks


def test_text_completion(provider: LocalProvider) -> None:
    kwargs: dict[str, Any] = {
        "model": "openai/gpt-3.5-turbo-instruct", "api_base": provider.openai_base, "api_key": "x", "prompt": "Say hi"
    }
    response = litellm.text_completion(**kwargs)
    assert response.choices[0].text == "Hello from the local provider." and response.usage.total_tokens == 17
    chunks = list(litellm.text_completion(stream=True, **kwargs))
    assert "".join(c.choices[0].text or "" for c in chunks if c.choices) == "Hello from the local provider."
    assert provider.requests[-1]["path"] == "/v1/completions"


def test_embedding(provider: LocalProvider) -> None:
    kwargs: dict[str, Any] = {"model": "openai/text-embedding-3-small", "api_base": provider.openai_base, "api_key": "x"}
    response = litellm.embedding(input=["a", "b", "a"], **kwargs)
    vectors = [item["embedding"] for item in response.data]
    assert len(vectors) == 3 and all(len(v) == 8 for v in vectors)
    assert vectors[0] == vectors[2] and vectors[0] != vectors[1]
    assert abs(sum(x * x for x in vectors[0]) - 1.0) < 1e-6
    small = litellm.embedding(input="a", dimensions=4, encoding_format="float", **kwargs)
    assert len(small.data[0]["embedding"]) == 4 and provider.requests[-1]["body"]["encoding_format"] == "float"
    assert response.usage.prompt_tokens == 12


def test_embedding_base64_via_openai_sdk(provider: LocalProvider) -> None:
    # The OpenAI SDK asks for base64 by default and decodes it back to floats.
    client = openai.OpenAI(base_url=provider.openai_base, api_key="x", max_retries=0)
    vector = client.embeddings.create(model="text-embedding-3-small", input="a").data[0].embedding
    assert provider.requests[-1]["body"]["encoding_format"] == "base64"
    assert len(vector) == 8 and abs(sum(x * x for x in vector) - 1.0) < 1e-5


def test_image_generation(provider: LocalProvider) -> None:
    kwargs: dict[str, Any] = {"model": "openai/dall-e-3", "api_base": provider.openai_base, "api_key": "x", "prompt": "a cat"}
    urls = litellm.image_generation(n=2, **kwargs)
    assert len(urls.data) == 2 and all(item.url.startswith(provider.base_url) for item in urls.data)
    with DIRECT.open(urls.data[0].url, timeout=5) as image:
        assert image.read().startswith(b"\x89PNG")
    # gpt-image models answer with b64_json only (LiteLLM >= 1.109 also rejects response_format for DALL-E).
    inline = litellm.image_generation(**{**kwargs, "model": "openai/gpt-image-1"})
    assert base64.b64decode(inline.data[0].b64_json).startswith(b"\x89PNG")


def test_moderation(provider: LocalProvider) -> None:
    texts = ["I will kill the process", "I hate Mondays", "whatever, nice skills"]
    # litellm.moderation() hands the model string to the OpenAI SDK verbatim, so no "openai/" prefix here.
    response: Any = litellm.moderation(
        model="omni-moderation-latest", api_base=provider.openai_base, api_key="x", input=texts  # type: ignore[arg-type]
    )
    first, second, third = response.results  # LiteLLM gives categories as plain dicts
    assert first.flagged and first.categories["violence"] and not first.categories["hate"]
    assert second.flagged and second.categories["hate"] and second.category_scores["hate"] > 0.5
    assert not third.flagged  # "whatever" and "skills" contain the words but not as words


def test_responses_via_openai_sdk(provider: LocalProvider) -> None:
    # The official client's parser is the reference for the Responses wire format.
    client = openai.OpenAI(base_url=provider.openai_base, api_key="x", max_retries=0)
    response: Any = client.responses.create(model="gpt-4o-mini", input="hi")
    assert response.output_text == "Hello from the local provider." and response.usage.total_tokens == 17
    with client.responses.stream(model="gpt-4o-mini", input="hi") as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == "Hello from the local provider." and len(deltas) == 5
    assert final.usage is not None and final.usage.output_tokens == 5


def test_responses_via_litellm(provider: LocalProvider) -> None:
    kwargs: dict[str, Any] = {"model": OPENAI_MODEL, "api_base": provider.openai_base, "api_key": "x", "input": "hi"}
    response: Any = litellm.responses(**kwargs)
    assert response.output[0].content[0].text == "Hello from the local provider."
    assert (response.usage.input_tokens, response.usage.output_tokens) == (12, 5)
    events: list[Any] = list(litellm.responses(stream=True, **kwargs))  # type: ignore[arg-type]
    types = [str(getattr(e.type, "value", e.type)) for e in events]
    assert types[0] == "response.created" and types[-1] == "response.completed"
    assert "".join(e.delta for e in events if str(getattr(e.type, "value", e.type)) == "response.output_text.delta") == (
        "Hello from the local provider."
    )
    assert events[-1].response.usage.total_tokens == 17


def test_anthropic_non_stream(provider: LocalProvider) -> None:
    response = claude(provider)
    assert response.choices[0].message.content == "Hello from the local provider."
    assert response.choices[0].finish_reason == "stop"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (12, 5)
    last = provider.requests[-1]
    assert last["path"] == "/v1/messages" and last["headers"]["x-api-key"] == "x"


def test_anthropic_stream(provider: LocalProvider) -> None:
    chunks = list(claude(provider, stream=True, stream_options={"include_usage": True}))
    assert content_of(chunks) == ["Hello ", "from ", "the ", "local ", "provider."]
    usage = [c.usage for c in chunks if getattr(c, "usage", None)]
    assert usage and (usage[-1].prompt_tokens, usage[-1].completion_tokens) == (12, 5)


def test_anthropic_tool_use(provider: LocalProvider) -> None:
    provider.behavior = Behavior(tool_calls=TOOLS[:1])
    message = claude(provider).choices[0].message
    assert json.loads(message.tool_calls[0].function.arguments) == {"city": "Paris", "unit": "celsius"}
    streamed = assemble_tool_calls(list(claude(provider, stream=True)))
    assert streamed[0][0] == "get_weather" and json.loads(streamed[0][1]) == {"city": "Paris", "unit": "celsius"}


ERRORS = [
    (401, litellm.AuthenticationError),
    (404, litellm.NotFoundError),
    (429, litellm.RateLimitError),
    (500, litellm.InternalServerError),
    (503, litellm.ServiceUnavailableError),
]


@pytest.mark.parametrize(("status", "exception"), ERRORS)
def test_openai_errors(provider: LocalProvider, status: int, exception: type[Exception]) -> None:
    provider.behavior = Behavior(error_status=status, error_message="boom")
    with pytest.raises(exception, match="boom"):
        chat(provider)


@pytest.mark.parametrize(("status", "exception"), ERRORS)
def test_anthropic_errors(provider: LocalProvider, status: int, exception: type[Exception]) -> None:
    provider.behavior = Behavior(error_status=status, error_message="boom")
    with pytest.raises(exception, match="boom"):
        claude(provider)


def test_error_bodies_are_provider_shaped(provider: LocalProvider) -> None:
    provider.behavior = Behavior(error_status=429, error_message="slow down")
    status, body = raw_post(provider, "/v1/chat/completions", {"model": "m"})
    assert status == 429 and body["error"]["message"] == "slow down" and body["error"]["code"] == "rate_limit_exceeded"
    status, body = raw_post(provider, "/v1/messages", {"model": "m"})
    assert status == 429 and body == {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}
    status, body = raw_post(provider, "/v2/unknown", {})
    assert status == 404 and "Unknown path" in body["error"]["message"]


def test_hang_triggers_timeout(provider: LocalProvider) -> None:
    chat(provider)  # warm-up: the first call pays LiteLLM's client set-up
    provider.behavior = Behavior(hang=3.0)
    started = time.perf_counter()
    with pytest.raises(litellm.Timeout):
        chat(provider, timeout=0.5)
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("call", [chat, claude])
def test_break_after_chunks_raises(provider: LocalProvider, call: Any) -> None:
    provider.behavior = Behavior(break_after_chunks=2)
    received: list[Any] = []
    with pytest.raises(Exception) as caught:
        for chunk in call(provider, stream=True):
            received.append(chunk)  # noqa: PERF402 - keeps what arrived before the break
    # LiteLLM >= 1.108 raises a MidStreamFallbackError ("Connection error") caused by the broken read.
    causes, error = [], caught.value
    while error is not None and len(causes) < 10:
        causes.append(str(error))
        error = error.__cause__ or error.__context__
    assert re.search("incomplete chunked read|peer closed", " | ".join(causes)), causes
    assert content_of(received) == ["Hello ", "from "]


def test_first_chunk_delay_measured_by_client(provider: LocalProvider) -> None:
    chat(provider)  # warm-up: the first call pays LiteLLM's client set-up
    provider.behavior = Behavior(first_chunk_delay=0.2, chunk_delay=0.03)
    started = time.perf_counter()
    arrivals = []
    for chunk in chat(provider, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            arrivals.append(time.perf_counter() - started)
    assert len(arrivals) == 5
    assert 0.2 <= arrivals[0] < 0.3
    assert 0.2 + 4 * 0.03 <= arrivals[-1] < 0.45  # chunks are paced from one start, so the last is never early


def test_ttft_precision_on_the_wire(provider: LocalProvider) -> None:
    # Raw socket: the server itself must add no more than a few milliseconds to first_chunk_delay.
    provider.behavior = Behavior(first_chunk_delay=0.1)
    body = json.dumps({"model": "m", "stream": True}).encode()
    port = int(provider.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        started = time.perf_counter()
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        received = b""
        while b"data: " not in received:
            received += sock.recv(65536)
        elapsed = time.perf_counter() - started
    assert b"Transfer-Encoding: chunked" in received.split(b"\r\n\r\n", 1)[0]
    # Never early; the upper bound catches a delay applied twice (0.2 s), not scheduling noise on a
    # loaded 2-core machine (seen: 14 ms over, against a 10 ms bound that failed while benchmarks ran).
    assert 0.1 <= elapsed < 0.19, elapsed


def test_header_override(provider: LocalProvider) -> None:
    override = {"x-local-provider": json.dumps({"text": "overridden text", "chunk_count": 2})}
    assert content_of(list(chat(provider, stream=True, extra_headers=override))) == ["overridden ", "text"]
    assert claude(provider, extra_headers=override).choices[0].message.content == "overridden text"
    assert chat(provider).choices[0].message.content == "Hello from the local provider."  # server default untouched
    bad = urllib.request.Request(provider.openai_base + "/chat/completions", b"{}", {"x-local-provider": '{"nope": 1}'})
    with pytest.raises(urllib.error.HTTPError) as error:
        DIRECT.open(bad, timeout=5)
    assert error.value.code == 400


def test_fail_first_then_succeed(provider: LocalProvider) -> None:
    with provider.configure(fail_first=2, error_status=503):
        for _ in range(2):
            with pytest.raises(litellm.ServiceUnavailableError):
                chat(provider)
        assert chat(provider).choices[0].message.content == "Hello from the local provider."
    assert provider.behavior == Behavior()  # configure() restored the previous behavior
    with provider.configure(fail_first=1):  # a new behavior starts a new count; 500 by default
        with pytest.raises(litellm.InternalServerError):
            chat(provider)
        assert chat(provider).choices[0].message.content


def test_concurrent_clients(provider: LocalProvider) -> None:
    provider.behavior = Behavior(first_chunk_delay=0.05)
    with ThreadPoolExecutor(max_workers=64) as pool:
        results = list(pool.map(lambda _: raw_post(provider, "/v1/chat/completions", {"model": "m"}), range(64)))
    assert all(status == 200 and body["choices"][0]["message"]["content"] for status, body in results)


def test_start_stop_is_fast_and_requests_are_bounded() -> None:
    started = time.perf_counter()
    with LocalProvider(Behavior(hang=30)) as provider:
        url = provider.openai_base
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(raw_post, provider, "/v1/embeddings", {"input": "x"})
            while not provider.requests:
                time.sleep(0.005)
            provider.stop()  # must not wait for the 30 s hang; the waiting client gets cut off
            with pytest.raises(OSError):  # connection reset / remote disconnected
                pending.result(timeout=5)
    assert time.perf_counter() - started < 2.0
    with pytest.raises(urllib.error.URLError):
        DIRECT.open(url + "/models", timeout=2)
    bounded = LocalProvider()
    for index in range(1005):
        bounded._record({"path": str(index)})
    assert len(bounded.requests) == 1000 and bounded.requests[0]["path"] == "5"
