"""Failed calls: one ERROR span with the exception recorded once, and LiteLLM's own exception for the user."""

from __future__ import annotations

from typing import Any

import litellm
import openai
import pytest
from opentelemetry.trace import StatusCode
from support import (
    ANTHROPIC_CHAT,
    MESSAGES,
    OPENAI_CHAT,
    adrain,
    aonly_span,
    behave,
    drain,
    only_span,
)

# HTTP status from the local provider -> (LiteLLM's exception, llm.error.category)
HTTP_ERRORS = {
    401: (litellm.AuthenticationError, "authentication"),
    404: (litellm.NotFoundError, "not_found"),
    429: (litellm.RateLimitError, "rate_limit"),
    500: (litellm.InternalServerError, "server_error"),
    503: (litellm.ServiceUnavailableError, "service_unavailable"),
}


def openai_kwargs(provider: Any, **behavior: Any) -> dict[str, Any]:
    # max_retries=0: the OpenAI SDK would otherwise retry 429/5xx itself, with back-off.
    return dict(
        model=OPENAI_CHAT,
        messages=MESSAGES,
        api_base=provider.openai_base,
        api_key="sk-test",
        max_retries=0,
        extra_headers=behave(**behavior),
    )


def timeout_kwargs(provider: Any) -> dict[str, Any]:
    return {**openai_kwargs(provider, hang=1.0), "timeout": 0.2}


def assert_error_span(span: Any, error: BaseException, category: str, status: int | None, provider: str = "openai") -> None:
    attrs = span.attributes
    name = type(error).__name__
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == attrs["llm.error.message"]
    assert [event.name for event in span.events] == ["exception"]
    event = span.events[0].attributes
    assert event["exception.type"] == type(error).__qualname__
    assert event["exception.message"] == str(error)
    assert "Traceback" in event["exception.stacktrace"]
    assert attrs["llm.error.type"] == name
    assert attrs["error.type"] == name
    assert attrs["llm.error.category"] == category
    assert attrs["llm.error.provider"] == provider
    assert attrs["llm.error.message"] == str(error)
    if status is None:
        assert "llm.error.status_code" not in attrs
    else:
        assert attrs["llm.error.status_code"] == status
    # The request side is still described; no response keys were invented.
    assert attrs["llm.provider"] == provider
    assert "llm.request.model" in attrs
    assert "llm.response.id" not in attrs
    assert "llm.usage.prompt_tokens" not in attrs
    # LiteLLM logs failures at cost 0.0: unknown, so unset rather than a fake zero.
    assert "llm.usage.cost" not in attrs


# -- HTTP errors through the local provider ---------------------------------------------------------


@pytest.mark.parametrize("status", list(HTTP_ERRORS))
def test_sync_http_error_makes_one_error_span_and_raises_litellms_exception(status, monkeypatch, telemetry_factory, provider):
    expected, category = HTTP_ERRORS[status]
    original = litellm.completion
    with pytest.raises(expected) as plain:
        original(**openai_kwargs(provider, error_status=status))
    drain()
    raised: list[BaseException] = []

    def recorder(*args: Any, **kwargs: Any) -> Any:
        try:
            return original(*args, **kwargs)
        except BaseException as error:
            raised.append(error)
            raise

    monkeypatch.setattr(litellm, "completion", recorder)
    telemetry = telemetry_factory()
    with pytest.raises(expected) as caught:
        litellm.completion(**openai_kwargs(provider, error_status=status))
    assert caught.value is raised[0]
    assert type(caught.value) is type(plain.value)
    assert_error_span(only_span(telemetry), caught.value, category, status)


@pytest.mark.asyncio
@pytest.mark.parametrize("status", list(HTTP_ERRORS))
async def test_async_http_error_makes_one_error_span_and_raises_litellms_exception(
    status, monkeypatch, telemetry_factory, provider
):
    expected, category = HTTP_ERRORS[status]
    original = litellm.acompletion
    with pytest.raises(expected) as plain:
        await original(**openai_kwargs(provider, error_status=status))
    await adrain()
    raised: list[BaseException] = []

    async def recorder(*args: Any, **kwargs: Any) -> Any:
        try:
            return await original(*args, **kwargs)
        except BaseException as error:
            raised.append(error)
            raise

    monkeypatch.setattr(litellm, "acompletion", recorder)
    telemetry = telemetry_factory()
    with pytest.raises(expected) as caught:
        await litellm.acompletion(**openai_kwargs(provider, error_status=status))
    assert caught.value is raised[0]
    assert type(caught.value) is type(plain.value)
    assert_error_span(await aonly_span(telemetry), caught.value, category, status)


def test_sync_timeout_makes_one_error_span_with_the_timeout_category(telemetry, provider):
    with pytest.raises(litellm.Timeout) as caught:
        litellm.completion(**timeout_kwargs(provider))
    span = only_span(telemetry)
    assert span.attributes["llm.error.category"] == "timeout"
    assert span.attributes["llm.error.type"] == "Timeout"
    assert [event.name for event in span.events] == ["exception"]
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["llm.error.message"] == str(caught.value)


@pytest.mark.asyncio
async def test_async_timeout_makes_one_error_span_with_the_timeout_category(telemetry, provider):
    with pytest.raises(litellm.Timeout):
        await litellm.acompletion(**timeout_kwargs(provider))
    span = await aonly_span(telemetry)
    assert span.attributes["llm.error.category"] == "timeout"
    assert span.attributes["error.type"] == "Timeout"
    assert [event.name for event in span.events] == ["exception"]


def test_timeout_raises_the_same_exception_type_as_without_instrumentation(telemetry_factory, provider):
    with pytest.raises(litellm.Timeout) as plain:
        litellm.completion(**timeout_kwargs(provider))
    drain()
    telemetry_factory()
    with pytest.raises(litellm.Timeout) as caught:
        litellm.completion(**timeout_kwargs(provider))
    assert type(caught.value) is type(plain.value)


def test_error_duration_metric_carries_the_error_type(telemetry, provider):
    with pytest.raises(litellm.RateLimitError):
        litellm.completion(**openai_kwargs(provider, error_status=429))
    drain()
    points = telemetry.metrics()["gen_ai.client.operation.duration"]
    assert [point.attributes.get("error.type") for point in points] == ["RateLimitError"]


# -- Anthropic errors -------------------------------------------------------------------------------


def anthropic_kwargs(provider: Any, status: int) -> dict[str, Any]:
    return dict(
        model=ANTHROPIC_CHAT,
        messages=MESSAGES,
        api_base=provider.base_url,
        api_key="sk-test",
        max_retries=0,
        extra_headers=behave(error_status=status),
    )


@pytest.mark.parametrize("status", [401, 429, 500])
def test_sync_anthropic_error_makes_one_error_span(status, telemetry, provider):
    expected, category = HTTP_ERRORS[status]
    with pytest.raises(expected) as caught:
        litellm.completion(**anthropic_kwargs(provider, status))
    assert_error_span(only_span(telemetry), caught.value, category, status, provider="anthropic")


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [401, 429, 500])
async def test_async_anthropic_error_makes_one_error_span(status, telemetry, provider):
    expected, category = HTTP_ERRORS[status]
    with pytest.raises(expected) as caught:
        await litellm.acompletion(**anthropic_kwargs(provider, status))
    assert_error_span(await aonly_span(telemetry), caught.value, category, status, provider="anthropic")


# -- the other operations ---------------------------------------------------------------------------

OTHER_OPERATIONS = {
    "text_completion": dict(model="openai/gpt-3.5-turbo-instruct", prompt="hi", max_retries=0),
    "embedding": dict(model="openai/text-embedding-3-small", input=["hi"], max_retries=0),
    "image_generation": dict(model="openai/gpt-image-1", prompt="a cat", max_retries=0),
    "moderation": dict(model="openai/omni-moderation-latest", input="hi"),
    "responses": dict(model=OPENAI_CHAT, input="hi", max_retries=0),
}


@pytest.mark.parametrize("name", list(OTHER_OPERATIONS))
def test_sync_http_error_of_each_operation_makes_one_error_span(name, telemetry, provider):
    kwargs = {**OTHER_OPERATIONS[name], "api_base": provider.openai_base, "api_key": "sk-test"}
    # 404: never retried by the OpenAI SDK, which some operations let retry 5xx with back-off.
    with provider.configure(error_status=404):  # moderation() does not forward extra_headers
        # moderation() raises the OpenAI SDK's error unmapped; LiteLLM's own subclass it.
        with pytest.raises(openai.NotFoundError):
            getattr(litellm, name)(**kwargs)
    span = only_span(telemetry)
    assert span.status.status_code is StatusCode.ERROR
    assert [event.name for event in span.events] == ["exception"]
    assert span.attributes["llm.error.category"] == "not_found"
    assert span.attributes["llm.error.status_code"] == 404
    assert span.attributes["llm.request.type"] == name


@pytest.mark.asyncio
@pytest.mark.parametrize("name", list(OTHER_OPERATIONS))
async def test_async_http_error_of_each_operation_makes_one_error_span(name, telemetry, provider):
    kwargs = {**OTHER_OPERATIONS[name], "api_base": provider.openai_base, "api_key": "sk-test"}
    with provider.configure(error_status=404):
        with pytest.raises(openai.NotFoundError):
            await getattr(litellm, "a" + name)(**kwargs)
    span = await aonly_span(telemetry)
    assert span.status.status_code is StatusCode.ERROR
    assert [event.name for event in span.events] == ["exception"]
    assert span.attributes["llm.error.category"] == "not_found"
    assert span.attributes["llm.request.type"] == name


# -- mock_response exceptions -----------------------------------------------------------------------


def test_mock_exception_makes_one_error_span(telemetry):
    with pytest.raises(litellm.InternalServerError) as caught:
        litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("boom"))
    span = only_span(telemetry)
    assert span.attributes["llm.error.type"] == type(caught.value).__name__
    assert [event.name for event in span.events] == ["exception"]


@pytest.mark.asyncio
async def test_async_mock_exception_makes_one_error_span(telemetry):
    with pytest.raises(litellm.InternalServerError):
        await litellm.acompletion(model="gpt-4o-mini", messages=MESSAGES, mock_response=Exception("boom"))
    span = await aonly_span(telemetry)
    assert span.status.status_code is StatusCode.ERROR
    assert [event.name for event in span.events] == ["exception"]


# -- the exception event's stack trace -----------------------------------------------------------


def _chained_error() -> BaseException:
    def inner() -> None:
        raise ValueError("inner cause")

    def middle() -> None:
        try:
            inner()
        except ValueError as cause:
            raise KeyError("while handling") from cause

    try:
        try:
            middle()
        except KeyError:
            raise RuntimeError("outer")  # noqa: B904  # the implicit context is the point
    except RuntimeError as error:
        return error
    raise AssertionError("unreachable")


def test_stacktrace_reads_like_pythons_own_without_the_carets():
    import re
    import traceback

    from litetrace.attributes.errors import stacktrace

    error = _chained_error()
    python = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    without_carets = "".join(line for line in python.splitlines(keepends=True) if not re.fullmatch(r"\s*[~^]+\s*", line))
    assert stacktrace(error) == without_carets
    assert "direct cause" in without_carets and "During handling" in without_carets


def test_long_stacktrace_keeps_its_end_and_leaks_no_key_at_the_cut():
    from litetrace.attributes.errors import MAX_STACKTRACE_LENGTH, exception_event

    secret = "sk-live-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    error: BaseException | None = None
    # A chain of 60 exceptions, each message quoting the key: far longer than the cap, keys everywhere.
    for level in range(60):
        try:
            raise RuntimeError(f"level {level} failed for key {secret} " + "x" * 200) from error
        except RuntimeError as raised:
            error = raised
    assert error is not None
    event = exception_event(error, [secret])
    stack = event["exception.stacktrace"]
    # Capped (the cut moves past a secret to a space, and redaction shortens what is kept).
    assert MAX_STACKTRACE_LENGTH * 0.9 < len(stack) <= MAX_STACKTRACE_LENGTH + 1 and stack.startswith("…")
    # The end is kept: the exception raised last.
    assert stack.splitlines()[-1].startswith("RuntimeError: level 59 failed for key [REDACTED]")
    for cut in range(6, len(secret) + 1):  # no piece of the key survives, at the cut or elsewhere
        assert secret[:cut] not in stack and secret[-cut:] not in stack
