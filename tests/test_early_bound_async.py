"""An ``acompletion`` bound before instrument() runs LiteLLM's async path through the patched
``completion``: its span must say how the awaited call ended, not "success" at coroutine creation."""

from __future__ import annotations

import litellm
import pytest
from opentelemetry.trace import StatusCode
from support import MESSAGES, OPENAI_CHAT, adrain, afinished, behave

# Bound at import, before any test instruments LiteLLM: no wrapper on this name.
early_acompletion = litellm.acompletion


@pytest.mark.asyncio
async def test_early_bound_acompletion_failure_is_recorded_as_a_failure(telemetry):
    with pytest.raises(litellm.RateLimitError):
        await early_acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response=litellm.RateLimitError(
            "slow down", llm_provider="openai", model="gpt-4o-mini"))
    await adrain()
    [span] = await afinished(telemetry, 1)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["llm.error.type"] == "RateLimitError"
    assert span.attributes["llm.error.category"] == "rate_limit"


@pytest.mark.asyncio
async def test_early_bound_acompletion_http_failure_is_recorded_as_a_failure(telemetry, provider):
    with pytest.raises(litellm.InternalServerError):
        await early_acompletion(
            model=OPENAI_CHAT, messages=MESSAGES, api_base=provider.openai_base, api_key="sk-test", max_retries=0,
            extra_headers=behave(error_status=500),
        )
    await adrain()
    spans = await afinished(telemetry, 1)
    assert len(spans) == 1
    assert spans[0].status.status_code is StatusCode.ERROR
    assert spans[0].attributes["llm.error.category"] == "server_error"


@pytest.mark.asyncio
async def test_early_bound_acompletion_success_has_its_response_and_one_span(telemetry):
    response = await early_acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response="hello there")
    assert response.choices[0].message.content == "hello there"
    await adrain()
    spans = await afinished(telemetry, 1)
    assert len(spans) == 1
    assert spans[0].status.status_code is StatusCode.UNSET
    assert spans[0].attributes["llm.response.content_length"] == len("hello there")
