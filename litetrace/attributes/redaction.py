"""Keeping secrets out of telemetry: api_base credentials, keys inside error messages."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from litetrace.attributes.secrets import collect

# Things that look like keys even when we were not told them. The lookahead names the first
# character of every alternative: without it the engine tries all of them at every position,
# which made redacting a failed call's 8 KB stack trace cost 2-3 ms; with it, a third. The
# label alternatives are factored by first letter for the same reason.
# A label (``Bearer ``, ``X-Custom-Auth: ``, ``api-key=``, ``://``) is kept.
_KEY_PATTERNS = re.compile(
    r"(?i)(?=[abkprst:])(?:"
    r"((?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}"
    r"|\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}"
    r"|\bAKIA[0-9A-Z]{16}\b"
    r"|\bAIza[0-9A-Za-z_-]{20,}"
    r"|((?:a(?:pi[-_]?key|uth(?:orization)?\b)|key|token|s(?:ecret|ignature)|passw(?:or)?d)[\"']?\s*[=:]\s*[\"']?"
    r"(?:(?:bearer|basic)\s+)?)[^\s\"'&,}]{4,}"
    r"|(://)[^/@\s]+@"
    r")"
)
# Credentials in a URL's query under names no label above has (Azure Functions, SAS tokens):
# rare in text, so only looked for when their name is there.
_QUERY_CREDENTIAL = re.compile(r"([?&](?:code|sig)=)[^&#\s\"']{4,}", re.I)
# A key as providers print it masked (``sk-abc123********xyz``): the visible ends go too.
_MASKED = re.compile(r"[\w.~+/=-]*\*{3,}[\w.~+/=-]*")
REDACTED = "[REDACTED]"
MAX_MESSAGE_LENGTH = 1024


@lru_cache(maxsize=1024)
def clean_api_base(api_base: str) -> str | None:
    """The endpoint's scheme, host, port and path: no user, password, query or fragment."""
    try:
        parts = urlsplit(api_base)
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    host = parts.hostname
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def secrets_in(params: dict[str, Any]) -> list[str]:
    """Secret values passed to a call, in every form text may quote them (see ``secrets.collect``)."""
    return list(collect(params))


def redact(text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    """``text`` with the given secrets (``secrets.collect``'s needles), masked keys and anything key-shaped replaced."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    if "***" in text:
        text = _MASKED.sub(REDACTED, text)
    if "code=" in text or "sig=" in text:
        text = _QUERY_CREDENTIAL.sub(rf"\1{REDACTED}", text)
    return _KEY_PATTERNS.sub(_redact_match, text)


def scrub(text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    """``redact(text)``, size-capped for a message."""
    text = redact(text, secrets)
    if len(text) > MAX_MESSAGE_LENGTH:
        text = text[:MAX_MESSAGE_LENGTH] + "…"
    return text


def _redact_match(match: re.Match[str]) -> str:
    # Keep the label (``Bearer ``, ``api_key=``, ``://``) so the message stays readable.
    prefix = match.group(1) or match.group(3) or match.group(4)
    if match.group(4):
        return f"{prefix}{REDACTED}@"
    return f"{prefix or ''}{REDACTED}"
