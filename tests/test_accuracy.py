"""Telemetry that must not say something false: the endpoint, a refused connection, a cancelled consumer."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import socket
from typing import Any

import litellm
import pytest
from opentelemetry.semconv.attributes import server_attributes as server
from support import adrain, drain

from litetrace.attributes import names as n
from litetrace.attributes.endpoint import OPENAI_BASE_ENV
from litetrace.stream.cancel import OwnerWatch

MESSAGES = [{"role": "user", "content": "hi"}]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _behave(**behavior: Any) -> dict[str, Any]:
    return {"extra_headers": {"x-local-provider": json.dumps(behavior)}}


@pytest.fixture(autouse=True)
def _litellms_logging_drained():
    """LiteLLM's own logging of this test's calls runs before the next test, not into it."""
    yield
    drain()


@pytest.fixture
def no_endpoint_env(monkeypatch):
    for name in OPENAI_BASE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(litellm, "api_base", None)
    return monkeypatch


def _assert_local(span: Any, provider: Any) -> None:
    attrs = span.attributes
    assert attrs[n.API_BASE] == provider.openai_base.rstrip("/")
    assert attrs[server.SERVER_ADDRESS] == "127.0.0.1"
    assert attrs[server.SERVER_PORT] == int(provider.openai_base.split(":")[2].split("/")[0])


@pytest.mark.parametrize("variable", OPENAI_BASE_ENV)
def test_endpoint_from_the_environment_is_where_the_call_went(telemetry, provider, no_endpoint_env, variable):
    no_endpoint_env.setenv(variable, provider.openai_base)
    litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES, api_key="sk-test")
    litellm.embedding(model="openai/text-embedding-3-small", input=["x"], api_key="sk-test")
    list(litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES, api_key="sk-test", stream=True))
    spans = telemetry.spans(3)
    assert len(spans) == 3
    for span in spans:
        _assert_local(span, provider)


@pytest.mark.asyncio
async def test_endpoint_from_the_environment_async(telemetry, provider, no_endpoint_env):
    no_endpoint_env.setenv("OPENAI_BASE_URL", provider.openai_base)
    await litellm.acompletion(model="openai/gpt-4o-mini", messages=MESSAGES, api_key="sk-test")
    (span,) = telemetry.spans(1)
    _assert_local(span, provider)
    await adrain()


def test_endpoint_from_litellm_api_base(telemetry, provider, no_endpoint_env):
    no_endpoint_env.setattr(litellm, "api_base", provider.openai_base)
    litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES, api_key="sk-test")
    (span,) = telemetry.spans(1)
    _assert_local(span, provider)


def test_an_explicit_api_base_wins_over_the_environment(telemetry, provider, no_endpoint_env):
    no_endpoint_env.setenv("OPENAI_BASE_URL", "http://192.0.2.1:9/v1")  # never dialled: the argument wins
    litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES, api_key="sk-test", api_base=provider.openai_base)
    (span,) = telemetry.spans(1)
    _assert_local(span, provider)


def test_without_any_setting_the_endpoint_is_openai(telemetry, no_endpoint_env):
    litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES, api_key="sk-test", mock_response="ok")
    (span,) = telemetry.spans(1)
    assert span.attributes.get(n.API_BASE) in (None, "https://api.openai.com")


@pytest.mark.parametrize("stream", [False, True])
def test_a_refused_connection_is_a_connection_error(telemetry, stream):
    base = f"http://127.0.0.1:{_closed_port()}/v1"
    with pytest.raises(litellm.InternalServerError):  # what LiteLLM raises: unchanged
        litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES, api_key="sk-test", api_base=base,
                           num_retries=0, max_retries=0, stream=stream)
    (span,) = telemetry.spans(1)
    assert span.attributes[n.ERROR_CATEGORY] == "connection"
    assert n.ERROR_STATUS_CODE not in span.attributes  # no server answered: LiteLLM's 500 is made up


@pytest.mark.asyncio
async def test_a_refused_connection_is_a_connection_error_async(telemetry):
    base = f"http://127.0.0.1:{_closed_port()}/v1"
    with pytest.raises(litellm.InternalServerError):
        await litellm.acompletion(model="openai/gpt-4o-mini", messages=MESSAGES, api_key="sk-test", api_base=base,
                                  num_retries=0, max_retries=0)
    (span,) = telemetry.spans(1)
    assert span.attributes[n.ERROR_CATEGORY] == "connection"
    await adrain()


def test_a_real_server_error_stays_a_server_error(telemetry, provider):
    with pytest.raises(litellm.InternalServerError):
        litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES, api_key="sk-test",
                           api_base=provider.openai_base, num_retries=0, max_retries=0, **_behave(error_status=500))
    (span,) = telemetry.spans(1)
    assert span.attributes[n.ERROR_CATEGORY] == "server_error"
    assert span.attributes[n.ERROR_STATUS_CODE] == 500


async def _open_stream(provider: Any) -> Any:
    return await litellm.acompletion(
        model="openai/gpt-4o-mini", messages=MESSAGES, api_key="sk-test", api_base=provider.openai_base,
        stream=True, **_behave(chunk_count=20, chunk_delay=0.01),
    )


async def _cancel_between_chunks(provider: Any, ending: str) -> None:
    got_one = asyncio.Event()

    async def consumer() -> None:
        stream = await _open_stream(provider)
        if ending == "async with":
            async with stream:
                async for _ in stream:
                    got_one.set()
                    await asyncio.sleep(30)  # the task's own work, between two chunks
            return
        try:
            async for _ in stream:
                got_one.set()
                await asyncio.sleep(30)
        finally:
            if ending == "aclose":
                await stream.aclose()

    task = asyncio.create_task(consumer())
    await asyncio.wait_for(got_one.wait(), 10)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled()
    del task
    # The awaiting step still holds gather's result (the CancelledError, its traceback, the
    # consumer's frame, the stream) until this task yields once.
    await asyncio.sleep(0)
    gc.collect()


@pytest.mark.asyncio
@pytest.mark.parametrize("ending", ["dropped", "aclose", "async with"])
async def test_a_task_cancelled_between_chunks_is_recorded_cancelled(telemetry, provider, ending):
    await _cancel_between_chunks(provider, ending)
    (span,) = telemetry.spans(1)
    assert span.attributes[n.STREAM_OUTCOME] == "cancelled"
    assert span.attributes[n.ERROR_CATEGORY] == "cancelled"
    assert span.attributes[n.CHUNK_COUNT] >= 1
    await adrain()


@pytest.mark.asyncio
async def test_a_stream_dropped_by_a_task_that_ended_normally_is_still_abandoned(telemetry, provider):
    async def consumer() -> None:
        stream = await _open_stream(provider)
        async for _ in stream:
            break

    await asyncio.create_task(consumer())
    gc.collect()
    (span,) = telemetry.spans(1)
    assert span.attributes[n.STREAM_OUTCOME] == "abandoned"
    await adrain()


@pytest.mark.asyncio
async def test_a_stream_closed_by_choice_is_closed_early(telemetry, provider):
    stream = await _open_stream(provider)
    async for _ in stream:
        break
    await stream.aclose()
    (span,) = telemetry.spans(1)
    assert span.attributes[n.STREAM_OUTCOME] == "closed_early"
    await adrain()


@pytest.mark.asyncio
async def test_many_streams_in_one_long_lived_task_leave_no_callbacks_on_it(telemetry, provider):
    task = asyncio.current_task()
    assert task is not None

    def watches() -> int:
        # asyncio's Task keeps (callback, context) pairs in _callbacks (C and pure-Python alike).
        callbacks = task._callbacks or ()  # type: ignore[union-attr]  # private, read to count ours
        return sum(1 for callback, _ in callbacks if isinstance(getattr(callback, "__self__", None), OwnerWatch))

    stream = await _open_stream(provider)
    assert watches() == 1  # the watch is there while the stream is open
    async for _ in stream:
        pass
    for _ in range(4):
        async for _ in await _open_stream(provider):
            pass
    assert watches() == 0
    await adrain()


@pytest.mark.parametrize("value", [None, "", "http://192.0.2.7:8/v1"])
def test_the_endpoint_variables_are_read_as_os_environ_reads_them(monkeypatch, value):
    from litetrace.attributes import endpoint

    for name in endpoint.OPENAI_BASE_ENV:
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
        assert endpoint._environment(name) == os.environ.get(name)
    monkeypatch.setattr(litellm, "api_base", None)
    assert endpoint.configured_openai_base() == (value or None)
