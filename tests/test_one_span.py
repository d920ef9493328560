"""Exactly one span per user call: Router, functions imported before instrument(), retries, re-instrumenting."""

from __future__ import annotations

from typing import Any

import litellm
import pytest
import wrapt
from litellm import (
    acompletion as early_acompletion,  # bound before any instrument(): never patched
)
from litellm import completion as early_completion
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from support import (
    MESSAGES,
    OPENAI_CHAT,
    adrain,
    aonly_span,
    behave,
    drain,
    only_span,
    ours,
)

from litetrace.instrumentation.callback import LitetraceCallback


def mock_router() -> litellm.Router:
    return litellm.Router(
        model_list=[{"model_name": "team-model", "litellm_params": {"model": "gpt-4o-mini", "mock_response": "hey"}}]
    )


def local_router(provider: Any, **router_kwargs: Any) -> litellm.Router:
    params = {"model": OPENAI_CHAT, "api_base": provider.openai_base, "api_key": "sk-test", "max_retries": 0}
    return litellm.Router(model_list=[{"model_name": "team-model", "litellm_params": params}], **router_kwargs)


def assert_router_span(span: Any, response: Any, model: str) -> None:
    """The Router call is the span: named by the model group asked for, the deployment recorded."""
    attrs = span.attributes
    assert span.name == "chat team-model"
    assert attrs["llm.request.model"] == "team-model"
    assert attrs["llm.response.model"].endswith(model.split("/")[-1])
    assert span.status.status_code is StatusCode.UNSET
    assert attrs["llm.provider"] == "openai"
    assert attrs["llm.litellm.model_id"] == response._hidden_params["model_id"]
    assert attrs["llm.usage.cost"] == pytest.approx(litellm.completion_cost(response))


# -- Router ------------------------------------------------------------------------------------


def test_router_retries_and_fallbacks_make_one_error_span(telemetry):
    router = litellm.Router(
        model_list=[{"model_name": "team-model", "litellm_params": {"model": "gpt-4o-mini", "mock_response": "hi"}}],
        num_retries=2,
    )
    with pytest.raises(litellm.InternalServerError):
        router.completion(model="team-model", messages=MESSAGES, mock_response=Exception("boom"))
    spans = telemetry.settle(0.5)
    assert len(spans) == 1
    assert spans[0].status.status_code is StatusCode.ERROR
    assert len([event for event in spans[0].events if event.name == "exception"]) == 1


def test_router_completion_with_a_mock_deployment_makes_one_span(telemetry):
    response = mock_router().completion(model="team-model", messages=MESSAGES)
    assert_router_span(only_span(telemetry), response, "gpt-4o-mini")


@pytest.mark.asyncio
async def test_router_acompletion_with_a_mock_deployment_makes_one_span(telemetry):
    response = await mock_router().acompletion(model="team-model", messages=MESSAGES)
    assert_router_span(await aonly_span(telemetry), response, "gpt-4o-mini")


def test_router_completion_over_http_makes_one_span(telemetry, provider):
    response = local_router(provider).completion(model="team-model", messages=MESSAGES)
    span = only_span(telemetry)
    assert_router_span(span, response, OPENAI_CHAT)
    assert span.attributes["llm.api_base"] == provider.openai_base


@pytest.mark.asyncio
async def test_router_acompletion_over_http_makes_one_span(telemetry, provider):
    response = await local_router(provider).acompletion(model="team-model", messages=MESSAGES)
    span = await aonly_span(telemetry)
    assert_router_span(span, response, OPENAI_CHAT)
    assert span.attributes["llm.api_base"] == provider.openai_base


# -- functions imported before instrument() -------------------------------------------------------


def test_completion_imported_before_instrument_still_makes_one_span(telemetry):
    assert not isinstance(early_completion, wrapt.FunctionWrapper)
    response = early_completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    span = only_span(telemetry)
    attrs = span.attributes
    assert span.name == "chat gpt-4o-mini"
    assert attrs["llm.request.model"] == "gpt-4o-mini"
    assert attrs["llm.provider"] == "openai"
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["llm.usage.cost"] == pytest.approx(litellm.completion_cost(response))
    assert attrs["llm.litellm.call_id"] == response._hidden_params["litellm_call_id"]
    assert attrs["llm.usage.prompt_tokens"] == response.usage.prompt_tokens


def test_completion_imported_before_instrument_over_http_makes_one_span(telemetry, provider):
    response = early_completion(model=OPENAI_CHAT, messages=MESSAGES, api_base=provider.openai_base, api_key="sk-test")
    span = only_span(telemetry)
    attrs = span.attributes
    # Named like a wrapper's span: the model as the caller wrote it, provider prefix included.
    assert OPENAI_CHAT.startswith("openai/")
    assert span.name == f"chat {OPENAI_CHAT}"
    assert attrs["llm.request.model"] == attrs["gen_ai.request.model"] == OPENAI_CHAT
    assert attrs["llm.provider"] == "openai"
    assert attrs["llm.usage.cost"] == pytest.approx(litellm.completion_cost(response))
    assert attrs["llm.litellm.call_id"] == response._hidden_params["litellm_call_id"]
    assert attrs["llm.api_base"] == provider.openai_base


def test_completion_imported_before_instrument_records_its_failure_once(telemetry, provider):
    with pytest.raises(litellm.AuthenticationError):
        early_completion(
            model=OPENAI_CHAT,
            messages=MESSAGES,
            api_base=provider.openai_base,
            api_key="sk-test",
            max_retries=0,
            extra_headers=behave(error_status=401),
        )
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.ERROR
    assert [event.name for event in span.events] == ["exception"]
    assert span.attributes["llm.error.type"] == "AuthenticationError"
    assert span.attributes["llm.error.category"] == "authentication"
    assert span.attributes["llm.error.status_code"] == 401


@pytest.mark.asyncio
async def test_acompletion_imported_before_instrument_still_makes_one_span(telemetry):
    response = await early_acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    attrs = (await aonly_span(telemetry)).attributes
    assert attrs["llm.request.model"] == "gpt-4o-mini"
    assert attrs["llm.provider"] == "openai"
    assert attrs["llm.litellm.call_id"] == response._hidden_params["litellm_call_id"]


# -- LiteLLM's retries ---------------------------------------------------------------------------


def test_retried_call_that_finally_succeeds_makes_one_unset_span(telemetry, provider):
    before = len(provider.requests)
    with provider.configure(fail_first=1, error_status=500):
        response = litellm.completion(
            model=OPENAI_CHAT,
            messages=MESSAGES,
            api_base=provider.openai_base,
            api_key="sk-test",
            max_retries=0,
            num_retries=2,
        )
    assert len(provider.requests) - before == 2  # the first attempt failed, LiteLLM retried
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert span.events == ()
    assert "llm.error.type" not in span.attributes
    assert span.attributes["llm.response.id"] == response.id


@pytest.mark.asyncio
async def test_retried_async_call_that_finally_succeeds_makes_one_unset_span(telemetry, provider):
    before = len(provider.requests)
    with provider.configure(fail_first=1, error_status=500):
        response = await litellm.acompletion(
            model=OPENAI_CHAT,
            messages=MESSAGES,
            api_base=provider.openai_base,
            api_key="sk-test",
            max_retries=0,
            num_retries=2,
        )
    assert len(provider.requests) - before == 2
    span = await aonly_span(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert span.events == ()
    assert span.attributes["llm.response.id"] == response.id


def test_retried_call_that_always_fails_makes_one_error_span(telemetry, provider):
    with provider.configure(error_status=500):
        with pytest.raises(litellm.InternalServerError):
            litellm.completion(
                model=OPENAI_CHAT,
                messages=MESSAGES,
                api_base=provider.openai_base,
                api_key="sk-test",
                max_retries=0,
                num_retries=1,
            )
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.ERROR
    assert [event.name for event in span.events] == ["exception"]


@pytest.mark.asyncio
async def test_retried_async_call_that_always_fails_makes_one_error_span(telemetry, provider):
    with provider.configure(error_status=500):
        with pytest.raises(litellm.InternalServerError):
            await litellm.acompletion(
                model=OPENAI_CHAT,
                messages=MESSAGES,
                api_base=provider.openai_base,
                api_key="sk-test",
                max_retries=0,
                num_retries=1,
            )
    span = await aonly_span(telemetry)
    assert span.status.status_code is StatusCode.ERROR
    assert [event.name for event in span.events] == ["exception"]


# -- instrumenting again ---------------------------------------------------------------------------


def test_instrument_uninstrument_instrument_gives_one_span_per_call(telemetry_factory):
    first = telemetry_factory()
    first.instrumentor.uninstrument()
    second = telemetry_factory()
    for _ in range(2):
        litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    drain()
    assert len(ours(second)) == 2
    assert ours(first) == []
    callbacks = [item for item in litellm.callbacks if isinstance(item, LitetraceCallback)]
    assert len(callbacks) == 1


@pytest.mark.asyncio
async def test_instrument_uninstrument_instrument_gives_one_span_per_async_call(telemetry_factory):
    first = telemetry_factory()
    first.instrumentor.uninstrument()
    second = telemetry_factory()
    for _ in range(2):
        await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    await adrain()
    assert len(ours(second)) == 2
    assert ours(first) == []


def test_instrument_twice_gives_one_span_per_call(telemetry):
    other = InMemorySpanExporter()
    other_provider = TracerProvider()
    other_provider.add_span_processor(SimpleSpanProcessor(other))
    telemetry.instrumentor.instrument(tracer_provider=other_provider)
    assert not isinstance(litellm.completion.__wrapped__, wrapt.FunctionWrapper)
    litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    only_span(telemetry)
    assert other.get_finished_spans() == ()
    assert len([item for item in litellm.callbacks if isinstance(item, LitetraceCallback)]) == 1


@pytest.mark.asyncio
async def test_instrument_twice_gives_one_span_per_async_call(telemetry):
    telemetry.instrumentor.instrument()
    await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    await aonly_span(telemetry)


# -- LiteLLM's callback arriving late ------------------------------------------------------------------


class HeldCallbacks:
    """Holds back LiteLLM's success events to litetrace, as a busy logging thread would, until replayed."""

    NAMES = ("log_success_event", "async_log_success_event")

    def __init__(self, monkeypatch: Any) -> None:
        self.monkeypatch = monkeypatch
        self.events: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = []
        self.originals = {name: getattr(LitetraceCallback, name) for name in self.NAMES}

        def hold(callback: Any, *args: Any, **kwargs: Any) -> None:
            self.events.append((callback, args, kwargs))

        async def ahold(callback: Any, *args: Any, **kwargs: Any) -> None:
            hold(callback, *args, **kwargs)

        monkeypatch.setattr(LitetraceCallback, "log_success_event", hold)
        monkeypatch.setattr(LitetraceCallback, "async_log_success_event", ahold)

    def release(self) -> None:
        """Let new events through again."""
        for name, original in self.originals.items():
            self.monkeypatch.setattr(LitetraceCallback, name, original)

    def replay(self) -> int:
        """Deliver the held events now; returns how many there were."""
        for callback, args, kwargs in self.events:
            callback.log_success_event(*args, **kwargs)
        return len(self.events)


def test_callback_arriving_after_its_deadline_makes_no_second_span(monkeypatch, telemetry_factory):
    telemetry = telemetry_factory(callback_deadline=0)
    held = HeldCallbacks(monkeypatch)
    litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    drain()
    held.release()
    # The next call's bookkeeping drops the first call's expired entry ...
    litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    drain()
    # ... and the first call's event, arriving only now, must still be recognised.
    assert held.replay() >= 1
    drain()
    assert len(ours(telemetry)) == 2


@pytest.mark.asyncio
async def test_async_callback_arriving_after_its_deadline_makes_no_second_span(monkeypatch, telemetry_factory):
    telemetry = telemetry_factory(callback_deadline=0)
    held = HeldCallbacks(monkeypatch)
    await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    await adrain()
    held.release()
    await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    await adrain()
    assert held.replay() >= 1
    await adrain()
    assert len(ours(telemetry)) == 2


def test_callback_arriving_after_uninstrument_flushed_its_span_makes_no_second_span(monkeypatch, telemetry_factory):
    telemetry = telemetry_factory()
    held = HeldCallbacks(monkeypatch)
    litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
    drain()
    held.release()
    telemetry.instrumentor.flush()
    assert held.replay() >= 1
    drain()
    assert len(ours(telemetry)) == 1
