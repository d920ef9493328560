"""Attribute extractors: one module per operation, plus the helpers they share.

Each operation module exposes ``request(params, attrs)`` and ``response(result, attrs)``,
which add ``llm.*`` keys to a dict; the caller writes the dict onto the span once.
"""

from __future__ import annotations

from types import ModuleType

from litetrace.attributes import (
    anthropic_messages,
    chat,
    embedding,
    image,
    moderation,
    rerank,
    responses,
    speech,
    text_completion,
    transcription,
)

EXTRACTORS: dict[str, ModuleType] = {
    "chat": chat,
    "text_completion": text_completion,
    "embedding": embedding,
    "image_generation": image,
    "moderation": moderation,
    "responses": responses,
    "anthropic_messages": anthropic_messages,
    "rerank": rerank,
    "transcription": transcription,
    "speech": speech,
}
