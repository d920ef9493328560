"""Text completions: a prompt in, choices of text out."""

from __future__ import annotations

from typing import Any

from litetrace.attributes import chat
from litetrace.attributes import names as n
from litetrace.attributes.fields import inputs_of, text_length


def request(params: dict[str, Any], attrs: dict[str, Any]) -> None:
    """Prompt size and sampling parameters."""
    prompts = inputs_of(params.get("prompt"))
    attrs[n.REQ_MESSAGES_COUNT] = len(prompts)
    attrs[n.REQ_CONTENT_LENGTH] = sum(text_length(p) for p in prompts if isinstance(p, str))
    chat.sampling(params, attrs)


def response(result: Any, attrs: dict[str, Any]) -> None:
    """Same keys as chat: choices carry ``text`` instead of ``message``."""
    chat.response(result, attrs)
