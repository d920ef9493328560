"""Who asked, through the real proxy: virtual key alias, team, user, end user, tags; never a key.

Virtual keys normally live in the proxy's database; the proxy's documented way to run keys
without one is ``general_settings.custom_auth``, which returns the key's ``UserAPIKeyAuth``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from proxy_support import MASTER_KEY, UPSTREAM_KEY, Proxy, model, one_span, proxy_free_of, running_proxy, write_config

pytestmark = pytest.mark.integration

VIRTUAL_KEY = "sk-virtual-alpha-5f3c2a1b9d8e7f60"
MESSAGES = [{"role": "user", "content": "hi"}]
CUSTOM_AUTH = f'''
from litellm.proxy._types import UserAPIKeyAuth

KEYS = {{{VIRTUAL_KEY!r}: dict(key_alias="alpha-key", team_id="team-7", team_alias="Research", user_id="user-42")}}


async def user_api_key_auth(request, api_key):
    if api_key not in KEYS:
        raise Exception("unknown key")
    return UserAPIKeyAuth(api_key=api_key, **KEYS[api_key])
'''


def _start(folder: Path, provider: Any, redact: bool) -> Any:
    (folder / "custom_auth.py").write_text(CUSTOM_AUTH)
    settings = {"redact_user_api_key_info": True} if redact else {}
    config = write_config(folder, [model("gpt-local", provider.openai_base)], settings,
                          {"custom_auth": "custom_auth.user_api_key_auth"})
    return running_proxy(folder, config)


@pytest.fixture(scope="module")
def keyed_proxy(tmp_path_factory: pytest.TempPathFactory, provider: Any) -> Iterator[Proxy]:
    with _start(tmp_path_factory.mktemp("keys"), provider, redact=False) as server:
        yield server


@pytest.fixture(scope="module")
def redacting_proxy(tmp_path_factory: pytest.TempPathFactory, provider: Any) -> Iterator[Proxy]:
    with _start(tmp_path_factory.mktemp("redact"), provider, redact=True) as server:
        yield server


def _ask(proxy: Proxy) -> dict[str, Any]:
    import openai

    client = openai.OpenAI(base_url=f"{proxy.base_url}/v1", api_key=VIRTUAL_KEY, max_retries=0)
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-local", messages=MESSAGES, user="end-user-9",
        extra_body={"metadata": {"tags": ["nightly", "batch"]}},
    )
    return one_span(proxy.store, raw.headers["x-litellm-call-id"])


def _no_key_anywhere(proxy: Proxy) -> None:
    hashed = hashlib.sha256(VIRTUAL_KEY.encode()).hexdigest()
    proxy_free_of([VIRTUAL_KEY, hashed, MASTER_KEY, UPSTREAM_KEY], proxy)


def test_virtual_key_alias_team_user_and_tags_are_recorded(keyed_proxy: Proxy):
    attributes = _ask(keyed_proxy)["attributes"]
    assert attributes["llm.proxy.key_alias"] == "alpha-key"
    assert attributes["llm.proxy.team_id"] == "team-7"
    assert attributes["llm.proxy.team_alias"] == "Research"
    assert attributes["llm.proxy.user_id"] == "user-42"
    assert attributes["llm.litellm.model_group"] == "gpt-local"
    assert {"nightly", "batch"} <= set(attributes["llm.tags"])
    assert attributes["llm.request.user"] == attributes["user.id"] == "end-user-9"
    _no_key_anywhere(keyed_proxy)


def test_redact_user_api_key_info_records_none_of_the_key_values(redacting_proxy: Proxy):
    attributes = _ask(redacting_proxy)["attributes"]
    assert not [name for name in attributes if name.startswith("llm.proxy.")], attributes
    assert "user.id" not in attributes
    text = repr(attributes)
    for value in ("alpha-key", "team-7", "Research", "user-42"):
        assert value not in text
    _no_key_anywhere(redacting_proxy)
