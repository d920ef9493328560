"""OpenAI Responses API: input items in, output items out."""

from __future__ import annotations

from typing import Any

from litetrace.attributes import chat, common
from litetrace.attributes import names as n
from litetrace.attributes.fields import field, text_length


def request(params: dict[str, Any], attrs: dict[str, Any]) -> None:
    """Input items (a string or a list of messages), sampling, tools."""
    items = params.get("input")
    if isinstance(items, str):
        attrs[n.REQ_MESSAGES_COUNT] = 1
        attrs[n.REQ_CONTENT_LENGTH] = len(items)
        attrs[n.REQ_MULTIMODAL] = False
    elif isinstance(items, (list, tuple)):
        chat.messages_shape(items, attrs)
    chat.sampling(params, attrs)
    chat.tools(params.get("tools"), None, params.get("tool_choice"), attrs)


def response(result: Any, attrs: dict[str, Any]) -> None:
    """Output messages and function calls; the status stands in for the finish reason."""
    common.response_identity(result, attrs)
    common.usage(field(result, "usage"), attrs)
    output = field(result, "output")
    length = 0
    tool_names: list[str] = []
    tool_calls = 0
    if isinstance(output, (list, tuple)):
        for item in output:
            kind = field(item, "type")
            if kind == "message":
                length += text_length(field(item, "content"))
            elif kind == "function_call":
                tool_calls += 1
                name = field(item, "name")
                if isinstance(name, str):
                    tool_names.append(name)
    status = field(result, "status")
    reasons = [status] if isinstance(status, str) else []
    chat.finish(reasons, length, tool_calls, tool_names, attrs)
