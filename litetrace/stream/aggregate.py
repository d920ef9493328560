"""Folding a finished stream's chunks into the response keys, once, at the end.

Handles Chat Completions chunks (``choices[].delta``), text completion chunks
(``choices[].text``) and Responses API events (``response.completed`` carries the
whole response). Tool calls arrive as deltas keyed by ``index``; a name arrives once.
"""

from __future__ import annotations

from typing import Any

from litetrace.attributes import chat, common, content, responses
from litetrace.attributes import names as n
from litetrace.attributes.fields import field, text_length


def fold(operation: str, chunks: list[Any], attrs: dict[str, Any], capture_limit: int | None) -> None:
    """Add the response keys of a finished stream to ``attrs``."""
    if operation == "responses":
        _fold_responses(chunks, attrs, capture_limit)
        return
    length = 0
    reasons: dict[int, str] = {}
    tool_names: dict[tuple[int, int], str] = {}
    tool_ids: set[tuple[int, int]] = set()
    texts: list[str] = []
    usage = None
    for chunk in chunks:
        reported = field(chunk, "usage")
        if reported is not None and _counts_tokens(reported):
            usage = reported
        for choice in field(chunk, "choices") or ():
            index = field(choice, "index") or 0
            delta = field(choice, "delta")
            piece = field(delta, "content") if delta is not None else field(choice, "text")
            if isinstance(piece, str) and piece:
                length += len(piece)
                if capture_limit is not None:
                    texts.append(piece)
            if delta is not None:
                for call in field(delta, "tool_calls") or ():
                    key = (index, field(call, "index") or 0)
                    tool_ids.add(key)
                    name = field(field(call, "function"), "name")
                    if isinstance(name, str) and name:
                        tool_names[key] = name
            reason = field(choice, "finish_reason")
            if isinstance(reason, str) and reason:
                reasons[index] = reason
    first = chunks[0] if chunks else None
    common.response_identity(first, attrs)
    fingerprint = field(first, "system_fingerprint")
    if isinstance(fingerprint, str) and fingerprint:
        attrs[n.RESP_SYSTEM_FINGERPRINT] = fingerprint
    if reasons:
        attrs[n.RESP_CHOICES_COUNT] = len(reasons)
    common.usage(usage, attrs)
    ordered = [reasons[i] for i in sorted(reasons)]
    chat.finish(ordered, length, len(tool_ids), [tool_names[k] for k in sorted(tool_names)], attrs)
    if capture_limit is not None:
        message = {"role": "assistant", "parts": [{"type": "text", "content": "".join(texts)}]}
        if ordered:
            message["finish_reason"] = ordered[0]
        attrs[content.OUTPUT_MESSAGES] = content.capped([message], capture_limit)


def _counts_tokens(usage: Any) -> bool:
    """False for the all-zero usage LiteLLM puts on every text-completion chunk when none was sent."""
    return any(field(usage, key) for key in ("total_tokens", "prompt_tokens", "completion_tokens"))


def _fold_responses(events: list[Any], attrs: dict[str, Any], capture_limit: int | None) -> None:
    final = None
    length = 0
    for event in events:
        kind = field(event, "type")
        if kind == "response.output_text.delta":
            length += text_length(field(event, "delta"))
        elif kind in ("response.completed", "response.incomplete", "response.failed"):
            final = field(event, "response")
    if final is not None:
        responses.response(final, attrs)
        if capture_limit is not None:
            content.add_output("responses", final, capture_limit, attrs)
    else:
        attrs[n.RESP_CONTENT_LENGTH] = length
