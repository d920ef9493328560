"""Chat completions: request shape (messages, sampling, tools) and response shape."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from litetrace.attributes import common
from litetrace.attributes import names as n
from litetrace.attributes.fields import as_int, field, fields, text_length

_RESPONSE_NAMES = ("id", "model", "usage", "system_fingerprint", "choices")
_CHOICE_NAMES = ("finish_reason", "message")
_MESSAGE_NAMES = ("content", "tool_calls")
_MESSAGE_ROLE_NAMES = ("role", "content")
_NON_TEXT_PARTS = ("image_url", "input_image", "input_audio", "audio", "file", "input_file", "video_url")


def request(params: dict[str, Any], attrs: dict[str, Any]) -> None:
    """Messages, sampling parameters and tools of a chat request."""
    messages = params.get("messages")
    if isinstance(messages, (list, tuple)):
        messages_shape(messages, attrs)
    sampling(params, attrs)
    tool_list, functions, tool_choice = params.get("tools"), params.get("functions"), params.get("tool_choice")
    if tool_list is not None or functions is not None or tool_choice is not None:
        tools(tool_list, functions, tool_choice, attrs)


def messages_shape(messages: list[Any] | tuple[Any, ...], attrs: dict[str, Any]) -> None:
    """Count messages per role, text characters and non-text parts."""
    attrs[n.REQ_MESSAGES_COUNT] = len(messages)
    roles: dict[str, int] = {}
    length = 0
    images = 0
    multimodal = False
    for message in messages:
        if type(message) is dict:  # most messages: two lookups, not two calls
            role, content = message.get("role"), message.get("content")
        else:
            role, content = fields(message, _MESSAGE_ROLE_NAMES)
        if isinstance(role, str):
            roles[role] = roles.get(role, 0) + 1
        if type(content) is str:
            length += len(content)
            continue
        length += text_length(content)
        if isinstance(content, (list, tuple)):
            for part in content:
                kind = field(part, "type")
                if kind in _NON_TEXT_PARTS:
                    multimodal = True
                    if kind in ("image_url", "input_image"):
                        images += 1
    for role, count in roles.items():
        attrs[_role_key(role)] = count
    attrs[n.REQ_CONTENT_LENGTH] = length
    attrs[n.REQ_MULTIMODAL] = multimodal
    if images:
        attrs[n.REQ_IMAGE_COUNT] = images


@lru_cache(maxsize=64)  # roles are few, but a caller may send any string
def _role_key(role: str) -> str:
    return n.REQ_ROLE_COUNT.format(role=role)


def sampling(params: dict[str, Any], attrs: dict[str, Any]) -> None:
    """Sampling parameters, stop sequences, response format, stream flag."""
    # Over the arguments given (a handful), not over every parameter that could be.
    for kwarg, value in params.items():
        key = n.SCALAR_PARAMS.get(kwarg)
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
    response_id, model, usage, fingerprint, choices = fields(result, _RESPONSE_NAMES)
    common.identity(response_id, model, attrs)
    common.usage(usage, attrs)
    if isinstance(fingerprint, str) and fingerprint:
        attrs[n.RESP_SYSTEM_FINGERPRINT] = fingerprint
    if not isinstance(choices, (list, tuple)):
        return
    attrs[n.RESP_CHOICES_COUNT] = len(choices)
    reasons: list[str] = []
    length = 0
    tool_names: list[str] = []
    tool_calls = 0
    for choice in choices:
        reason, message = fields(choice, _CHOICE_NAMES)
        if isinstance(reason, str):
            reasons.append(reason)
        if message is None:
            length += text_length(field(choice, "text"))
            continue
        content, calls = fields(message, _MESSAGE_NAMES)
        length += text_length(content)
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
