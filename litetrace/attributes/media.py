"""Non-text message parts for captured content: inline base64 is replaced by a placeholder
giving its size, so a captured image costs a few bytes of telemetry, not megabytes."""

from __future__ import annotations

from typing import Any

from litetrace.attributes.fields import field

# Part type -> the conventions' modality.
_MODALITY = {
    "image_url": "image", "input_image": "image", "image": "image",
    "input_audio": "audio", "audio": "audio",
    "file": "file", "input_file": "file", "document": "file",
    "video_url": "video",
}  # fmt: skip


def placeholder(size: int) -> str:
    """What stands in for inline base64 content."""
    return f"[base64 omitted: {size} bytes]"


def decoded_size(payload: str) -> int:
    """Bytes a base64 string decodes to (without decoding it)."""
    length = len(payload.strip())
    padding = payload.count("=", max(0, length - 2))
    return max(0, length * 3 // 4 - padding)


def _inline(part: Any, kind: str) -> tuple[str | None, str | None]:
    """(mime type, base64 payload) of a part that carries its data inline; (None, None) otherwise."""
    source = field(part, "source")  # Anthropic: {"type": "base64", "media_type", "data"}
    if field(source, "type") == "base64" and isinstance(field(source, "data"), str):
        return field(source, "media_type"), field(source, "data")
    audio = field(part, "input_audio")  # OpenAI: {"data": base64, "format": "wav"}
    if isinstance(field(audio, "data"), str):
        audio_format = field(audio, "format")
        return (f"audio/{audio_format}" if isinstance(audio_format, str) else None), field(audio, "data")
    url = field(part, kind)  # image_url: {"url": ...} or a plain string (Responses input_image)
    url = field(url, "url") if not isinstance(url, str) else url
    if not isinstance(url, str):
        url = field(field(part, "file"), "file_data") or field(part, "file_data")
    if isinstance(url, str) and url.startswith("data:") and ";base64," in url[:128]:
        header, _, payload = url.partition(",")
        return header[5:].split(";", 1)[0] or None, payload
    return None, None


def media_part(part: Any, kind: str) -> dict[str, Any]:
    """A placeholder blob part for inline base64; otherwise a ``generic`` part naming the
    provider's type (semantic-conventions-genai #584), its fields left out: a link may be signed."""
    mime, payload = _inline(part, kind)
    if payload is None:
        return {"type": "generic", "generic_type": kind}
    blob: dict[str, Any] = {"type": "blob", "modality": _MODALITY.get(kind, kind), "content": placeholder(decoded_size(payload))}
    if mime:
        blob["mime_type"] = mime
    return blob
