"""Message content capture: off by default, size-capped, and masked on request.

Recorded in the GenAI conventions' shape: ``gen_ai.input.messages`` /
``gen_ai.output.messages`` as JSON arrays of ``{"role", "parts": [...]}``.
"""

from __future__ import annotations

import json
from typing import Any

from opentelemetry.semconv._incubating.attributes.gen_ai_attributes import (
    GEN_AI_SYSTEM_INSTRUCTIONS,
    GEN_AI_TOOL_DEFINITIONS,
)

from litetrace import operations as op
from litetrace.attributes.fields import field, inputs_of
from litetrace.attributes.media import media_part
from litetrace.attributes.semconv import INPUT_MESSAGES, OUTPUT_MESSAGES

TRUNCATED = "…[truncated]"


def enabled_for(capture: bool, params: dict[str, Any], side: str) -> bool:
    """Whether to record ``side`` ("input"/"output") of this call."""
    if not capture:
        return False
    import litellm

    if litellm.turn_off_message_logging:
        return False
    metadata = params.get("metadata")
    if isinstance(metadata, dict) and metadata.get(f"mask_{side}") is True:
        return False
    return True


def capped(value: Any, limit: int) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    if len(text) > limit:
        text = text[: max(0, limit - len(TRUNCATED))] + TRUNCATED
    return text


def _parts(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "content": content}]
    parts: list[dict[str, Any]] = []
    for part in inputs_of(content):
        kind = field(part, "type")
        text = field(part, "text")
        if isinstance(text, str):
            parts.append({"type": "text", "content": text})
        elif isinstance(kind, str):
            # Non-text parts (images, audio, files) are never copied: they can be huge.
            parts.append(media_part(part, kind))
    return parts


def _tool_call_parts(calls: Any) -> list[dict[str, Any]]:
    parts = []
    for call in inputs_of(calls):
        function = field(call, "function")
        parts.append({
            "type": "tool_call",
            "id": field(call, "id"),
            "name": field(function, "name"),
            "arguments": field(function, "arguments"),
        })
    return parts


def input_messages(operation: str, params: dict[str, Any], limit: int) -> str | None:
    """The request's messages (or prompt/input text) as JSON."""
    messages: list[dict[str, Any]] = []
    if operation == op.ANTHROPIC_MESSAGES and params.get("system"):  # the Messages API keeps it apart
        messages.append({"role": "system", "parts": _parts(params.get("system"))})
    if operation in (op.CHAT, op.ANTHROPIC_MESSAGES) or (operation == op.RESPONSES and isinstance(params.get("input"), list)):
        source = params.get("input") if operation == op.RESPONSES else params.get("messages")
        for message in inputs_of(source):
            role = field(message, "role") or "user"
            parts = _parts(field(message, "content")) + _tool_call_parts(field(message, "tool_calls"))
            messages.append({"role": role, "parts": parts})
    else:
        key = "prompt" if operation in (op.TEXT_COMPLETION, op.IMAGE_GENERATION) else "input"
        texts = [t for t in inputs_of(params.get(key)) if isinstance(t, str)]
        if texts:
            messages.append({"role": "user", "parts": [{"type": "text", "content": t} for t in texts]})
    return capped(messages, limit) if messages else None


def output_messages(operation: str, result: Any, limit: int) -> str | None:
    """The response's choices (or output items) as JSON."""
    messages: list[dict[str, Any]] = []
    if operation in (op.CHAT, op.TEXT_COMPLETION):
        for choice in inputs_of(field(result, "choices")):
            message = field(choice, "message")
            if message is not None:
                parts = _parts(field(message, "content")) + _tool_call_parts(field(message, "tool_calls"))
            else:
                parts = _parts(field(choice, "text"))
            messages.append({"role": "assistant", "parts": parts, "finish_reason": field(choice, "finish_reason")})
    elif operation == op.ANTHROPIC_MESSAGES:
        messages.append({"role": "assistant", "parts": _parts(field(result, "content")), "finish_reason": field(result, "stop_reason")})
    elif operation == op.RESPONSES:
        parts = []
        for item in inputs_of(field(result, "output")):
            if field(item, "type") == "message":
                parts.extend(_parts(field(item, "content")))
            elif field(item, "type") == "function_call":
                parts.append({"type": "tool_call", "name": field(item, "name"), "arguments": field(item, "arguments")})
        messages.append({"role": "assistant", "parts": parts, "finish_reason": field(result, "status")})
    return capped(messages, limit) if messages else None


def system_instructions(params: dict[str, Any], limit: int) -> str | None:
    """Instructions given apart from the messages (Responses ``instructions``, Anthropic ``system``)."""
    source = params.get("instructions")
    if source is None:
        source = params.get("system")
    parts = _parts(source) if isinstance(source, (str, list, tuple)) else []
    return capped(parts, limit) if parts else None


def tool_definitions(tools: Any, limit: int) -> str | None:
    """The tools offered, in the conventions' shape (Chat and Responses API tool shapes)."""
    definitions = []
    for tool in inputs_of(tools):
        kind = field(tool, "type") or "function"
        function = field(tool, "function") or tool
        name = field(function, "name")
        definition: dict[str, Any] = {"type": kind, "name": name if isinstance(name, str) else kind}
        for key in ("description", "parameters"):
            value = field(function, key)
            if value is not None:
                definition[key] = value
        definitions.append(definition)
    return capped(definitions, limit) if definitions else None


def add_input(operation: str, params: dict[str, Any], limit: int, attrs: dict[str, Any]) -> None:
    """Record the input side: messages, system instructions, tool definitions."""
    text = input_messages(operation, params, limit)
    if text:
        attrs[INPUT_MESSAGES] = text
    instructions = system_instructions(params, limit)
    if instructions:
        attrs[GEN_AI_SYSTEM_INSTRUCTIONS] = instructions
    tools = params.get("tools")
    if tools:
        definitions = tool_definitions(tools, limit)
        if definitions:
            attrs[GEN_AI_TOOL_DEFINITIONS] = definitions


def add_output(operation: str, result: Any, limit: int, attrs: dict[str, Any]) -> None:
    """Record the output side."""
    text = output_messages(operation, result, limit)
    if text:
        attrs[OUTPUT_MESSAGES] = text
