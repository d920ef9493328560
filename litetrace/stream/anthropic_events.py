"""Folding a streamed Anthropic Messages response (SSE bytes or event dicts) into the response keys.

LiteLLM hands the caller the provider's SSE bytes as they arrive: an HTTP chunk may hold
several events or part of one. They are parsed once, when the stream has ended.
"""

from __future__ import annotations

import json
from typing import Any

from litetrace.attributes import anthropic_messages, content
from litetrace.attributes.semconv import OUTPUT_MESSAGES


def events(chunks: list[Any]) -> list[dict[str, Any]]:
    """The stream's events, whether its chunks were bytes, text or already-parsed dicts."""
    if chunks and isinstance(chunks[0], dict):
        return [chunk for chunk in chunks if isinstance(chunk, dict)]
    pieces = [chunk.decode("utf-8", "replace") if isinstance(chunk, (bytes, bytearray)) else chunk for chunk in chunks]
    found: list[dict[str, Any]] = []
    for line in "".join(piece for piece in pieces if isinstance(piece, str)).splitlines():
        if not line.startswith("data:"):
            continue
        try:
            event = json.loads(line[5:])
        except ValueError:
            continue
        if isinstance(event, dict):
            found.append(event)
    return found


def fold(chunks: list[Any], attrs: dict[str, Any], capture_limit: int | None) -> None:
    """Rebuild the final message from the events, then read it as a non-streamed response."""
    message: dict[str, Any] = {}
    usage: dict[str, Any] = {}
    blocks: dict[int, dict[str, Any]] = {}
    texts: dict[int, list[str]] = {}
    for event in events(chunks):
        kind = event.get("type")
        if kind == "content_block_delta":
            delta = event.get("delta") or {}
            if delta.get("type") == "text_delta":
                texts.setdefault(event.get("index") or 0, []).append(str(delta.get("text") or ""))
        elif kind == "content_block_start":
            blocks[event.get("index") or 0] = dict(event.get("content_block") or {})
        elif kind == "message_start":
            message = dict(event.get("message") or {})
            usage.update(message.get("usage") or {})
        elif kind == "message_delta":
            message.update(event.get("delta") or {})
            usage.update(event.get("usage") or {})  # cumulative counts: the later ones win
    for index, pieces in texts.items():
        blocks.setdefault(index, {"type": "text"})["text"] = "".join(pieces)
    message["content"] = [blocks[index] for index in sorted(blocks)]
    message["usage"] = usage or None
    anthropic_messages.response(message, attrs)
    if capture_limit is not None:
        parts = [{"type": "text", "content": block.get("text", "")} for block in message["content"] if block.get("type") == "text"]
        attrs[OUTPUT_MESSAGES] = content.capped(
            [{"role": "assistant", "parts": parts, "finish_reason": message.get("stop_reason")}], capture_limit
        )
