"""A LiteLLM cache hit: its own span with llm.cache_hit=true, cost 0, its own latency; hits and misses counted."""

from __future__ import annotations

from collections.abc import Iterator

import litellm
import pytest
from litellm.caching.caching import Cache
from support import OPENAI_CHAT, drain, ours


@pytest.fixture
def cache() -> Iterator[Cache]:
    saved = litellm.cache
    litellm.cache = Cache()
    try:
        yield litellm.cache
    finally:
        litellm.cache = saved


def test_cache_hit_is_marked_free_and_counted_beside_the_miss(telemetry, provider, cache):
    messages = [{"role": "user", "content": "cache me"}]
    for _ in range(2):
        litellm.completion(model=OPENAI_CHAT, api_base=provider.openai_base, api_key="sk-cache-test",
                           messages=messages, caching=True)
    drain()
    spans = sorted(ours(telemetry), key=lambda span: span.start_time)
    assert len(spans) == 2
    miss, hit = spans
    assert miss.attributes.get("llm.cache_hit") is not True and miss.attributes["llm.usage.cost"] > 0
    assert hit.attributes["llm.cache_hit"] is True
    assert hit.attributes["llm.usage.cost"] == 0
    assert hit.end_time > hit.start_time > miss.end_time
    points = telemetry.metrics()["llm.cache.lookups"]
    by_hit = {point.attributes["llm.cache_hit"]: point.value for point in points}
    assert by_hit == {True: 1, False: 1}


def test_no_cache_lookup_is_counted_without_a_cache(telemetry, provider):
    litellm.completion(model=OPENAI_CHAT, api_base=provider.openai_base, api_key="sk-cache-test",
                       messages=[{"role": "user", "content": "no cache"}])
    drain()
    assert "llm.cache.lookups" not in telemetry.metrics()
