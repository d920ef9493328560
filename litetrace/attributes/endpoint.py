"""Where a call really went, when LiteLLM's response says otherwise.

For an OpenAI-transport call with no ``api_base`` argument, LiteLLM sends the request to
``litellm.api_base``, else ``$OPENAI_BASE_URL``, else ``$OPENAI_API_BASE`` (litellm/main.py),
but the ``api_base`` it puts in ``_hidden_params`` comes from ``get_api_base()``, which does
not read those and answers its hard-coded ``https://api.openai.com``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from litetrace.attributes import names as n
from litetrace.attributes.redaction import clean_api_base

# get_api_base()'s answer for the openai provider when it knows nothing better.
LITELLM_OPENAI_GUESS = "https://api.openai.com"
# LiteLLM's OpenAI transport reads these, in this order, after its own module setting.
OPENAI_BASE_ENV = ("OPENAI_BASE_URL", "OPENAI_API_BASE")


def _environment_reader() -> Callable[[str], str | None]:
    """``os.environ.get`` for this module's names, without its cost per missing name.

    ``os.environ.get`` raises and catches a KeyError for each name that is not set (~1 us,
    twice per OpenAI call that names no endpoint). ``os.environ`` keeps its values in
    ``_data`` under encoded keys, and setting or deleting through it updates that dict, so a
    direct lookup there answers the same; where the interpreter keeps it otherwise, the
    public path is used.
    """
    environ = os.environ
    data = getattr(environ, "_data", None)
    encode = getattr(environ, "encodekey", None)
    decode = getattr(environ, "decodevalue", None)
    if not isinstance(data, dict) or encode is None or decode is None:
        return environ.get
    keys = {name: encode(name) for name in OPENAI_BASE_ENV}

    def read(name: str) -> str | None:  # only the names above
        value = data.get(keys[name])
        return None if value is None else decode(value)

    return read


_environment = _environment_reader()


def configured_openai_base() -> str | None:
    """The endpoint LiteLLM's OpenAI transport uses when a call names none."""
    value = getattr(sys.modules.get("litellm"), "api_base", None)  # unset while LiteLLM is not imported
    if isinstance(value, str) and value:
        return value
    for name in OPENAI_BASE_ENV:
        value = _environment(name)
        if value:
            return value
    return None


def correct_guessed_base(params: dict[str, Any], attrs: dict[str, Any]) -> None:
    """Replace LiteLLM's guessed OpenAI endpoint in ``attrs`` by the configured one."""
    if attrs.get(n.API_BASE) != LITELLM_OPENAI_GUESS or params.get("api_base") or params.get("base_url"):
        return
    configured = configured_openai_base()
    if configured:
        cleaned = clean_api_base(configured)
        if cleaned:
            attrs[n.API_BASE] = cleaned
