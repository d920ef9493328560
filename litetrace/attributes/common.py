"""Attributes every operation shares: identity, provider, endpoint, usage, cost."""

from __future__ import annotations

from typing import Any

from litetrace.attributes import names as n
from litetrace.attributes.fields import as_int, field, fields
from litetrace.attributes.provider import provider_for
from litetrace.attributes.redaction import clean_api_base


def request(operation: str, params: dict[str, Any], call_id: str, attrs: dict[str, Any]) -> None:
    """Attributes known before the call: who is asked, for what, through which endpoint."""
    model = params.get("model")
    attrs[n.VENDOR] = "litellm"
    attrs[n.REQUEST_TYPE] = operation
    attrs[n.CALL_ID] = call_id
    if isinstance(model, str) and model:
        attrs[n.REQUEST_MODEL] = model
    api_base = params.get("api_base") or params.get("base_url")
    provider = provider_for(model, params.get("custom_llm_provider"), api_base)
    if provider:
        attrs[n.PROVIDER] = provider
    if isinstance(api_base, str) and api_base:
        cleaned = clean_api_base(api_base)
        if cleaned:
            attrs[n.API_BASE] = cleaned


def hidden_params(result: Any, attrs: dict[str, Any]) -> None:
    """What LiteLLM already put on the response: cost, provider, endpoint, deployment, cache."""
    # A dict on most responses, a HiddenParams model on text completions: read values, not types.
    hidden = field(result, "_hidden_params")
    if hidden is None or (isinstance(hidden, dict) and not hidden):
        return
    logged(hidden, attrs)


def logged(info: Any, attrs: dict[str, Any]) -> None:
    """Copy LiteLLM's own view of a call (hidden params or standard logging payload)."""
    # Both are dicts but for text completions' HiddenParams model; one lookup per key.
    get = info.get if isinstance(info, dict) else (lambda name: field(info, name))
    cost = get("response_cost")
    if isinstance(cost, (int, float)) and not isinstance(cost, bool):
        attrs[n.COST] = float(cost)
    provider = get("custom_llm_provider")
    if isinstance(provider, str) and provider:
        attrs[n.PROVIDER] = provider
    api_base = get("api_base")
    if isinstance(api_base, str) and api_base:
        cleaned = clean_api_base(api_base)
        if cleaned:
            attrs[n.API_BASE] = cleaned
    # A Router response that a fallback served names the model group that answered.
    headers = get("additional_headers")
    if isinstance(headers, dict):
        fallbacks, group = headers.get("x-litellm-attempted-fallbacks"), headers.get("x-litellm-model-group")
        if isinstance(fallbacks, int) and fallbacks > 0 and isinstance(group, str) and group:
            attrs[n.ROUTER_FALLBACK_MODEL] = group
    model_id = get("model_id")
    if isinstance(model_id, str) and model_id:
        attrs[n.MODEL_ID] = model_id
    cache_hit = get("cache_hit")
    if isinstance(cache_hit, bool):
        attrs[n.CACHE_HIT] = cache_hit
    # The standard logging payload's token counts, which LiteLLM priced the call on: a stream
    # read without include_usage carries none in its chunks (callers keep the span's own counts).
    if isinstance(info, dict) and as_int(info.get("total_tokens")):
        for source, key in (("prompt_tokens", n.USAGE_PROMPT), ("completion_tokens", n.USAGE_COMPLETION), ("total_tokens", n.USAGE_TOTAL)):
            count = as_int(info.get(source))
            if count is not None:
                attrs[key] = count


_DETAILS_NAMES = ("prompt_tokens_details", "completion_tokens_details", "input_tokens_details", "output_tokens_details")
# What usage() reads: Chat Completions' names, then the Responses API's.
_USAGE_NAMES = (
    "prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details", "completion_tokens_details",
    "input_tokens", "output_tokens", "input_tokens_details", "output_tokens_details", "cache_read_input_tokens",
)  # fmt: skip


def usage(usage_obj: Any, attrs: dict[str, Any]) -> None:
    """Token counts, in either Chat Completions or Responses API naming."""
    if usage_obj is None:
        return
    (
        prompt, completion, total, prompt_details, completion_details,
        input_tokens, output_tokens, input_details, output_details, cache_read,
    ) = fields(usage_obj, _USAGE_NAMES)  # fmt: skip
    prompt = as_int(prompt)
    if prompt is None:
        prompt = as_int(input_tokens)
    completion = as_int(completion)
    if completion is None:
        completion = as_int(output_tokens)
    total = as_int(total)
    if prompt is not None:
        attrs[n.USAGE_PROMPT] = prompt
    if completion is not None:
        attrs[n.USAGE_COMPLETION] = completion
    if total is None and prompt is not None and completion is not None:
        total = prompt + completion
    if total is not None:
        attrs[n.USAGE_TOTAL] = total
    cached = as_int(field(prompt_details or input_details, "cached_tokens"))
    if cached is None:
        cached = as_int(cache_read)
    if cached:
        attrs[n.USAGE_CACHED] = cached
    reasoning = as_int(field(completion_details or output_details, "reasoning_tokens"))
    if reasoning:
        attrs[n.USAGE_REASONING] = reasoning


def response_identity(result: Any, attrs: dict[str, Any]) -> None:
    """Response id and the model the provider reports."""
    response_id, model = fields(result, ("id", "model"))
    identity(response_id, model, attrs)


def identity(response_id: Any, model: Any, attrs: dict[str, Any]) -> None:
    """``response_identity`` for values already read."""
    if isinstance(response_id, str) and response_id:
        attrs[n.RESP_ID] = response_id
    if isinstance(model, str) and model:
        attrs[n.RESPONSE_MODEL] = model


def usage_details(usage_obj: Any) -> tuple[Any, Any]:
    """(input details, output details) of a usage object: Chat Completions' or the Responses API's names."""
    prompt_details, completion_details, input_details, output_details = fields(usage_obj, _DETAILS_NAMES)
    return prompt_details or input_details, completion_details or output_details
