"""Anthropic Messages through LiteLLM (``litellm.anthropic.messages.create``): request and response shape."""

from __future__ import annotations

from typing import Any

from litetrace.attributes import chat, common
from litetrace.attributes import names as n
from litetrace.attributes.fields import as_int, as_str, field, text_length


def request(params: dict[str, Any], attrs: dict[str, Any]) -> None:
    """Messages (the system prompt counted as one), sampling, stop sequences, tools."""
    messages = params.get("messages")
    if isinstance(messages, (list, tuple)):
        chat.messages_shape(messages, attrs)
        system = params.get("system")
        if system:  # a string or a list of text blocks, kept apart from the messages by this API
            attrs[n.REQ_MESSAGES_COUNT] += 1
            key = n.REQ_ROLE_COUNT.format(role="system")
            attrs[key] = attrs.get(key, 0) + 1
            attrs[n.REQ_CONTENT_LENGTH] += text_length(system)
    chat.sampling(params, attrs)
    top_k = as_int(params.get("top_k"))
    if top_k is not None:
        attrs[n.REQ_TOP_K] = top_k
    stop = params.get("stop_sequences")
    if isinstance(stop, (list, tuple)) and stop:
        attrs[n.REQ_STOP] = [str(item) for item in stop]
    chat.tools(params.get("tools"), None, params.get("tool_choice"), attrs)


def response(result: Any, attrs: dict[str, Any]) -> None:
    """Content blocks, stop reason and usage (cache reads and writes included)."""
    common.response_identity(result, attrs)
    usage(field(result, "usage"), attrs)
    blocks = field(result, "content")
    length = 0
    tool_names: list[str] = []
    if isinstance(blocks, (list, tuple)):
        for block in blocks:
            kind = field(block, "type")
            if kind == "text":
                length += text_length(field(block, "text"))
            elif kind == "tool_use":
                name = field(block, "name")
                tool_names.append(name if isinstance(name, str) else "")
    reason = as_str(field(result, "stop_reason"))
    attrs[n.RESP_CHOICES_COUNT] = 1
    chat.finish([reason] if reason else [], length, len(tool_names), [name for name in tool_names if name], attrs)


def usage(usage_obj: Any, attrs: dict[str, Any]) -> None:
    """Anthropic usage: ``input_tokens`` excludes the cache, so prompt tokens add cache reads and writes back
    (as LiteLLM's chat usage and the GenAI conventions' input tokens count them)."""
    if usage_obj is None:
        return
    uncached = as_int(field(usage_obj, "input_tokens"))
    read = as_int(field(usage_obj, "cache_read_input_tokens")) or 0
    written = as_int(field(usage_obj, "cache_creation_input_tokens")) or 0
    completion = as_int(field(usage_obj, "output_tokens"))
    if uncached is not None:
        attrs[n.USAGE_PROMPT] = uncached + read + written
    if completion is not None:
        attrs[n.USAGE_COMPLETION] = completion
    if uncached is not None and completion is not None:
        attrs[n.USAGE_TOTAL] = uncached + read + written + completion
    if read:
        attrs[n.USAGE_CACHED] = read
    if written:
        attrs[n.USAGE_CACHE_WRITE] = written
