"""``litetrace demo``: a realistic mixed LiteLLM workload, recorded into the embedded store.

By default it runs against the local provider (an OpenAI/Anthropic-compatible server on
127.0.0.1), so it needs no network and no key; ``--model/--api-base/--api-key`` send
the same workload to a real provider instead.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

MESSAGES = [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "Summarise the benefits of tracing LLM calls in two sentences."},
]
WEATHER_TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}},
    {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {"tz": {"type": "string"}}}}},
]
ANTHROPIC_MODEL = "anthropic/claude-sonnet-4-5"
ASYNC_STREAMS = 8


@dataclass
class Target:
    """Where the workload goes: the local provider or a real one."""

    api_base: str | None
    api_key: str | None
    chat_model: str
    local: bool
    anthropic_base: str | None = None


def _behave(target: Target, **behavior: Any) -> dict[str, Any]:
    """Per-request behaviour for the local provider (ignored by real providers)."""
    if not target.local:
        return {}
    return {"extra_headers": {"x-local-provider": json.dumps(behavior)}}


def _common(target: Target) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if target.api_base:
        found["api_base"] = target.api_base
    if target.api_key:
        found["api_key"] = target.api_key
    return found


def build_workload(target: Target, calls: int, seed: int = 7) -> list[tuple[str, Callable[[], Any]]]:
    """A shuffled list of (label, thunk) covering every operation, streams, tools and errors."""
    import litellm

    rng = random.Random(seed)
    kw = _common(target)
    models = [target.chat_model] if not target.local else ["openai/gpt-4o-mini", "openai/gpt-4o"]

    def chat() -> Any:
        model = rng.choice(models)
        return litellm.completion(model=model, messages=MESSAGES, **kw, **_behave(target, first_chunk_delay=rng.uniform(0.05, 0.3)))

    def stream() -> Any:
        model = rng.choice(models)
        slow = model.endswith("gpt-4o")
        behavior = _behave(
            target,
            first_chunk_delay=rng.uniform(0.15, 0.6) if slow else rng.uniform(0.05, 0.25),
            chunk_delay=rng.uniform(0.015, 0.03) if slow else rng.uniform(0.004, 0.012),
            chunk_count=rng.randint(15, 45),
        )
        response = litellm.completion(
            model=model, messages=MESSAGES, stream=True, stream_options={"include_usage": True}, **kw, **behavior
        )
        return "".join(chunk.choices[0].delta.content or "" for chunk in response if chunk.choices)

    def tool_stream() -> Any:
        behavior = _behave(target, tool_calls=[
            {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            {"name": "get_time", "arguments": '{"tz": "Europe/Paris"}'},
        ], first_chunk_delay=0.1, chunk_delay=0.01)
        response = litellm.completion(model=models[0], messages=MESSAGES, tools=WEATHER_TOOLS, stream=True, **kw, **behavior)
        return list(response)

    def anthropic_stream() -> Any:
        if not target.local:
            return stream()
        behavior = _behave(target, first_chunk_delay=rng.uniform(0.2, 0.5), chunk_delay=0.02, chunk_count=rng.randint(10, 30))
        response = litellm.completion(
            model=ANTHROPIC_MODEL, messages=MESSAGES, stream=True, api_base=target.anthropic_base, api_key="local", **behavior
        )
        return list(response)

    def embedding() -> Any:
        model = "openai/text-embedding-3-small" if target.local else target.chat_model
        return litellm.embedding(model=model, input=["tracing", "metrics", "logs"], **kw, **_behave(target))

    def image() -> Any:
        model = "openai/dall-e-3" if target.local else target.chat_model
        return litellm.image_generation(model=model, prompt="a lighthouse drawn as a trace waterfall", **kw, **_behave(target, first_chunk_delay=0.3))

    def moderation() -> Any:
        model = "omni-moderation-latest" if target.local else None
        return litellm.moderation(input=["hello there", "I hate mondays"], model=model, **kw, **_behave(target))

    def rate_limited() -> Any:
        return litellm.completion(model=models[0], messages=MESSAGES, num_retries=0, **kw, **_behave(target, error_status=429))

    def server_error() -> Any:
        return litellm.completion(model=models[-1], messages=MESSAGES, num_retries=0, **kw, **_behave(target, error_status=503))

    def timeout() -> Any:
        return litellm.completion(model=models[0], messages=MESSAGES, timeout=0.3, num_retries=0, **kw, **_behave(target, hang=1.0))

    kinds: list[tuple[str, Callable[[], Any], int]] = [
        ("chat", chat, 14),
        ("stream", stream, 30),
        ("tool stream", tool_stream, 6),
        ("anthropic stream", anthropic_stream, 10),
        ("embedding", embedding, 10),
        ("image", image, 4),
        ("moderation", moderation, 6),
        ("rate limited", rate_limited, 4),
        ("server error", server_error, 3),
        ("timeout", timeout, 2),
    ]
    weights = [weight for _, _, weight in kinds]
    # Every kind at least once (as far as ``calls`` allows), the rest drawn by weight, then shuffled:
    # a short demo still shows every operation, stream and error category.
    chosen = kinds[:calls] + rng.choices(kinds, weights=weights, k=max(0, calls - len(kinds)))
    rng.shuffle(chosen)
    return [(label, thunk) for label, thunk, _ in chosen]


async def _async_streams(target: Target, count: int) -> int:
    """A burst of concurrent async streams, as an async app or the proxy would make."""
    import litellm

    kw = _common(target)
    model = "openai/gpt-4o-mini" if target.local else target.chat_model

    async def one(index: int) -> bool:
        behavior = _behave(target, first_chunk_delay=0.05 + 0.01 * index, chunk_delay=0.008, chunk_count=20)
        try:
            response = await litellm.acompletion(model=model, messages=MESSAGES, stream=True, **kw, **behavior)
            async for _ in response:
                pass
        except Exception:
            return False  # recorded on the span; the demo goes on
        return True

    results = await asyncio.gather(*(one(i) for i in range(count)))
    return sum(results)


def run_workload(target: Target, calls: int, workers: int = 4, progress: bool = True) -> dict[str, int]:
    """Run the workload with a progress bar; returns outcome counts."""
    from tqdm import tqdm

    outcomes = {"ok": 0, "error": 0}
    work = build_workload(target, calls)
    with tqdm(total=len(work) + 1, desc="LiteLLM calls", unit="call", disable=not progress) as bar:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(thunk) for _, thunk in work]
            for future in as_completed(futures):
                outcomes["ok" if future.exception() is None else "error"] += 1
                bar.update(1)
        succeeded = asyncio.run(_async_streams(target, ASYNC_STREAMS))
        outcomes["ok"] += succeeded
        outcomes["error"] += ASYNC_STREAMS - succeeded
        bar.update(1)
    return outcomes
