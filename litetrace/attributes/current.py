"""``gen_ai.*`` keys only the newest conventions define: read from the request, the usage and the cost.

Used under ``semconv="current"`` and ``"both"``; nothing here has an ``llm.*`` twin.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai

from litetrace.attributes import genai_names as g
from litetrace.attributes import names as n
from litetrace.attributes.common import usage_details
from litetrace.attributes.fields import as_int, as_str, field

# response_format / text.format types -> gen_ai.output.type well-known values.
_OUTPUT_TYPES = {"json_object": "json", "json_schema": "json", "text": "text"}
# (modality, the usage-details field that counts it): built once, not per call.
_MODALITY_FIELDS = tuple((modality, f"{modality}_tokens") for modality in g.MODALITIES)


def request(operation: str, params: dict[str, Any], attrs: dict[str, Any]) -> None:
    """top_k, reasoning level, previous response id and the output type asked for."""
    top_k = as_int(params.get("top_k"))
    if top_k is not None:
        attrs[gen_ai.GEN_AI_REQUEST_TOP_K] = top_k
    level = as_str(params.get("reasoning_effort")) or as_str(field(params.get("reasoning"), "effort"))
    if level:
        attrs[g.REQUEST_REASONING_LEVEL] = level
    previous = as_str(params.get("previous_response_id"))
    if previous:
        attrs[g.REQUEST_PREVIOUS_RESPONSE_ID] = previous
    output_type = _output_type(operation, params)
    if output_type:
        attrs[gen_ai.GEN_AI_OUTPUT_TYPE] = output_type


def _output_type(operation: str, params: dict[str, Any]) -> str | None:
    if operation == "image_generation":
        return "image"
    response_format = params.get("response_format")
    if response_format is None:  # the Responses API puts it under text.format
        response_format = field(params.get("text"), "format")
    if response_format is None:
        return None
    if not isinstance(response_format, dict):
        return "json"  # a pydantic model class: LiteLLM sends it as a JSON schema
    return _OUTPUT_TYPES.get(str(response_format.get("type")))


def usage(usage_obj: Any, attrs: dict[str, Any]) -> None:
    """Cache-write tokens and the per-modality token counts, when the provider reports them."""
    if usage_obj is None:
        return
    prompt_details, completion_details = usage_details(usage_obj)
    written = as_int(field(prompt_details, "cache_creation_tokens"))
    if written is None:
        written = as_int(field(usage_obj, "cache_creation_input_tokens"))
    if written:
        attrs[g.USAGE_CACHE_WRITE_INPUT_TOKENS] = written
    for side, details in (("input", prompt_details), ("output", completion_details)):
        if details is None:
            continue
        for modality, name in _MODALITY_FIELDS:
            count = field(details, name)
            if count and as_int(count):
                attrs[g.MODALITY_TOKENS[modality, side]] = count


def cost(attrs: dict[str, Any]) -> None:
    """The proposed cost triplet beside ``llm.usage.cost`` (LiteLLM prices calls from its cost map)."""
    amount = attrs.get(n.COST)
    if isinstance(amount, float):
        attrs[g.USAGE_COST_AMOUNT] = amount
        attrs[g.USAGE_COST_CURRENCY] = "USD"
        attrs[g.USAGE_COST_SOURCE] = "local"
