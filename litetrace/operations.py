"""The operations litetrace records, named once: ``llm.request.type`` and the key of every per-operation table.

Adding an operation: a constant here (and in ``ALL``), its entry points in
``instrumentation/targets.py``, an extractor module in ``attributes/EXTRACTORS`` and its
``gen_ai.operation.name`` in ``attributes/semconv.OPERATIONS``; tests/test_operations_table.py
checks that every table knows every operation.
"""

from __future__ import annotations

CHAT = "chat"
TEXT_COMPLETION = "text_completion"
EMBEDDING = "embedding"
IMAGE_GENERATION = "image_generation"
MODERATION = "moderation"
RESPONSES = "responses"
ANTHROPIC_MESSAGES = "anthropic_messages"
RERANK = "rerank"
TRANSCRIPTION = "transcription"
SPEECH = "speech"

ALL: tuple[str, ...] = (
    CHAT, TEXT_COMPLETION, EMBEDDING, IMAGE_GENERATION, MODERATION, RESPONSES,
    ANTHROPIC_MESSAGES, RERANK, TRANSCRIPTION, SPEECH,
)  # fmt: skip
