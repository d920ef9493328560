"""LITETRACE_PROPAGATE_TO_PROVIDER: the provider receives a traceparent naming litetrace's LLM span."""

from __future__ import annotations

import litellm
import pytest
from support import MESSAGES, OPENAI_CHAT, only_span


def _last_request_headers(provider: object) -> dict[str, str]:
    return dict(provider.requests[-1]["headers"])  # type: ignore[attr-defined]  # LocalProvider


def test_traceparent_forwarded_names_the_llm_span_when_asked(monkeypatch, telemetry_factory, provider):
    monkeypatch.setenv("LITETRACE_PROPAGATE_TO_PROVIDER", "true")
    telemetry = telemetry_factory()
    litellm.completion(model=OPENAI_CHAT, messages=MESSAGES, api_base=provider.openai_base, api_key="sk-prop",
                       extra_headers={"x-mine": "kept"})
    span = only_span(telemetry)
    headers = _last_request_headers(provider)
    context = span.get_span_context()
    assert headers["traceparent"] == f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"
    assert headers["x-mine"] == "kept"


def test_a_callers_own_traceparent_is_not_replaced(monkeypatch, telemetry_factory, provider):
    monkeypatch.setenv("LITETRACE_PROPAGATE_TO_PROVIDER", "true")
    telemetry = telemetry_factory()
    mine = "00-11111111111111111111111111111111-2222222222222222-01"
    litellm.completion(model=OPENAI_CHAT, messages=MESSAGES, api_base=provider.openai_base, api_key="sk-prop",
                       extra_headers={"traceparent": mine})
    only_span(telemetry)
    assert _last_request_headers(provider)["traceparent"] == mine


def test_nothing_is_forwarded_by_default(telemetry, provider):
    litellm.completion(model=OPENAI_CHAT, messages=MESSAGES, api_base=provider.openai_base, api_key="sk-prop")
    only_span(telemetry)
    assert "traceparent" not in _last_request_headers(provider)


def test_a_router_deployment_keeps_its_own_headers_and_gets_the_traceparent(monkeypatch, telemetry_factory, provider):
    monkeypatch.setenv("LITETRACE_PROPAGATE_TO_PROVIDER", "true")
    telemetry = telemetry_factory()
    router = litellm.Router(model_list=[{"model_name": "local", "litellm_params": {
        "model": OPENAI_CHAT, "api_base": provider.openai_base, "api_key": "sk-prop", "extra_headers": {"x-deployment": "kept"}}}])
    router.completion(model="local", messages=MESSAGES)
    span = only_span(telemetry)
    headers = _last_request_headers(provider)
    assert headers["x-deployment"] == "kept"
    assert headers["traceparent"].split("-")[1:3] == [f"{span.get_span_context().trace_id:032x}",
                                                      f"{span.get_span_context().span_id:016x}"]


@pytest.mark.parametrize("fast", [True, False])
def test_the_calls_context_matches_the_public_apis(monkeypatch, fast):
    """The call's context is built in one copy with the API's span key (read from the API, not
    hard-coded); without that key, the public two-copy path gives the same context."""
    from opentelemetry import context as otel_context
    from opentelemetry import trace
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import TracerProvider

    from litetrace.instrumentation import calls

    if not fast:
        monkeypatch.setattr(calls, "_SPAN_KEY", None)
    assert calls._span_key() is not None
    span = TracerProvider().get_tracer("t").start_span("s")
    parent = otel_context.set_value("caller-key", "kept", Context())
    built = calls.call_context(parent, span)
    expected = otel_context.set_value(calls.SUPPRESS_LANGUAGE_MODEL_INSTRUMENTATION_KEY, True, trace.set_span_in_context(span, parent))
    assert dict(built) == dict(expected)
    assert trace.get_current_span(built) is span
    assert otel_context.get_value("caller-key", built) == "kept"
    assert set(parent) == {"caller-key"}  # the caller's context is not changed
