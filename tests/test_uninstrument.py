"""uninstrument() undoes everything: original functions, no callback anywhere, no name, no spans."""

from __future__ import annotations

import importlib
from typing import Any

import litellm
import pytest
import wrapt
from litellm.litellm_core_utils import litellm_logging
from support import MESSAGES, adrain, drain, ours

from litetrace.instrumentation.callback import LitetraceCallback
from litetrace.instrumentation.targets import MODULES, TARGETS

CALLBACK_LISTS = (
    "callbacks",
    "success_callback",
    "failure_callback",
    "_async_success_callback",
    "_async_failure_callback",
    "input_callback",
    "service_callback",
    "_async_input_callback",
)


def bindings() -> dict[tuple[str, str], Any]:
    """Every (module, function) litetrace may patch, with what is bound there now."""
    found = {}
    for module_name in MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for target in TARGETS:
            if target.modules is not None and module_name not in target.modules:
                continue  # a generic name (create) that is an entry point only in its own module
            value = getattr(module, target.name, None)
            if value is not None:
                found[(module_name, target.name)] = value
    return found


def our_callbacks_anywhere() -> list[str]:
    """Where a litetrace callback instance is still registered with LiteLLM."""
    places = []
    for list_name in CALLBACK_LISTS:
        for item in getattr(litellm, list_name, None) or []:
            if isinstance(item, LitetraceCallback):
                places.append(list_name)
    for item in litellm_logging._in_memory_loggers:
        if isinstance(item, LitetraceCallback):
            places.append("_in_memory_loggers")
    return places


def test_instrument_patches_every_binding_of_every_entry_point(telemetry_factory):
    originals = bindings()
    telemetry_factory()
    patched = bindings()
    assert ("litellm", "completion") in originals and ("litellm.main", "completion") in originals
    for key, original in originals.items():
        assert isinstance(patched[key], wrapt.FunctionWrapper), key
        assert patched[key].__wrapped__ is original, key


def test_uninstrument_restores_every_original_function(telemetry_factory):
    originals = bindings()
    assert not any(isinstance(value, wrapt.FunctionWrapper) for value in originals.values())
    telemetry = telemetry_factory()
    telemetry.instrumentor.uninstrument()
    restored = bindings()
    assert restored.keys() == originals.keys()
    for key, original in originals.items():
        assert restored[key] is original, key


def test_uninstrument_restores_litellms_callback_name_resolver(telemetry_factory):
    original = litellm_logging._init_custom_logger_compatible_class
    telemetry = telemetry_factory()
    assert litellm_logging._init_custom_logger_compatible_class is not original
    telemetry.instrumentor.uninstrument()
    assert litellm_logging._init_custom_logger_compatible_class is original


def test_uninstrument_removes_our_callback_from_every_litellm_list(telemetry_factory):
    telemetry = telemetry_factory()
    # Let LiteLLM spread the instance into its async lists and resolve our names.
    litellm.success_callback.append("litetrace")
    litellm.failure_callback.append("agentops")
    litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    drain()
    assert our_callbacks_anywhere()
    telemetry.instrumentor.uninstrument()
    assert our_callbacks_anywhere() == []


@pytest.mark.asyncio
async def test_uninstrument_after_async_calls_removes_our_callback_everywhere(telemetry_factory):
    telemetry = telemetry_factory()
    litellm.callbacks.append("litetrace")
    await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    await adrain()
    telemetry.instrumentor.uninstrument()
    assert our_callbacks_anywhere() == []


def test_uninstrument_forgets_the_litetrace_callback_name(telemetry_factory):
    assert "litetrace" not in litellm._known_custom_logger_compatible_callbacks
    telemetry = telemetry_factory()
    assert "litetrace" in litellm._known_custom_logger_compatible_callbacks
    telemetry.instrumentor.uninstrument()
    assert "litetrace" not in litellm._known_custom_logger_compatible_callbacks
    assert "agentops" in litellm._known_custom_logger_compatible_callbacks  # LiteLLM's own names stay


def test_calls_after_uninstrument_make_no_spans(telemetry_factory):
    telemetry = telemetry_factory()
    telemetry.instrumentor.uninstrument()
    litellm.success_callback.append("litetrace")  # an unknown name again: LiteLLM ignores it
    litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    with pytest.raises(litellm.InternalServerError):
        litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("boom"))
    litellm.embedding(model="text-embedding-3-small", input=["hi"], mock_response=[0.1])
    drain()
    assert ours(telemetry) == []
    assert telemetry.instrumentor.telemetry is None


@pytest.mark.asyncio
async def test_async_calls_after_uninstrument_make_no_spans(telemetry_factory):
    telemetry = telemetry_factory()
    telemetry.instrumentor.uninstrument()
    await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    await litellm.aembedding(model="text-embedding-3-small", input=["hi"], mock_response=[0.1])
    await adrain()
    assert ours(telemetry) == []

