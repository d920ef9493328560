"""Chat completions: request shape (messages, sampling, tools) and response shape."""

from __future__ import annotations

from typing import Any

from litetrace.attributes import common
from litetrace.attributes import names as n
from litetrace.attributes.fields import as_int, as_str, field, text_length

_SCALARS = dict(n.SCALAR_PARAMS)
_NON_TEXT_PARTS = ("image_url", "input_image", "input_audio", "audio", "file", "input_file", "video_url")


def request(params: dict[str, Any], attrs: dict[str, Any]) -> None:
    """Messages, sampling parameters and tools of a chat request."""
    messages = params.get("messages")
    if isinstance(messages, (list, tuple)):
        messages_shape(messages, attrs)
    sampling(params, attrs)
    tools(params.get("tools"), params.get("functions"), params.get("tool_choice"), attrs)


def messages_shape(messages: list[Any] | tuple[Any, ...], attrs: dict[str, Any]) -> None:
    """Count messages per role, text characters and non-text parts."""
    attrs[n.REQ_MESSAGES_COUNT] = len(messages)
    roles: dict[str, int] = {}
    length = 0
    images = 0
    multimodal = False
    for message in messages:
        role = field(message, "role")
        if isinstance(role, str):
            roles[role] = roles.get(role, 0) + 1
        content = field(message, "content")
        length += text_length(content)
        if isinstance(content, (list, tuple)):
            for part in content:
                kind = field(part, "type")
                if kind in _NON_TEXT_PARTS:
                    multimodal = True
                    if kind in ("image_url", "input_image"):
                        images += 1
    for role, count in roles.items():
        attrs[n.REQ_ROLE_COUNT.format(role=role)] = count
    attrs[n.REQ_CONTENT_LENGTH] = length
    attrs[n.REQ_MULTIMODAL] = multimodal
    if images:
        attrs[n.REQ_IMAGE_COUNT] = images


def sampling(params: dict[str, Any], attrs: dict[str, Any]) -> None:
    """Sampling parameters, stop sequences, response format, stream flag."""
    # Over the arguments given (a handful), not over every parameter that could be.
    for kwarg, value in params.items():
        key = _SCALARS.get(kwarg)
        if key is not None and value is not None and isinstance(value, (int, float, str)):
            attrs[key] = value
    max_tokens = params.get("max_tokens")
    if max_tokens is None:
        max_tokens = params.get("max_completion_tokens")
    if max_tokens is None:
        max_tokens = params.get("max_output_tokens")
    if as_int(max_tokens) is not None:
        attrs[n.REQ_MAX_TOKENS] = max_tokens
    stop = params.get("stop")
    if isinstance(stop, str):
        attrs[n.REQ_STOP] = [stop]
    elif isinstance(stop, (list, tuple)) and stop:
        attrs[n.REQ_STOP] = [str(item) for item in stop]
    response_format = params.get("response_format")
    if response_format is not None:
        kind = field(response_format, "type") if isinstance(response_format, dict) else None
        attrs[n.REQ_RESPONSE_FORMAT] = kind if isinstance(kind, str) else "json_schema"
    stream = params.get("stream")
    if isinstance(stream, bool):
        attrs[n.REQ_STREAM] = stream


def tools(tool_list: Any, functions: Any, tool_choice: Any, attrs: dict[str, Any]) -> None:
    """Tools offered (Chat and Responses API shapes) and the tool choice."""
    if isinstance(tool_list, (list, tuple)):
        attrs[n.REQ_TOOLS_COUNT] = len(tool_list)
        tool_names = []
        for tool in tool_list:
            name = field(field(tool, "function"), "name") or field(tool, "name")
            if isinstance(name, str):
                tool_names.append(name)
        if tool_names:
            attrs[n.REQ_TOOL_NAMES] = tool_names
    if isinstance(functions, (list, tuple)):
        attrs[n.REQ_FUNCTIONS_COUNT] = len(functions)
    if isinstance(tool_choice, str):
        attrs[n.REQ_TOOL_CHOICE] = tool_choice
    elif isinstance(tool_choice, dict):
        forced = field(field(tool_choice, "function"), "name") or field(tool_choice, "name")
        attrs[n.REQ_TOOL_CHOICE] = forced if isinstance(forced, str) else str(field(tool_choice, "type"))


def response(result: Any, attrs: dict[str, Any]) -> None:
    """Choices, finish reasons, output text length, tool calls."""
    common.response_identity(result, attrs)
    common.usage(field(result, "usage"), attrs)
    fingerprint = as_str(field(result, "system_fingerprint"))
    if fingerprint:
        attrs[n.RESP_SYSTEM_FINGERPRINT] = fingerprint
    choices = field(result, "choices")
    if not isinstance(choices, (list, tuple)):
        return
    attrs[n.RESP_CHOICES_COUNT] = len(choices)
    reasons: list[str] = []
    length = 0
    tool_names: list[str] = []
    tool_calls = 0
    for choice in choices:
        reason = field(choice, "finish_reason")
        if isinstance(reason, str):
            reasons.append(reason)
        message = field(choice, "message")
        if message is None:
            length += text_length(field(choice, "text"))
            continue
        length += text_length(field(message, "content"))
        calls = field(message, "tool_calls")
        if isinstance(calls, (list, tuple)):
            tool_calls += len(calls)
            for call in calls:
                name = field(field(call, "function"), "name")
                if isinstance(name, str):
                    tool_names.append(name)
    finish(reasons, length, tool_calls, tool_names, attrs)


def finish(reasons: list[str], length: int, tool_calls: int, tool_names: list[str], attrs: dict[str, Any]) -> None:
    """Write the aggregated output keys (shared with streams)."""
    if reasons:
        attrs[n.RESP_FINISH_REASON] = reasons[0]
        attrs[n.RESP_FINISH_REASONS] = reasons
    attrs[n.RESP_CONTENT_LENGTH] = length
    attrs[n.RESP_TOOL_CALLS_COUNT] = tool_calls
    if tool_names:
        attrs[n.RESP_TOOL_NAMES] = tool_names
