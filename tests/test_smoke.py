"""The basic promise: one call, one span, the result untouched."""

from __future__ import annotations

from importlib.metadata import requires

import litellm
from packaging.requirements import Requirement

from litetrace.package import INSTRUMENTS


def test_completion_makes_one_span_and_returns_litellms_response(telemetry):
    response = litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], mock_response="ok")
    assert isinstance(response, litellm.ModelResponse)
    assert response.choices[0].message.content == "ok"
    spans = telemetry.settle()
    assert len(spans) == 1
    assert spans[0].name == "chat gpt-4o-mini"
    assert spans[0].attributes["llm.usage.cost"] == litellm.completion_cost(response)


def test_the_litellm_versions_instrumented_are_the_ones_the_package_accepts():
    """package.py's range (BaseInstrumentor refuses to patch outside it) matches pyproject's dependency."""
    declared = [Requirement(line) for line in requires("litetrace") or []]
    dependency = next(req for req in declared if req.name == "litellm" and req.marker is None)
    assert Requirement(INSTRUMENTS[0]).specifier == dependency.specifier
