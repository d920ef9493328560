"""No secret reaches telemetry: keys, credentials in api_base, auth headers, key-bearing error messages."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

import litellm
import pytest
from litellm import (
    completion as early_completion,  # bound before instrument(): the callback makes its span
)
from support import (
    ANTHROPIC_CHAT,
    MESSAGES,
    OPENAI_CHAT,
    adrain,
    behave,
    drain,
    ours,
    span_texts,
)

KEY = "sk-LEAKCHECK-1234567890abcdef"
# The key, its distinctive core, and the Basic-auth header httpx derives from user:KEY in a URL.
NEEDLES = (KEY, "LEAKCHECK-1234567890", base64.b64encode(f"user:{KEY}".encode()).decode())


def with_credentials(base: str, scheme: str = "http") -> str:
    return base.replace("http://", f"{scheme}://user:{KEY}@", 1)


def leaked(telemetry: Any) -> list[str]:
    spans = ours(telemetry)
    assert spans, "the call made no span: nothing was checked"
    exported = span_texts(spans)
    metrics = telemetry.reader.get_metrics_data()
    exported += metrics.to_json() if metrics is not None else ""
    return [needle for needle in NEEDLES if needle in exported]


def run(call: Callable[[], Any]) -> None:
    try:
        call()
    except Exception:
        pass  # failing calls are part of the scenarios; what they leave behind is checked


async def arun(call: Callable[[], Awaitable[Any]]) -> None:
    try:
        await call()
    except Exception:
        pass


def openai(provider: Any, **kwargs: Any) -> dict[str, Any]:
    return {"model": OPENAI_CHAT, "messages": MESSAGES, "api_base": provider.openai_base, "api_key": "sk-test",
            "max_retries": 0, **kwargs}  # fmt: skip


SCENARIOS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "api_key": lambda p: openai(p, api_key=KEY),
    "api_key in a provider error message": lambda p: openai(
        p, api_key=KEY, extra_headers=behave(error_status=401, error_message=f"Incorrect API key provided: {KEY}")
    ),
    "api_key in a server error message": lambda p: openai(
        p, api_key=KEY, extra_headers=behave(error_status=500, error_message=f"upstream rejected {KEY}")
    ),
    "credentials in api_base": lambda p: openai(p, api_base=with_credentials(p.openai_base)),
    "credentials in an https api_base that fails": lambda p: openai(
        p, api_base=with_credentials(p.openai_base, "https"), timeout=2
    ),
    "auth headers": lambda p: openai(p, extra_headers={"Authorization": f"Bearer {KEY}", "x-api-key": KEY}),
    "auth headers on a failing call": lambda p: openai(
        p, extra_headers={"Authorization": f"Bearer {KEY}", "x-api-key": KEY, **behave(error_status=400)}
    ),
    "mock exception quoting the key": lambda p: dict(
        model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception(f"bad key {KEY}")
    ),
    "mock exception quoting the api_key": lambda p: dict(
        model="gpt-4o-mini", messages=MESSAGES, api_key=KEY, mock_response=Exception(f"bad key {KEY}")
    ),
    "user_api_key metadata": lambda p: openai(
        p, metadata={"user_api_key": KEY, "user_api_key_hash": KEY, "user_api_key_alias": KEY}
    ),
    "anthropic api_key in an error message": lambda p: dict(
        model=ANTHROPIC_CHAT,
        messages=MESSAGES,
        api_base=p.base_url,
        api_key=KEY,
        max_retries=0,
        extra_headers=behave(error_status=401, error_message=f"invalid x-api-key {KEY}"),
    ),
}
ASYNC_SCENARIOS = [
    "api_key",
    "api_key in a provider error message",
    "auth headers",
    "mock exception quoting the api_key",
    "credentials in api_base",
]


@pytest.mark.parametrize("capture", [False, True], ids=["content_off", "content_on"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_secret_never_reaches_exported_telemetry(scenario, capture, telemetry_factory, provider):
    telemetry = telemetry_factory(capture_content=capture)
    run(lambda: litellm.completion(**SCENARIOS[scenario](provider)))
    drain()
    assert leaked(telemetry) == []


@pytest.mark.asyncio
@pytest.mark.parametrize("capture", [False, True], ids=["content_off", "content_on"])
@pytest.mark.parametrize("scenario", ASYNC_SCENARIOS)
async def test_secret_never_reaches_exported_telemetry_of_async_calls(scenario, capture, telemetry_factory, provider):
    telemetry = telemetry_factory(capture_content=capture)
    await arun(lambda: litellm.acompletion(**SCENARIOS[scenario](provider)))
    await adrain()
    assert leaked(telemetry) == []


@pytest.mark.parametrize("capture", [False, True], ids=["content_off", "content_on"])
def test_secret_never_reaches_a_span_the_callback_made(capture, telemetry_factory, provider):
    # A function bound before instrument(): only LiteLLM's callback payload describes the call.
    telemetry = telemetry_factory(capture_content=capture)
    run(lambda: early_completion(**SCENARIOS["api_key in a provider error message"](provider)))
    run(lambda: early_completion(**SCENARIOS["credentials in api_base"](provider)))
    drain()
    assert leaked(telemetry) == []


def test_scrubbed_error_message_still_says_what_went_wrong(telemetry, provider):
    run(lambda: litellm.completion(**SCENARIOS["api_key in a provider error message"](provider)))
    span = ours(telemetry)[0]
    assert "Incorrect API key provided" in span.attributes["llm.error.message"]
    assert "[REDACTED]" in span.attributes["llm.error.message"]
    assert "[REDACTED]" in span.events[0].attributes["exception.message"]


def test_api_base_keeps_the_endpoint_without_its_credentials(telemetry, provider):
    litellm.completion(**SCENARIOS["credentials in api_base"](provider))
    assert ours(telemetry)[0].attributes["llm.api_base"] == provider.openai_base


def test_the_leak_check_can_fail(telemetry_factory):
    # The user's own message text is content, not a secret: with capture on it is exported, and the check sees it.
    telemetry = telemetry_factory(capture_content=True)
    litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": KEY}], mock_response="ok")
    drain()
    assert KEY in leaked(telemetry)
