"""Session, user, customer, tags and metadata: from ``litetrace.context`` or a call's ``metadata=``.

LiteLLM users already pass ``metadata={"session_id": ..., "trace_user_id": ..., "tags": [...],
"generation_name": ...}`` (the keys of LiteLLM's Langfuse and OpenTelemetry docs) and
Respan's nested ``respan_params``; they become the same attributes ``litetrace.context`` sets.

Caps (telemetry must stay small whatever the caller passes): string values are cut to
``MAX_VALUE_LENGTH`` characters and scrubbed of key-shaped text; at most ``MAX_TAGS``
tags of ``MAX_TAG_LENGTH`` characters; at most ``MAX_METADATA_KEYS`` ``llm.metadata.*``
keys of at most ``MAX_KEY_LENGTH`` characters from each source (context, call, respan_params,
its nested metadata); only the first ``MAX_SCANNED_KEYS`` keys of a dict are looked at. Keys that look like secrets, LiteLLM's own
bookkeeping keys and non-scalar values (dicts, lists other than ``tags``, objects) are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import islice
from typing import Any

from litetrace.attributes import names as n
from litetrace.attributes.redaction import redact
from litetrace.tracing.conventions import CONVERSATION_ID, SESSION_ID, USER_ID

MAX_VALUE_LENGTH = 1024
MAX_TAGS = 32
MAX_TAG_LENGTH = 256
MAX_METADATA_KEYS = 64
MAX_KEY_LENGTH = 128
# Keys looked at in one metadata dict: a dict of a million keys costs no more than this.
MAX_SCANNED_KEYS = 256

# Key names whose values are (or may hold) credentials: never exported.
_SECRET_KEY = re.compile(r"(?i)api[-_]?key|secret|token|passw|credential|authoriz|cookie|signature|private|bearer")
# LiteLLM's (and its proxy's) own bookkeeping in ``metadata``: not the user's, some of it sensitive.
_LITELLM_KEYS = frozenset({
    "hidden_params", "model_info", "model_group", "model_group_size", "deployment", "api_base", "endpoint",
    "headers", "caching_groups", "previous_models", "litellm_parent_otel_span", "requester_metadata",
    "mask_input", "mask_output", "litellm_api_version", "global_max_parallel_requests", "preset_cache_key",
    "stream_response", "spend_logs_metadata", "applied_guardrails", "tags_info", "model_map_information",
})  # fmt: skip
_LITELLM_PREFIXES = ("user_api_key", "litellm_", "langfuse_", "proxy_")

# metadata key -> attribute names it sets; these keys never go to llm.metadata.*
_KNOWN: dict[str, tuple[str, ...]] = {
    "session_id": (CONVERSATION_ID, SESSION_ID),
    "trace_user_id": (USER_ID,),
    "user_id": (USER_ID,),
    "customer_identifier": (n.CUSTOMER_ID,),
    "customer_id": (n.CUSTOMER_ID,),
    "generation_name": (n.GENERATION_NAME,),
    "trace_name": (n.TRACE_NAME,),
    "workflow_name": (n.WORKFLOW_NAME,),
}
# Respan's ``respan_params`` keys (respan-exporter-litellm) beside the shared ones above.
_RESPAN: dict[str, tuple[str, ...]] = {
    **_KNOWN,
    "session_identifier": (CONVERSATION_ID, SESSION_ID),
    "thread_identifier": (CONVERSATION_ID, SESSION_ID),
}


def value(raw: Any) -> str | bool | int | float | None:
    """A metadata value as an attribute value: scalars only, strings capped and scrubbed."""
    if isinstance(raw, str):
        return _clean(raw[:MAX_VALUE_LENGTH]) if raw else None
    if isinstance(raw, (bool, int, float)):
        return raw
    return None


# Session ids, user ids and metadata values repeat from call to call: scrub each once.
@lru_cache(maxsize=4096)
def _clean(text: str) -> str:
    return redact(text)


def key_allowed(key: Any) -> bool:
    """A metadata key that may become ``llm.metadata.<key>``."""
    return isinstance(key, str) and _key_allowed(key)


@lru_cache(maxsize=1024)
def _key_allowed(key: str) -> bool:
    return (
        0 < len(key) <= MAX_KEY_LENGTH
        and key not in _LITELLM_KEYS
        and not key.startswith(_LITELLM_PREFIXES)
        and _SECRET_KEY.search(key) is None
    )


def tags(raw: Any) -> list[str]:
    """Tags as a capped string array (a single string is one tag)."""
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, (list, tuple, set, frozenset)):
        return []
    found: list[str] = []
    for tag in raw:
        if isinstance(tag, str) and tag and tag not in found:
            found.append(tag[:MAX_TAG_LENGTH])
            if len(found) >= MAX_TAGS:
                break
    return found


def add_tags(new: Iterable[str], attrs: dict[str, Any]) -> None:
    """Merge tags into ``attrs`` (context tags and call tags add up)."""
    merged = list(attrs.get(n.TAGS) or ())
    for tag in new:
        if tag not in merged and len(merged) < MAX_TAGS:
            merged.append(tag)
    if merged:
        attrs[n.TAGS] = merged


def add_metadata(metadata: Mapping[Any, Any], attrs: dict[str, Any]) -> None:
    """Scalar user metadata as ``llm.metadata.<key>`` (capped, secrets and objects dropped)."""
    count = 0
    for key, raw in islice(metadata.items(), MAX_SCANNED_KEYS):
        if count >= MAX_METADATA_KEYS:
            return
        if key_allowed(key):
            scalar = value(raw)
            if scalar is not None:
                attrs[n.METADATA_PREFIX + key] = scalar
                count += 1


def from_call(metadata: Any, attrs: dict[str, Any]) -> None:
    """A LiteLLM call's ``metadata=`` as attributes (anything but a dict is ignored).

    One pass over the call's keys (usually a handful), not over the table of known keys."""
    if not isinstance(metadata, dict) or not metadata:
        return
    _read(metadata, _KNOWN, attrs)


def _read(source: Mapping[Any, Any], table: dict[str, tuple[str, ...]], attrs: dict[str, Any]) -> None:
    count = 0
    span_name = None
    for key, raw in islice(source.items(), MAX_SCANNED_KEYS):
        targets = table.get(key) if isinstance(key, str) else None
        if targets is not None:
            _known(raw, targets, attrs)
        elif key == "tags":
            add_tags(tags(raw), attrs)
        elif key == "span_name":
            span_name = value(raw)
        elif key == "respan_params":
            if isinstance(raw, dict) and table is _KNOWN:
                _read(raw, _RESPAN, attrs)
        elif key == "metadata":
            if isinstance(raw, dict) and table is _RESPAN:
                add_metadata(raw, attrs)
        elif count < MAX_METADATA_KEYS and key_allowed(key):
            scalar = value(raw)
            if scalar is not None:
                attrs[n.METADATA_PREFIX + key] = scalar
                count += 1
    if isinstance(span_name, str) and n.GENERATION_NAME not in attrs:
        attrs[n.GENERATION_NAME] = span_name


def _known(raw: Any, targets: tuple[str, ...], attrs: dict[str, Any]) -> None:
    # Ids may come as numbers: recorded as strings, one type per attribute.
    scalar = value(str(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else raw)
    if isinstance(scalar, str):
        for target in targets:
            attrs[target] = scalar


def identity(session_id: Any, user_id: Any, customer_id: Any, tag_values: Any, metadata: Any) -> dict[str, Any]:
    """The attributes of ``litetrace.context()`` / ``update_current_span()``'s who-and-what arguments."""
    attrs: dict[str, Any] = {}
    for raw, targets in (
        (session_id, (CONVERSATION_ID, SESSION_ID)),
        (user_id, (USER_ID,)),
        (customer_id, (n.CUSTOMER_ID,)),
    ):
        found = value(str(raw)) if raw is not None else None
        for target in targets if found is not None else ():
            attrs[target] = found
    if tag_values is not None:
        add_tags(tags(list(tag_values)), attrs)
    if isinstance(metadata, Mapping):
        add_metadata(metadata, attrs)
    return attrs
