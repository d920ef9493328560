"""Every secret a failed call carries, in every form an error message may quote it.

Read only when a call fails: a successful call pays nothing here. The sources are the
call's own keyword arguments (the wrapper) or LiteLLM's record of the call (the callback:
``litellm_params``, ``additional_args.headers``, ``optional_params``, metadata). One rule
reads both: a value under a secret-looking name (``api_key``, ``Authorization``,
``Ocp-Apim-Subscription-Key``, ``user_api_key_hash``, ``private_key`` ...) is a secret, and
any URL gives up its userinfo password and its query values.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus, unquote, urlsplit

# Words that make a key or header name a credential's (in its lower case). ``key`` covers
# api_key, x-api-key, api-key, Ocp-Apim-Subscription-Key, user_api_key_*, private_key;
# ``auth`` covers Authorization, X-Custom-Auth.
_SECRET_WORDS = ("key", "token", "secret", "passw", "pwd", "auth", "credential", "signature", "subscription",
                 "cookie", "private", "bearer")  # fmt: skip
_SIG = re.compile(r"(?:^|[-_])sig(?:$|[-_])")  # a SAS token's ``sig``, not "design"
# Names whose values hold the user's content, or LiteLLM's bulky derived records (its
# standard logging payload repeats what litellm_params and the metadata hold), never a
# credential of their own.
_NOT_WALKED = frozenset(
    {"messages", "input", "prompt", "tools", "functions", "response", "original_response", "exception",
     "traceback_exception", "complete_streaming_response", "async_complete_streaming_response",
     "standard_logging_object", "model_map_information"}
)  # fmt: skip
# Query parameters that are protocol, not credential (Azure's on every URL).
_PUBLIC_QUERY = frozenset({"api-version", "api_version"})
# Query parameters that carry credentials under names the rule above does not know
# (Azure Functions' ``code``, a SAS token's ``sig``; its other fields are not secret).
_QUERY_SECRET_NAMES = frozenset({"code", "sig", "pass", "pw"})
_AUTH_SCHEMES = ("bearer ", "basic ", "token ", "apikey ", "sharedaccesssignature ")
MIN_SECRET_LENGTH = 4
# Pieces of a secret shorter than this are not scrubbed alone (they would be ordinary words).
MIN_PIECE_LENGTH = 6
_SEPARATORS = re.compile(r"[^A-Za-z0-9._~+/=-]+")
# How many characters of a secret may never appear alone (a provider's masked echo shows them).
PREFIX_LENGTH = 8
_MAX_DEPTH = 6
_MAX_NODES = 2000


@lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Whether a parameter, metadata key or header of this name holds a credential."""
    lowered = name.lower()
    # Substring tests: a case-insensitive regex alternation took 5-20 us a name.
    return any(word in lowered for word in _SECRET_WORDS) or ("sig" in lowered and _SIG.search(lowered) is not None)


def collect(*sources: Any) -> tuple[str, ...]:
    """Needles to scrub, longest first: each secret in the sources, its encoded forms, its prefix."""
    raw: list[str] = []
    budget = [_MAX_NODES]
    for source in sources:
        if isinstance(source, dict):
            _walk_mapping(source, 0, raw, budget)
    return needles(raw)


def needles(secrets: Iterable[str]) -> tuple[str, ...]:
    """The forms of each secret that text may carry, longest first (so no longer form is cut in two)."""
    forms: set[str] = set()
    prefixes: set[str] = set()
    for secret in secrets:
        if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
            continue
        for value in {secret, unquote(secret)}:
            forms.update(_encodings(value))
            if len(value) > PREFIX_LENGTH:
                prefixes.add(value[:PREFIX_LENGTH])
            # Its pieces between spaces, quotes and punctuation: a PEM key's lines (a stack trace
            # cut mid-key keeps none either), and what survives when LiteLLM's own redaction has
            # replaced a secret's start up to such a character. Not a JSON object's: its field
            # names are not secret, and its secret fields were collected one by one.
            if not value.startswith("{"):
                forms.update(piece for piece in _SEPARATORS.split(value) if len(piece) >= MIN_PIECE_LENGTH)
    found = {form for form in forms | prefixes if len(form) >= MIN_SECRET_LENGTH}
    return tuple(sorted(found, key=len, reverse=True))


def _encodings(value: str) -> Iterable[str]:
    """The value as a URL, JSON text, a Python repr and a form body would spell it."""
    yield value
    yield quote(value, safe="")
    yield quote(value)
    yield quote_plus(value)
    yield json.dumps(value)[1:-1]
    yield json.dumps(value, ensure_ascii=False)[1:-1]
    yield repr(value)[1:-1]


def _walk_mapping(mapping: dict[Any, Any], depth: int, found: list[str], budget: list[int]) -> None:
    for name, value in mapping.items():
        budget[0] -= 1
        if budget[0] < 0:
            return
        if not isinstance(name, str) or name in _NOT_WALKED:
            continue
        if is_secret_name(name):
            _take_secret(value, depth, found, budget)
        elif isinstance(value, str):
            if "://" in value:
                _take_url(value, found)
        elif isinstance(value, dict) and depth < _MAX_DEPTH:
            _walk_mapping(value, depth + 1, found, budget)


def _take_secret(value: Any, depth: int, found: list[str], budget: list[int]) -> None:
    """A value under a secret name: a string (maybe a scheme and token, or JSON), a list, a mapping."""
    if isinstance(value, str):
        found.append(value)
        lowered = value[:24].lower()
        for scheme in _AUTH_SCHEMES:
            if lowered.startswith(scheme):
                token = value[len(scheme) :].strip()
                found.append(token)
                if scheme == "basic ":
                    found.extend(_basic_parts(token))
                break
        if value.lstrip().startswith("{") and depth < _MAX_DEPTH:  # vertex_credentials as JSON text
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                _walk_mapping(parsed, depth + 1, found, budget)
        if "://" in value:
            _take_url(value, found)
    elif isinstance(value, dict) and depth < _MAX_DEPTH:
        # Not every field of a credentials object is secret (its "type", its project): the names decide.
        _walk_mapping(value, depth + 1, found, budget)
    elif isinstance(value, (list, tuple)):
        found.extend(item for item in value[:64] if isinstance(item, str))


def _basic_parts(token: str) -> list[str]:
    """``user:password`` inside a Basic token, and the password alone."""
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return []
    user, _, password = decoded.partition(":")
    return [decoded, password] if password else [decoded]


def _take_url(url: str, found: list[str]) -> None:
    """A URL's userinfo password (as written, decoded, and Basic-encoded as httpx sends it) and query values."""
    try:
        parts = urlsplit(url.strip())
        password = parts.password
        user = parts.username or ""
    except ValueError:
        return
    if password:
        found.append(password)
        for user_form, password_form in ((user, password), (unquote(user), unquote(password))):
            found.append(base64.b64encode(f"{user_form}:{password_form}".encode()).decode())
    if parts.query:
        # As written and decoded: needles() adds the other encodings of each.
        for pair in parts.query.split("&"):
            name, _, value = pair.partition("=")
            name = unquote(name)
            for form in {value, unquote(value)}:
                if _is_query_secret(name, form):
                    found.append(form)


def _is_query_secret(name: str, value: str) -> bool:
    """A credential-named query value (key, code, sig, token ...), or an opaque one nobody named."""
    if name.lower() in _PUBLIC_QUERY or len(value) < MIN_SECRET_LENGTH:
        return False
    if is_secret_name(name) or name.lower() in _QUERY_SECRET_NAMES:
        return True
    return len(value) >= 16 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
