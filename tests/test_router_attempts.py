"""Router retries and fallbacks: one span per request, each failed attempt an event on it."""

from __future__ import annotations

from typing import Any

import litellm
import pytest
from support import MESSAGES, OPENAI_CHAT, aonly_span, behave

FAILING = behave(error_status=500)


def _router(provider: Any, backup_fails: bool) -> litellm.Router:
    def deployment(name: str, fails: bool) -> dict[str, Any]:
        params: dict[str, Any] = {"model": OPENAI_CHAT, "api_base": provider.openai_base, "api_key": "sk-router-test"}
        if fails:
            params["extra_headers"] = FAILING
        return {"model_name": name, "litellm_params": params}

    return litellm.Router(model_list=[deployment("primary", True), deployment("backup", backup_fails)],
                          fallbacks=[{"primary": ["backup"]}], num_retries=1, retry_after=0)


def _counter(telemetry: Any, name: str) -> int:
    return sum(point.value for point in telemetry.metrics().get(name, []))


def _attempt_events(span: Any) -> list[Any]:
    return [event for event in span.events if event.name == "llm.router.attempt"]


@pytest.mark.asyncio
async def test_fallback_after_failed_attempts_is_one_ok_span_with_each_attempt_as_an_event(telemetry, provider):
    reply = await _router(provider, backup_fails=False).acompletion(model="primary", messages=MESSAGES)
    span = await aonly_span(telemetry)
    assert reply.choices[0].message.content
    assert span.status.status_code.name == "UNSET"
    events = _attempt_events(span)
    assert [event.attributes["llm.router.attempt.number"] for event in events] == list(range(1, len(events) + 1))
    assert len(events) >= 1
    for event in events:
        assert event.attributes["llm.litellm.model_group"] == "primary"
        assert event.attributes["llm.error.category"] == "server_error"
        assert event.attributes["llm.api_base"] == provider.openai_base
        assert event.attributes["llm.litellm.model_id"]
        assert event.attributes["llm.router.attempt.duration"] >= 0
        assert "sk-router-test" not in repr(dict(event.attributes))
    assert span.attributes["llm.router.attempts"] == len(events) + 1
    assert span.attributes["llm.router.fallback_model"] == "backup"
    assert _counter(telemetry, "llm.router.fallbacks") == 1
    assert _counter(telemetry, "llm.router.retries") == len(events) - 1


@pytest.mark.asyncio
async def test_every_attempt_failing_is_one_error_span(telemetry, provider):
    with pytest.raises(litellm.InternalServerError):
        await _router(provider, backup_fails=True).acompletion(model="primary", messages=MESSAGES)
    span = await aonly_span(telemetry)
    assert span.status.status_code.name == "ERROR"
    events = _attempt_events(span)
    groups = [event.attributes["llm.litellm.model_group"] for event in events]
    assert groups[0] == "primary" and groups[-1] == "backup"
    assert span.attributes["llm.router.attempts"] == len(events)
    assert span.attributes["llm.router.fallback_model"] == "backup"


@pytest.mark.asyncio
async def test_a_router_call_without_failures_has_no_attempt_attributes(telemetry, provider):
    await _router(provider, backup_fails=False).acompletion(model="backup", messages=MESSAGES)
    span = await aonly_span(telemetry)
    assert not _attempt_events(span)
    assert "llm.router.attempts" not in span.attributes
    assert "llm.router.retries" not in telemetry.metrics()
