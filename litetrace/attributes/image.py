"""Image generation: a prompt in, images out (image bytes are never recorded)."""

from __future__ import annotations

from typing import Any

from litetrace.attributes import common
from litetrace.attributes import names as n
from litetrace.attributes.fields import as_int, as_str, field


def request(params: dict[str, Any], attrs: dict[str, Any]) -> None:
    """Prompt length, image count, size and quality asked for."""
    prompt = params.get("prompt")
    if isinstance(prompt, str):
        attrs[n.REQ_PROMPT_LENGTH] = len(prompt)
    count = as_int(params.get("n"))
    if count is not None:
        attrs[n.REQ_N] = count
    size = as_str(params.get("size"))
    if size:
        attrs[n.REQ_IMAGE_SIZE] = size
    quality = as_str(params.get("quality"))
    if quality:
        attrs[n.REQ_IMAGE_QUALITY] = quality


def response(result: Any, attrs: dict[str, Any]) -> None:
    """Images returned, and token usage when the provider reported any."""
    usage = field(result, "usage")
    # LiteLLM fills an all-zero usage in when the provider sent none (dall-e): unknown, not 0.
    if as_int(field(usage, "total_tokens")) or as_int(field(usage, "prompt_tokens")):
        common.usage(usage, attrs)
    data = field(result, "data")
    if isinstance(data, (list, tuple)):
        attrs[n.RESP_IMAGE_COUNT] = len(data)
