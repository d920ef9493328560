"""Attribute extractors: one module per operation, plus the helpers they share.

Each operation module exposes ``request(params, attrs)`` and ``response(result, attrs)``,
which add ``llm.*`` keys to a dict; the caller writes the dict onto the span once.
"""

from __future__ import annotations

from types import ModuleType

from litetrace.attributes import chat, embedding, image, moderation, responses, text_completion

EXTRACTORS: dict[str, ModuleType] = {
    "chat": chat,
    "text_completion": text_completion,
    "embedding": embedding,
    "image_generation": image,
    "moderation": moderation,
    "responses": responses,
}
