"""Keeping secrets out of telemetry: api_base credentials, keys inside error messages."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# Keyword arguments of LiteLLM calls whose values are credentials.
SECRET_KWARGS = (
    "api_key",
    "azure_ad_token",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_bearer_token",
    "vertex_credentials",
    "client_secret",
    "token",
    "password",
    "watsonx_api_key",
)
# Header names (lower case) whose values are credentials.
_SECRET_HEADER = re.compile(r"authorization|api[-_]?key|token|secret|cookie|signature|credential", re.I)
# Things that look like keys even when we were not told them. The lookahead names the first
# character of every alternative: without it the engine tries all six at every position,
# which made redacting a failed call's 8 KB stack trace cost 2-3 ms; with it, a third.
_KEY_PATTERNS = re.compile(
    r"(?i)(?=[bspratk:])(?:"
    r"(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"
    r"|\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}"
    r"|\bAKIA[0-9A-Z]{16}\b"
    r"|\bAIza[0-9A-Za-z_-]{20,}"
    r"|((?:api[-_]?key|key|token|secret|password)[\"']?\s*[=:]\s*[\"']?)[^\s\"'&,}]{4,}"
    r"|(://)[^/@\s]+@"
    r")"
)
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
    """Secret values passed to a call: credential kwargs and secret-looking headers."""
    found: list[str] = []
    for name in SECRET_KWARGS:
        value = params.get(name)
        if isinstance(value, str) and len(value) >= 4:
            found.append(value)
    for headers_name in ("extra_headers", "headers"):
        headers = params.get(headers_name)
        if isinstance(headers, dict):
            for key, value in headers.items():
                if isinstance(key, str) and _SECRET_HEADER.search(key) and isinstance(value, str) and len(value) >= 4:
                    found.append(value)
                    if value.lower().startswith("bearer "):
                        found.append(value[7:])
    api_base = params.get("api_base") or params.get("base_url")
    if isinstance(api_base, str):
        try:
            password = urlsplit(api_base).password
        except ValueError:
            password = None
        if password:
            found.append(password)
    return found


def redact(text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    """``text`` with the given secrets and anything key-shaped replaced."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
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
