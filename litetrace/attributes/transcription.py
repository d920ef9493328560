"""Audio transcription: an audio file in, text out (neither audio nor text is recorded)."""

from __future__ import annotations

from typing import Any

from litetrace.attributes import common
from litetrace.attributes import names as n
from litetrace.attributes.fields import as_number, as_str, field, text_length


def request(params: dict[str, Any], attrs: dict[str, Any]) -> None:
    """Language, response format and the prompt's length (the file is not read)."""
    language = as_str(params.get("language"))
    if language:
        attrs[n.REQ_LANGUAGE] = language
    response_format = as_str(params.get("response_format"))
    if response_format:
        attrs[n.REQ_RESPONSE_FORMAT] = response_format
    prompt = params.get("prompt")
    if isinstance(prompt, str):
        attrs[n.REQ_PROMPT_LENGTH] = len(prompt)
    temperature = as_number(params.get("temperature"))
    if temperature is not None:
        attrs["llm.request.temperature"] = temperature
    stream = params.get("stream")
    if isinstance(stream, bool):
        attrs[n.REQ_STREAM] = stream


def response(result: Any, attrs: dict[str, Any]) -> None:
    """Text length, detected language, audio duration and token usage (token-billed models)."""
    attrs[n.RESP_CONTENT_LENGTH] = text_length(field(result, "text"))
    language = as_str(field(result, "language"))
    if language:
        attrs[n.RESP_LANGUAGE] = language
    duration = as_number(field(result, "duration"))
    if duration is not None:
        attrs[n.RESP_AUDIO_DURATION] = float(duration)
    usage = field(result, "usage")
    if field(usage, "type") == "tokens":  # whisper reports {"type": "duration", "seconds": ...} instead
        common.usage(usage, attrs)
