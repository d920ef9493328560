"""Folding a finished stream's chunks into the response keys, once, at the end.

Handles Chat Completions chunks (``choices[].delta``), text completion chunks
(``choices[].text``) and Responses API events (``response.completed`` carries the
whole response). Tool calls arrive as deltas keyed by ``index``; a name arrives once.
"""

from __future__ import annotations

from typing import Any

from litetrace import operations as op
from litetrace.attributes import chat, common, content, responses
from litetrace.attributes import names as n
from litetrace.attributes.fields import field, text_length
from litetrace.attributes.semconv import OUTPUT_MESSAGES
from litetrace.stream import anthropic_events


def fold(operation: str, chunks: list[Any], attrs: dict[str, Any], capture_limit: int | None) -> None:
    """Add the response keys of a finished stream to ``attrs``."""
    if operation == op.RESPONSES:
        _fold_responses(chunks, attrs, capture_limit)
        return
    if operation == op.ANTHROPIC_MESSAGES:
        anthropic_events.fold(chunks, attrs, capture_limit)
        return
    scan = _scan_choices(chunks, capture_limit is not None)
    _write_choices(chunks, scan, attrs, capture_limit)


class _Scan:
    """What the chunks' choices add up to."""

    __slots__ = ("length", "reasons", "tool_names", "tool_ids", "texts")

    def __init__(self) -> None:
        self.length = 0
        self.reasons: dict[int, str] = {}  # choice index -> finish reason
        self.tool_names: dict[tuple[int, int], str] = {}  # (choice, tool call) index -> name
        self.tool_ids: set[tuple[int, int]] = set()
        self.texts: list[str] = []  # kept only when content is captured


def _scan_choices(chunks: list[Any], keep_text: bool) -> _Scan:
    """One pass over the chunks: text length, finish reasons, tool calls."""
    scan = _Scan()
    for chunk in chunks:
        # Inline fast paths for LiteLLM's pydantic chunks (declared ``choices``; a choice's fields
        # in its extras); anything else goes through field()/_values(). Per chunk, this loop is
        # most of what a stream costs.
        try:
            choices = chunk.__dict__["choices"]
        except (AttributeError, KeyError):
            choices = field(chunk, "choices")
        if not choices:
            continue
        for choice in choices:
            try:
                values = choice.__pydantic_extra__
                if not values or choice.__dict__:
                    values = _values(choice)
            except AttributeError:
                values = _values(choice)
            delta = values.get("delta")
            if delta is not None:
                try:  # LiteLLM's Delta keeps both in its extras
                    extra = delta.__pydantic_extra__
                    piece = extra["content"]
                    calls = extra["tool_calls"]
                except (AttributeError, KeyError, TypeError):
                    parts = _values(delta)
                    piece = parts.get("content")
                    calls = parts.get("tool_calls")
            else:
                piece = values.get("text")
                calls = None
            if piece and isinstance(piece, str):
                scan.length += len(piece)
                if keep_text:
                    scan.texts.append(piece)
            reason = values.get("finish_reason")
            if not (calls or reason):
                continue  # most chunks: a piece of text and nothing else
            index = values.get("index") or 0
            if calls:
                _scan_tool_calls(calls, index, scan)
            if isinstance(reason, str):
                scan.reasons[index] = reason
    return scan


def _scan_tool_calls(calls: Any, index: int, scan: _Scan) -> None:
    """Tool-call deltas arrive keyed by their own ``index``; a name arrives once."""
    for call in calls:
        key = (index, field(call, "index") or 0)
        scan.tool_ids.add(key)
        name = field(field(call, "function"), "name")
        if isinstance(name, str) and name:
            scan.tool_names[key] = name


def _write_choices(chunks: list[Any], scan: _Scan, attrs: dict[str, Any], capture_limit: int | None) -> None:
    """The response keys from the first chunk (identity), the last ones (usage) and the scan."""
    first = chunks[0] if chunks else None
    common.response_identity(first, attrs)
    fingerprint = field(first, "system_fingerprint")
    if isinstance(fingerprint, str) and fingerprint:
        attrs[n.RESP_SYSTEM_FINGERPRINT] = fingerprint
    if scan.reasons:
        attrs[n.RESP_CHOICES_COUNT] = len(scan.reasons)
    common.usage(last_usage(chunks), attrs)
    ordered = [scan.reasons[i] for i in sorted(scan.reasons)]
    names = [scan.tool_names[key] for key in sorted(scan.tool_names)]
    chat.finish(ordered, scan.length, len(scan.tool_ids), names, attrs)
    if capture_limit is not None:
        message = {"role": "assistant", "parts": [{"type": "text", "content": "".join(scan.texts)}]}
        if ordered:
            message["finish_reason"] = ordered[0]
        attrs[OUTPUT_MESSAGES] = content.capped([message], capture_limit)


class _Attributes:
    """``.get(name)`` over an object that is neither a dict nor a pydantic model (fakes, other SDKs)."""

    __slots__ = ("obj",)

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def get(self, name: str) -> Any:
        return getattr(self.obj, name, None)


def _values(obj: Any) -> Any:
    """The field values of a chunk part, as something with ``.get``; never None.

    Read from the pydantic model's own dicts, not through attribute access: LiteLLM keeps
    the fields of ``StreamingChoices`` and ``Delta`` in ``__pydantic_extra__``, where each
    ``getattr`` goes through pydantic's ``__getattr__`` (about a microsecond, more when the
    field is absent). On a 1000-chunk stream that was the whole cost of ending the span.
    """
    if obj.__class__ is dict:
        return obj
    try:
        extra = obj.__pydantic_extra__
        if extra and not obj.__dict__:  # StreamingChoices: every field in the extras
            return extra
        values = obj.__dict__
    except AttributeError:
        return obj if isinstance(obj, dict) else _Attributes(obj)
    if not extra:
        return values
    if not values or (len(values) == 1 and not values.get("provider_specific_fields")):
        return extra  # StreamingChoices and Delta keep their fields in the extras
    return {**values, **extra}


# Usage rides on the stream's last chunks (OpenAI's usage chunk, Anthropic's message_delta,
# Gemini's cumulative counts): looking further back only costs a stream without usage a scan.
USAGE_TAIL = 8


def last_usage(chunks: list[Any]) -> Any:
    """The provider's usage: on the last chunk that carries token counts (usually the last chunk)."""
    for chunk in reversed(chunks[-USAGE_TAIL:]):
        usage = field(chunk, "usage")
        if usage is not None and _counts_tokens(usage):
            return usage
    return None




def _counts_tokens(usage: Any) -> bool:
    """False for the all-zero usage LiteLLM puts on every text-completion chunk when none was sent."""
    return any(field(usage, key) for key in ("total_tokens", "prompt_tokens", "completion_tokens"))


def _fold_responses(events: list[Any], attrs: dict[str, Any], capture_limit: int | None) -> None:
    final = None
    length = 0
    for event in events:
        values = _values(event)
        kind = values.get("type")
        if kind == "response.output_text.delta":
            length += text_length(values.get("delta"))
        elif kind in ("response.completed", "response.incomplete", "response.failed"):
            final = values.get("response")
    if final is not None:
        responses.response(final, attrs)
        if capture_limit is not None:
            content.add_output(op.RESPONSES, final, capture_limit, attrs)
    else:
        attrs[n.RESP_CONTENT_LENGTH] = length
