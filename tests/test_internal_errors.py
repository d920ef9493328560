"""The internal-error guard, strict mode's scope, a failed instrument() and suppress_instrumentation()."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import litellm
import pytest
import wrapt
from opentelemetry.instrumentation.utils import suppress_instrumentation
from support import MESSAGES, adrain, drain

import litetrace.safety
from litetrace import Instrumentor
from litetrace.instrumentation import routing
from litetrace.instrumentation.targets import MODULES
from litetrace.safety import handle_internal_errors

ROOT = Path(__file__).resolve().parent.parent


class Injected(Exception):
    """Raised by a litetrace step on purpose."""


@pytest.fixture
def lenient(monkeypatch) -> None:
    monkeypatch.setattr(litetrace.safety, "STRICT", False)
    litetrace.safety.reset_warnings()


# -- the guard ---------------------------------------------------------------------------------


def test_guard_swallows_an_internal_exception_and_logs_the_first_of_each_place_at_warning(lenient, caplog):
    with caplog.at_level(logging.DEBUG, logger="litetrace"):
        for where in ("place a", "place a", "place b", "place a"):
            with handle_internal_errors(where):
                raise Injected(where)
    levels = [(record.levelname, record.args[0]) for record in caplog.records if record.name == "litetrace"]
    assert levels == [("WARNING", "place a"), ("DEBUG", "place a"), ("WARNING", "place b"), ("DEBUG", "place a")]
    assert all(isinstance(record.exc_info[1], Injected) for record in caplog.records if record.name == "litetrace")


def test_guard_lets_keyboard_interrupt_and_cancellation_through(lenient):
    with pytest.raises(KeyboardInterrupt), handle_internal_errors("a place"):
        raise KeyboardInterrupt
    with pytest.raises(asyncio.CancelledError), handle_internal_errors("a place"):
        raise asyncio.CancelledError


def test_guard_as_a_decorator_returns_none_when_the_function_failed(lenient):
    @handle_internal_errors("a decorated step")
    def step(fail: bool) -> str:
        if fail:
            raise Injected("decorated")
        return "done"

    assert step(False) == "done"
    assert step(True) is None


def test_strict_mode_reraises_through_the_guard(monkeypatch):
    monkeypatch.setattr(litetrace.safety, "STRICT", True)
    with pytest.raises(Injected), handle_internal_errors("a place"):
        raise Injected("strict")


def test_strict_mode_is_off_unless_litetrace_own_tests_turn_it_on():
    code = "import os, litetrace.safety as s; assert 'PYTEST_VERSION' in os.environ; print(s.STRICT)"
    env = {**os.environ, "PYTEST_VERSION": "8.0.0", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


# -- a user's own pytest run -------------------------------------------------------------------

_USER_TEST = """
import litellm
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from litetrace import Instrumentor
from litetrace.attributes import chat, common


def test_my_llm_call(monkeypatch):
    def litetrace_bug(*args, **kwargs):
        raise RuntimeError("a bug inside litetrace")

    # Internal steps of litetrace go wrong: the user's own test must not notice.
    monkeypatch.setattr(common, "request", litetrace_bug)
    monkeypatch.setattr(chat, "response", litetrace_bug)
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    Instrumentor().instrument(tracer_provider=provider)
    try:
        response = litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}],
                                      mock_response="ok")
    finally:
        Instrumentor().uninstrument()
    assert response.choices[0].message.content == "ok"
    assert len(exporter.get_finished_spans()) == 1  # the span still ends, with less on it
"""


def run_user_pytest(tmp_path: Path, conftest: str | None = None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_user_app.py").write_text(textwrap.dedent(_USER_TEST))
    if conftest is not None:
        (tmp_path / "conftest.py").write_text(conftest)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::UserWarning", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_a_users_pytest_run_never_gets_litetrace_internal_errors_raised(tmp_path):
    done = run_user_pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_the_same_user_test_fails_under_strict_mode(tmp_path):
    """Control: the injected bug does reach litetrace's guard (strict mode raises it)."""
    done = run_user_pytest(tmp_path, conftest="import litetrace.safety\nlitetrace.safety.STRICT = True\n")
    assert done.returncode != 0
    assert "a bug inside litetrace" in done.stdout


# -- a failed instrument() ---------------------------------------------------------------------


def wrapped_bindings() -> list[str]:
    import importlib

    found = []
    for module_name in MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found += [f"{module_name}.{name}" for name, value in vars(module).items() if isinstance(value, wrapt.FunctionWrapper)]
    return found


def litetrace_callbacks() -> list[str]:
    from litetrace.instrumentation.callback import LitetraceCallback

    return [
        name for name in routing.CALLBACK_LISTS
        for item in (getattr(litellm, name, None) or []) if isinstance(item, LitetraceCallback)
    ]  # fmt: skip


@pytest.mark.parametrize("when", ["before registering", "after registering"])
def test_failed_instrument_leaves_nothing_patched_and_a_later_instrument_works(when, monkeypatch, telemetry_factory):
    import litellm.litellm_core_utils.litellm_logging as logging_module

    before = wrapped_bindings()
    install = routing.CallbackRouting.install

    def failing_install(self: routing.CallbackRouting) -> None:
        if when == "after registering":
            install(self)  # everything done, then a private LiteLLM name goes missing
        raise AttributeError("_known_custom_logger_compatible_callbacks")

    monkeypatch.setattr(routing.CallbackRouting, "install", failing_install)
    with pytest.raises(AttributeError):
        telemetry_factory()
    instrumentor = Instrumentor()
    assert instrumentor._is_instrumented_by_opentelemetry is False
    assert wrapped_bindings() == before == []
    assert litetrace_callbacks() == []
    assert not isinstance(getattr(logging_module, routing._RESOLVER), wrapt.FunctionWrapper)
    assert "litetrace" not in litellm._known_custom_logger_compatible_callbacks
    assert instrumentor.telemetry is None

    monkeypatch.setattr(routing.CallbackRouting, "install", install)
    telemetry = telemetry_factory()
    litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    drain()
    assert len(telemetry.spans()) == 1
    telemetry.instrumentor.uninstrument()
    assert wrapped_bindings() == [] and litetrace_callbacks() == []


# -- suppress_instrumentation() ------------------------------------------------------------------


def no_telemetry(telemetry: Any) -> None:
    assert telemetry.exporter.get_finished_spans() == ()
    assert telemetry.metrics() == {} or not any(telemetry.metrics().values())
    assert len(telemetry.instrumentor.telemetry.pending) == 0


def test_suppressed_sync_calls_make_no_span_and_no_metric_and_are_unchanged(telemetry_factory):
    telemetry = telemetry_factory()
    with suppress_instrumentation():
        response = litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
        chunks = list(litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="a b c", stream=True))
        with pytest.raises(litellm.InternalServerError, match="boom"):
            litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("boom"))
        vector = litellm.embedding(model="text-embedding-3-small", input=["hi"], mock_response=[0.5])
    drain()
    telemetry.settle(0.2)
    assert response.choices[0].message.content == "ok"
    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks) == "a b c"
    assert vector.data[0]["embedding"] == [0.5]
    no_telemetry(telemetry)
    # Outside the block, the same call is traced again.
    litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    drain()
    assert len(telemetry.spans()) == 1


@pytest.mark.asyncio
async def test_suppressed_async_calls_make_no_span_and_no_metric(telemetry_factory):
    telemetry = telemetry_factory()
    with suppress_instrumentation():
        response = await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
        stream = await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response="a b", stream=True)
        pieces = [chunk.choices[0].delta.content async for chunk in stream]
        with pytest.raises(litellm.InternalServerError):
            await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("boom"))
    await adrain()
    await asyncio.sleep(0.2)
    assert response.choices[0].message.content == "ok"
    assert "".join(piece or "" for piece in pieces) == "a b"
    no_telemetry(telemetry)


def test_suppressed_call_no_wrapper_saw_gets_no_span_from_the_callback(telemetry_factory):
    """A function imported before instrument(): only the callback sees it; it must stay silent too."""
    from litellm.main import completion as unwrapped  # bound now: instrument() below cannot reach it

    telemetry = telemetry_factory()
    assert not isinstance(unwrapped, wrapt.FunctionWrapper)
    with suppress_instrumentation():
        unwrapped(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
        with pytest.raises(litellm.InternalServerError):
            unwrapped(model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("boom"))
    drain()
    telemetry.settle(0.2)
    no_telemetry(telemetry)
    unwrapped(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")  # control: covered by the callback
    drain()
    assert len(telemetry.spans(1)) == 1
