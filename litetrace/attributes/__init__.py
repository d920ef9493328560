"""Attribute extractors: one module per operation, plus the helpers they share.

Each operation module exposes ``request(params, attrs)`` and ``response(result, attrs)``,
which add ``llm.*`` keys to a dict; the caller writes the dict onto the span once.
"""

from __future__ import annotations

from types import ModuleType

from litetrace import operations as op
from litetrace.attributes import chat, embedding, image, moderation, responses, text_completion

EXTRACTORS: dict[str, ModuleType] = {
    op.CHAT: chat,
    op.TEXT_COMPLETION: text_completion,
    op.EMBEDDING: embedding,
    op.IMAGE_GENERATION: image,
    op.MODERATION: moderation,
    op.RESPONSES: responses,
}
