"""Moderation: inputs in, flagged results out."""

from __future__ import annotations

from typing import Any

from litetrace.attributes import common
from litetrace.attributes import names as n
from litetrace.attributes.fields import field, inputs_of


def request(params: dict[str, Any], attrs: dict[str, Any]) -> None:
    """Input count and size."""
    inputs = inputs_of(params.get("input"))
    attrs[n.REQ_INPUT_COUNT] = len(inputs)
    attrs[n.REQ_CONTENT_LENGTH] = sum(len(item) for item in inputs if isinstance(item, str))


def response(result: Any, attrs: dict[str, Any]) -> None:
    """Results, how many were flagged, and for what."""
    common.response_identity(result, attrs)
    results = field(result, "results")
    if not isinstance(results, (list, tuple)):
        return
    attrs[n.RESP_RESULTS_COUNT] = len(results)
    flagged = 0
    categories: set[str] = set()
    for item in results:
        if field(item, "flagged") is True:
            flagged += 1
        marks = field(item, "categories")
        if marks is not None and not isinstance(marks, dict):
            marks = marks.model_dump() if hasattr(marks, "model_dump") else vars(marks)
        if isinstance(marks, dict):
            categories.update(name for name, hit in marks.items() if hit is True)
    attrs[n.RESP_FLAGGED_COUNT] = flagged
    if categories:
        attrs[n.RESP_FLAGGED_CATEGORIES] = sorted(categories)
