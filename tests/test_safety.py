"""A failure inside litetrace costs telemetry only: the user's call returns and raises exactly as before."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from typing import Any

import litellm
import pytest
from opentelemetry import trace
from support import MESSAGES, adrain, drain

import litetrace.safety
from litetrace.attributes import chat, common, content, errors, semconv
from litetrace.instrumentation import callback as callback_module
from litetrace.instrumentation.pairing import CallPairing
from litetrace.metrics import Instruments

# Internal steps of litetrace, as (owner, attribute): each is made to raise in turn.
STEPS = {
    "common request attributes": (common, "request"),
    "chat request extractor": (chat, "request"),
    "chat response extractor": (chat, "response"),
    "hidden params": (common, "hidden_params"),
    "gen_ai twins": (semconv, "add"),
    "input content capture": (content, "add_input"),
    "output content capture": (content, "add_output"),
    "metrics": (Instruments, "record_call"),
    "pending open": (CallPairing, "open"),
    "pending finish": (CallPairing, "finish"),
    "callback pairing": (CallPairing, "take"),
}
# Steps only a failed call goes through (its callback arrives while the span is open).
FAILURE_STEPS = {
    **STEPS,
    "callback payload view": (callback_module, "logged_view"),
    "error attributes": (errors, "attributes"),
    "exception event": (errors, "exception_event"),
    "secret collection": (errors, "collect"),
}


class Injected(Exception):
    """Raised by a litetrace step on purpose."""


@pytest.fixture
def lenient(monkeypatch) -> None:
    """Internal errors are swallowed, as outside tests."""
    monkeypatch.setattr(litetrace.safety, "STRICT", False)


@pytest.fixture
def inner(monkeypatch) -> dict[str, list[Any]]:
    """Record what LiteLLM's own functions return or raise, beneath litetrace's wrapper."""
    seen: dict[str, list[Any]] = {"returned": [], "raised": []}
    completion, acompletion = litellm.completion, litellm.acompletion

    def recorder(*args: Any, **kwargs: Any) -> Any:
        try:
            seen["returned"].append(completion(*args, **kwargs))
        except BaseException as error:
            seen["raised"].append(error)
            raise
        return seen["returned"][-1]

    async def arecorder(*args: Any, **kwargs: Any) -> Any:
        try:
            seen["returned"].append(await acompletion(*args, **kwargs))
        except BaseException as error:
            seen["raised"].append(error)
            raise
        return seen["returned"][-1]

    monkeypatch.setattr(litellm, "completion", recorder)
    monkeypatch.setattr(litellm, "acompletion", arecorder)
    return seen


def break_step(monkeypatch, step: str) -> list[int]:
    """Make one internal step raise; returns the list its calls are counted in."""
    owner, name = FAILURE_STEPS[step]
    hits: list[int] = []

    def broken(*args: Any, **kwargs: Any) -> Any:
        hits.append(1)
        raise Injected(step)

    monkeypatch.setattr(owner, name, broken)
    return hits


def test_internal_errors_fail_loudly_in_litetrace_own_tests():
    # Set by tests/conftest.py, not by pytest's presence (a user's pytest run stays lenient).
    assert litetrace.safety.STRICT is True


@pytest.mark.parametrize("step", list(STEPS))
def test_broken_step_leaves_the_returned_object_untouched(step, lenient, inner, monkeypatch, telemetry_factory):
    telemetry_factory(capture_content=True)
    hits = break_step(monkeypatch, step)
    response = litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    drain()
    assert response is inner["returned"][0]
    assert response.choices[0].message.content == "ok"
    assert hits, f"{step} was never reached"


@pytest.mark.asyncio
@pytest.mark.parametrize("step", list(STEPS))
async def test_broken_step_leaves_the_async_returned_object_untouched(
    step, lenient, inner, monkeypatch, telemetry_factory
):
    telemetry_factory(capture_content=True)
    hits = break_step(monkeypatch, step)
    response = await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    await adrain()
    assert response is inner["returned"][0]
    assert hits, f"{step} was never reached"


@pytest.mark.parametrize("step", list(FAILURE_STEPS))
def test_broken_step_leaves_the_raised_exception_untouched(step, lenient, inner, monkeypatch, telemetry_factory):
    telemetry_factory(capture_content=True)
    hits = break_step(monkeypatch, step)
    with pytest.raises(litellm.InternalServerError) as caught:
        litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("boom"))
    drain()
    assert caught.value is inner["raised"][0]
    assert not isinstance(caught.value, Injected)
    if step not in ("chat response extractor", "hidden params", "output content capture"):  # success-only steps
        assert hits, f"{step} was never reached"


@pytest.mark.asyncio
@pytest.mark.parametrize("step", list(FAILURE_STEPS))
async def test_broken_step_leaves_the_async_raised_exception_untouched(
    step, lenient, inner, monkeypatch, telemetry_factory
):
    telemetry_factory(capture_content=True)
    break_step(monkeypatch, step)
    with pytest.raises(litellm.InternalServerError) as caught:
        await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("boom"))
    await adrain()
    assert caught.value is inner["raised"][0]


def test_broken_tracer_leaves_the_call_untouched(lenient, inner, monkeypatch, telemetry_factory):
    telemetry = telemetry_factory()
    tracer = telemetry.instrumentor.telemetry.tracer

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise Injected("start_span")

    monkeypatch.setattr(tracer, "start_span", broken)
    response = litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    drain()
    assert response is inner["returned"][0]


def test_swallowed_internal_error_is_logged_once_at_warning_then_at_debug(
    lenient, monkeypatch, telemetry_factory, caplog
):
    telemetry_factory()
    litetrace.safety.reset_warnings()
    break_step(monkeypatch, "chat response extractor")
    with caplog.at_level("DEBUG", logger="litetrace"):
        for _ in range(3):
            litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    records = [record for record in caplog.records if record.name == "litetrace"]
    assert [record.levelname for record in records] == ["WARNING", "DEBUG", "DEBUG"]
    assert all(record.exc_info and isinstance(record.exc_info[1], Injected) for record in records)


def test_strict_mode_reraises_internal_errors(monkeypatch, telemetry_factory):
    # In litetrace's own tests (STRICT) the same injected failure is not hidden.
    telemetry_factory()
    break_step(monkeypatch, "common request attributes")
    with pytest.raises(Injected):
        litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")


# -- import and instrument are side-effect free ------------------------------------------------------

_GUARD = """
import socket
attempts = []
def refuse(*args, **kwargs):
    attempts.append(args)
    raise OSError("network refused by the test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.getaddrinfo = refuse
socket.create_connection = refuse
"""


def run_python(code: str) -> dict[str, Any]:
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    env.pop("PYTEST_VERSION", None)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_litetrace_imports_no_litellm_configures_no_logging_and_touches_no_network():
    found = run_python(
        _GUARD
        + """
import json, logging, sys
configured = []
logging.basicConfig = lambda *a, **k: configured.append(1)
import litetrace
print(json.dumps({"litellm": sorted(m for m in sys.modules if m.split(".")[0] == "litellm"),
                  "attempts": len(attempts), "basicConfig": len(configured),
                  "root_handlers": len(logging.getLogger().handlers),
                  "litetrace_handlers": len(logging.getLogger("litetrace").handlers)}))
"""
    )
    assert found == {"litellm": [], "attempts": 0, "basicConfig": 0, "root_handlers": 0, "litetrace_handlers": 0}


def test_instrument_and_calls_configure_no_logging_and_no_global_provider(monkeypatch, telemetry_factory):
    configured: list[Any] = []
    monkeypatch.setattr(logging, "basicConfig", lambda *args, **kwargs: configured.append(args))
    root = logging.getLogger()
    handlers = list(root.handlers)
    global_provider = trace.get_tracer_provider()
    telemetry = telemetry_factory()
    litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    with pytest.raises(litellm.InternalServerError):
        litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("boom"))
    drain()
    telemetry.instrumentor.uninstrument()
    assert configured == []
    assert root.handlers == handlers
    assert logging.getLogger("litetrace").handlers == []
    assert trace.get_tracer_provider() is global_provider


def test_call_ids_are_uuids_and_differ_across_forked_workers() -> None:
    """LiteLLM reuses litellm_call_id as its spend-log request id: forked workers must not repeat ids."""
    import os
    import uuid

    from litetrace.instrumentation.calls import new_call_id

    first, second = new_call_id(), new_call_id()
    assert first != second and uuid.UUID(first).version == 4
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its first id and leave without running pytest's teardown
        os.write(write, new_call_id().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child_id = os.read(read, 100).decode()
    os.close(read)
    parent_next = new_call_id()
    assert uuid.UUID(child_id).version == 4
    assert child_id[:24] != parent_next[:24]
