"""Who asked: the virtual key's alias, team and user, the end user, tags and model group.

The proxy writes them into each call's metadata (``user_api_key_alias``, ``user_api_key_team_id``,
... in ``metadata`` or ``litellm_metadata``). The key itself (``user_api_key``, its hash) is
never read; with ``litellm.redact_user_api_key_info`` none of the ``user_api_key_*`` values is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.semconv._incubating.attributes.user_attributes import USER_ID

from litetrace.attributes import names as n

_FROM_KEY = (
    ("user_api_key_alias", n.PROXY_KEY_ALIAS),
    ("user_api_key_team_id", n.PROXY_TEAM_ID),
    ("user_api_key_team_alias", n.PROXY_TEAM_ALIAS),
    ("user_api_key_user_id", n.PROXY_USER_ID),
    ("user_api_key_end_user_id", USER_ID),
)
_MAX_TAGS = 32
_MAX_LENGTH = 256


def metadata_of(call_details: Mapping[str, Any]) -> dict[str, Any]:
    """The proxy's metadata for one call, from wherever this LiteLLM version keeps it."""
    merged: dict[str, Any] = {}
    litellm_params = call_details.get("litellm_params")
    for holder in (call_details, litellm_params if isinstance(litellm_params, Mapping) else {}):
        for key in ("metadata", "litellm_metadata"):
            found = holder.get(key)
            if isinstance(found, Mapping):
                merged.update(found)
    return merged


def end_user_of(call_details: Mapping[str, Any]) -> str | None:
    """The request's ``user`` field (the proxy also takes ``x-litellm-end-user-id``)."""
    optional = call_details.get("optional_params")
    for holder in (call_details, optional if isinstance(optional, Mapping) else {}):
        user = holder.get("user")
        if isinstance(user, str) and user:
            return user
    return None


def requester_attributes(metadata: Mapping[str, Any], redact_key_info: bool, end_user: str | None = None) -> dict[str, Any]:
    """Span attributes naming who asked, from the proxy's metadata."""
    attrs: dict[str, Any] = {}
    if not redact_key_info:
        for source, name in _FROM_KEY:
            value = metadata.get(source)
            if isinstance(value, str) and value:
                attrs[name] = value[:_MAX_LENGTH]
        if USER_ID not in attrs and end_user:
            attrs[USER_ID] = end_user[:_MAX_LENGTH]
    group = metadata.get("model_group")
    if isinstance(group, str) and group:
        attrs[n.MODEL_GROUP] = group[:_MAX_LENGTH]
    tags = metadata.get("tags")
    if isinstance(tags, (list, tuple)):
        kept = [tag[:_MAX_LENGTH] for tag in tags if isinstance(tag, str) and tag][:_MAX_TAGS]
        if kept:
            attrs[n.TAGS] = kept
    return attrs
