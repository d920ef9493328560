"""The basic promise: one call, one span, the result untouched."""

from __future__ import annotations

import litellm


def test_completion_makes_one_span_and_returns_litellms_response(telemetry):
    response = litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], mock_response="ok")
    assert isinstance(response, litellm.ModelResponse)
    assert response.choices[0].message.content == "ok"
    spans = telemetry.settle()
    assert len(spans) == 1
    assert spans[0].name == "chat gpt-4o-mini"
    assert spans[0].attributes["llm.usage.cost"] == litellm.completion_cost(response)
