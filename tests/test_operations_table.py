"""Every per-operation table knows every operation in ``litetrace.operations``, and nothing else."""

from __future__ import annotations

import importlib
import inspect

import litellm
import pytest

from litetrace import operations
from litetrace.attributes import EXTRACTORS, semconv
from litetrace.attributes.names import CONTRACT
from litetrace.instrumentation.targets import OPERATION_BY_CALL_TYPE, ROUTER_TARGETS, TARGETS


def test_every_operation_has_an_extractor_a_gen_ai_name_and_entry_points():
    assert set(EXTRACTORS) == set(operations.ALL)
    assert set(semconv.OPERATIONS) == set(operations.ALL)
    assert {target.operation for target in TARGETS} == set(operations.ALL)
    assert {target.operation for target in ROUTER_TARGETS} <= set(operations.ALL)


def test_the_callbacks_call_types_are_the_entry_points_names_and_litellms_own():
    plain = {target.name: target.operation for target in TARGETS if target.operation != operations.ANTHROPIC_MESSAGES}
    assert {k: v for k, v in OPERATION_BY_CALL_TYPE.items() if v != operations.ANTHROPIC_MESSAGES} == plain
    assert {k for k, v in OPERATION_BY_CALL_TYPE.items() if v == operations.ANTHROPIC_MESSAGES} == {
        "anthropic_messages", "aanthropic_messages"}
    known = {value.value for value in litellm.types.utils.CallTypes}
    assert set(OPERATION_BY_CALL_TYPE) <= known


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
def test_each_targets_positional_names_are_its_litellm_functions_leading_parameters(target):
    module = importlib.import_module(target.modules[-1]) if target.modules else litellm
    function = getattr(module, target.name)
    parameters = [p.name for p in inspect.signature(function).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if not parameters:  # (*args, **kwargs): LiteLLM forwards to the sync function's signature
        return
    assert tuple(parameters[: len(target.positional)]) == target.positional


def test_the_contract_lists_every_operation_as_a_request_type():
    meaning = next(key.meaning for key in CONTRACT if key.name == "llm.request.type")
    assert meaning == ", ".join(operations.ALL)
