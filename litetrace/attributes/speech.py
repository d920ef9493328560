"""Text to speech: text in, audio bytes out (neither is recorded)."""

from __future__ import annotations

from typing import Any

from litetrace.attributes import names as n
from litetrace.attributes.fields import as_number, as_str, field


def request(params: dict[str, Any], attrs: dict[str, Any]) -> None:
    """Input length, voice, audio format, speed."""
    text = params.get("input")
    if isinstance(text, str):
        attrs[n.REQ_CONTENT_LENGTH] = len(text)
    voice = params.get("voice")
    name = as_str(voice) or as_str(field(voice, "id"))  # a name, or a custom voice {"id": ...}
    if name:
        attrs[n.REQ_VOICE] = name
    audio_format = as_str(params.get("response_format"))
    if audio_format:
        attrs[n.REQ_AUDIO_FORMAT] = audio_format
    speed = as_number(params.get("speed"))
    if speed is not None:
        attrs[n.REQ_SPEED] = speed


def response(result: Any, attrs: dict[str, Any]) -> None:
    """Size of the audio returned (read from the already-downloaded body, never streamed here)."""
    response_obj = field(result, "response")
    # httpx keeps a read body in ``_content``; reading ``.content`` of an unread one would consume it.
    body = getattr(response_obj, "_content", None) if response_obj is not None else None
    if isinstance(body, (bytes, bytearray)):
        attrs[n.RESP_AUDIO_BYTES] = len(body)
