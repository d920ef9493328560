"""The callback names "agentops" and "litetrace" resolve to litetrace, never to LiteLLM's AgentOps logger."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import litellm
import pytest
from litellm import (
    completion as early_completion,  # bound before instrument(): only the callback sees it
)
from litellm.integrations.agentops import AgentOps
from litellm.litellm_core_utils import litellm_logging
from opentelemetry import trace
from support import MESSAGES, adrain, drain, ours

from litetrace.instrumentation.callback import LitetraceCallback

LISTS = ("success_callback", "failure_callback", "callbacks")


def _is_loopback(host: Any) -> bool:
    if host in ("localhost", None, ""):
        return True
    try:
        return ipaddress.ip_address(str(host).strip("[]")).is_loopback
    except ValueError:
        return False


@pytest.fixture
def network_attempts(monkeypatch) -> Iterator[list[Any]]:
    """Every attempt to reach a non-loopback address, refused loudly."""
    attempts: list[Any] = []
    real_connect, real_connect_ex, real_getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def guard(address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else None
        if isinstance(address, tuple) and not _is_loopback(host):
            attempts.append(address)
            raise OSError(f"test refused a connection to {address!r}")

    def connect(self: socket.socket, address: Any) -> Any:
        guard(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        guard(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host.decode() if isinstance(host, bytes) else host):
            attempts.append(host)
            raise OSError(f"test refused to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts


@pytest.fixture
def agentops_made(monkeypatch) -> list[Any]:
    """Records every construction of LiteLLM's AgentOps logger (and refuses it)."""
    made: list[Any] = []

    def refuse(self: Any, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        raise RuntimeError("LiteLLM's AgentOps logger must not be built while litetrace is instrumented")

    monkeypatch.setattr(AgentOps, "__init__", refuse)
    return made


def make_calls() -> int:
    """A success, another success and a failure, sync; returns how many calls were made."""
    litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    with pytest.raises(litellm.InternalServerError):
        litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("boom"))
    drain()
    return 3


async def make_async_calls() -> int:
    await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    with pytest.raises(litellm.InternalServerError):
        await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("boom"))
    await adrain()
    return 2


def our_callback() -> LitetraceCallback:
    found = [item for item in litellm.callbacks if isinstance(item, LitetraceCallback)]
    assert len(found) == 1
    return found[0]


def test_agentops_success_callback_set_after_instrument_yields_our_spans_and_no_network(
    telemetry, network_attempts, agentops_made
):
    before = trace.get_tracer_provider()
    litellm.success_callback = ["agentops"]
    calls = make_calls()
    assert len(ours(telemetry)) == calls
    assert agentops_made == []
    assert network_attempts == []
    assert trace.get_tracer_provider() is before


@pytest.mark.asyncio
async def test_agentops_success_callback_set_after_instrument_yields_our_spans_for_async_calls(
    telemetry, network_attempts, agentops_made
):
    before = trace.get_tracer_provider()
    litellm.success_callback = ["agentops"]
    calls = await make_async_calls()
    assert len(ours(telemetry)) == calls
    assert agentops_made == []
    assert network_attempts == []
    assert trace.get_tracer_provider() is before


@pytest.mark.parametrize("list_name", LISTS)
@pytest.mark.parametrize("name", ["agentops", "litetrace"])
def test_callback_name_set_after_instrument_resolves_to_litetrace(
    name, list_name, telemetry, network_attempts, agentops_made
):
    before = trace.get_tracer_provider()
    getattr(litellm, list_name).append(name)
    calls = make_calls()
    assert len(ours(telemetry)) == calls
    assert litellm_logging._init_custom_logger_compatible_class(name, None, None) is our_callback()
    assert agentops_made == []
    assert network_attempts == []
    assert trace.get_tracer_provider() is before


@pytest.mark.parametrize("list_name", LISTS)
@pytest.mark.parametrize("name", ["agentops", "litetrace"])
def test_callback_name_set_before_instrument_resolves_to_litetrace(
    name, list_name, telemetry_factory, network_attempts, agentops_made
):
    before = trace.get_tracer_provider()
    getattr(litellm, list_name).append(name)
    telemetry = telemetry_factory()
    calls = make_calls()
    assert len(ours(telemetry)) == calls
    assert litellm_logging._init_custom_logger_compatible_class(name, None, None) is our_callback()
    assert agentops_made == []
    assert network_attempts == []
    assert trace.get_tracer_provider() is before


@pytest.mark.asyncio
@pytest.mark.parametrize("list_name", LISTS)
async def test_litetrace_name_yields_one_span_per_async_call(list_name, telemetry, network_attempts, agentops_made):
    getattr(litellm, list_name).append("litetrace")
    calls = await make_async_calls()
    assert len(ours(telemetry)) == calls
    assert agentops_made == []
    assert network_attempts == []


@pytest.mark.parametrize("name", ["agentops", "litetrace"])
def test_named_callback_covers_a_function_imported_before_instrument_with_one_span(
    name, telemetry, network_attempts, agentops_made
):
    litellm.success_callback = [name]
    response = early_completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    drain()
    spans = ours(telemetry)
    assert len(spans) == 1
    assert spans[0].attributes["llm.litellm.call_id"] == response._hidden_params["litellm_call_id"]
    assert agentops_made == []
    assert network_attempts == []


def test_network_guard_refuses_non_loopback_addresses(network_attempts):
    # The guard itself must be able to fail, or the tests above prove nothing.
    with pytest.raises(OSError):
        socket.create_connection(("192.0.2.1", 443), timeout=0.1)
    assert network_attempts


def test_without_litetrace_the_agentops_name_builds_litellms_logger(network_attempts, agentops_made):
    # The control for the tests above: the name is resolved on each call, so they could fail.
    litellm.success_callback = ["agentops"]
    try:
        litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    except RuntimeError:
        pass  # LiteLLM may let our refusal through; what matters is that it tried
    drain()
    assert agentops_made
