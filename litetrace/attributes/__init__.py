"""Attribute extractors: one module per operation, plus the helpers they share.

Each operation module exposes ``request(params, attrs)`` and ``response(result, attrs)``,
which add ``llm.*`` keys to a dict; the caller writes the dict onto the span once.
"""

from __future__ import annotations

from types import ModuleType

from litetrace import operations as op
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
    op.CHAT: chat,
    op.TEXT_COMPLETION: text_completion,
    op.EMBEDDING: embedding,
    op.IMAGE_GENERATION: image,
    op.MODERATION: moderation,
    op.RESPONSES: responses,
    op.ANTHROPIC_MESSAGES: anthropic_messages,
    op.RERANK: rerank,
    op.TRANSCRIPTION: transcription,
    op.SPEECH: speech,
}
