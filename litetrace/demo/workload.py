"""``litetrace demo``: a realistic mixed LiteLLM workload, recorded into the embedded store.

The calls run inside workflows, tasks and sessions (``litetrace.demo.runs``), as an app's would.

By default it runs against the local provider (an OpenAI/Anthropic-compatible server on
127.0.0.1), so it needs no network and no key; ``--model/--api-base/--api-key`` send
the same workload to a real provider instead.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import litetrace
from litetrace.demo.runs import FAN_OUT, SESSIONS, plan_runs, run_one

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


class _Calls:
    """The workload's kinds of call: each method makes one LiteLLM call (or a stream read to its end)."""

    def __init__(self, target: Target, rng: random.Random) -> None:
        import litellm

        self.litellm = litellm
        self.target = target
        self.rng = rng
        self.kw = _common(target)
        self.models = [target.chat_model] if not target.local else ["openai/gpt-4o-mini", "openai/gpt-4o"]
        self.retry_ids = itertools.count(1)

    def _behave(self, **behavior: Any) -> dict[str, Any]:
        return _behave(self.target, **behavior)

    def chat(self) -> Any:
        model = self.rng.choice(self.models)
        behavior = self._behave(first_chunk_delay=self.rng.uniform(0.05, 0.3))
        return self.litellm.completion(model=model, messages=MESSAGES, **self.kw, **behavior)

    def stream(self) -> Any:
        rng = self.rng
        model = rng.choice(self.models)
        slow = model.endswith("gpt-4o")
        behavior = self._behave(
            first_chunk_delay=rng.uniform(0.15, 0.6) if slow else rng.uniform(0.05, 0.25),
            chunk_delay=rng.uniform(0.015, 0.03) if slow else rng.uniform(0.004, 0.012),
            chunk_count=rng.randint(15, 45),
        )
        response = self.litellm.completion(
            model=model, messages=MESSAGES, stream=True, stream_options={"include_usage": True}, **self.kw, **behavior
        )
        return "".join(chunk.choices[0].delta.content or "" for chunk in response if chunk.choices)

    def tool_stream(self) -> Any:
        behavior = self._behave(tool_calls=[
            {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            {"name": "get_time", "arguments": '{"tz": "Europe/Paris"}'},
        ], first_chunk_delay=0.1, chunk_delay=0.01)
        response = self.litellm.completion(
            model=self.models[0], messages=MESSAGES, tools=WEATHER_TOOLS, stream=True, **self.kw, **behavior
        )
        return list(response)

    def anthropic_stream(self) -> Any:
        if not self.target.local:
            return self.stream()
        rng = self.rng
        behavior = self._behave(first_chunk_delay=rng.uniform(0.2, 0.5), chunk_delay=0.02, chunk_count=rng.randint(10, 30))
        response = self.litellm.completion(
            model=ANTHROPIC_MODEL, messages=MESSAGES, stream=True, api_base=self.target.anthropic_base, api_key="local",
            **behavior,
        )
        return list(response)

    def embedding(self) -> Any:
        model = "openai/text-embedding-3-small" if self.target.local else self.target.chat_model
        return self.litellm.embedding(model=model, input=["tracing", "metrics", "logs"], **self.kw, **self._behave())

    def image(self) -> Any:
        model = "openai/gpt-image-1" if self.target.local else self.target.chat_model
        behavior = self._behave(first_chunk_delay=0.3)
        return self.litellm.image_generation(model=model, prompt="a lighthouse drawn as a trace waterfall", **self.kw, **behavior)

    def moderation(self) -> Any:
        model = "omni-moderation-latest" if self.target.local else None
        return self.litellm.moderation(input=["hello there", "I hate mondays"], model=model, **self.kw, **self._behave())

    def rate_limited(self) -> Any:
        behavior = self._behave(error_status=429)
        return self.litellm.completion(model=self.models[0], messages=MESSAGES, num_retries=0, **self.kw, **behavior)

    def server_error(self) -> Any:
        behavior = self._behave(error_status=503)
        return self.litellm.completion(model=self.models[-1], messages=MESSAGES, num_retries=0, **self.kw, **behavior)

    def retried(self) -> Any:
        # The first attempt gets a 503, LiteLLM's retry succeeds: one span, the call succeeds.
        # A distinct text per call keeps the server's fail-first count per call.
        behavior = self._behave(fail_first=1, error_status=503, text=f"Recovered on retry {next(self.retry_ids)}.")
        return self.litellm.completion(model=self.models[0], messages=MESSAGES, num_retries=2, **self.kw, **behavior)

    def timeout(self) -> Any:
        behavior = self._behave(hang=1.0)
        return self.litellm.completion(model=self.models[0], messages=MESSAGES, timeout=0.3, num_retries=0, **self.kw, **behavior)


# (label, _Calls method, weight): how often each kind of call comes in the mix.
KINDS: tuple[tuple[str, str, int], ...] = (
    ("chat", "chat", 14),
    ("stream", "stream", 30),
    ("tool stream", "tool_stream", 6),
    ("anthropic stream", "anthropic_stream", 10),
    ("embedding", "embedding", 10),
    ("image", "image", 4),
    ("moderation", "moderation", 6),
    ("rate limited", "rate_limited", 4),
    ("server error", "server_error", 3),
    ("timeout", "timeout", 2),
    ("retried", "retried", 4),
)


def build_workload(target: Target, calls: int, seed: int = 7) -> list[tuple[str, Callable[[], Any]]]:
    """A shuffled list of (label, thunk) covering every operation, streams, tools, errors and retries."""
    rng = random.Random(seed)
    made = _Calls(target, rng)
    kinds = [(label, getattr(made, method), weight) for label, method, weight in KINDS]
    weights = [weight for _, _, weight in kinds]
    # Every kind at least once (as far as ``calls`` allows), the rest drawn by weight, then shuffled:
    # a short demo still shows every operation, stream and error category.
    chosen = kinds[:calls] + rng.choices(kinds, weights=weights, k=max(0, calls - len(kinds)))
    rng.shuffle(chosen)
    return [(label, thunk) for label, thunk, _ in chosen]


async def _async_streams(target: Target, count: int) -> tuple[int, list[str]]:
    """A burst of concurrent async streams, as an async app or the proxy would make: one workflow fanning out."""
    import litellm

    kw = _common(target)
    model = "openai/gpt-4o-mini" if target.local else target.chat_model

    @litetrace.task(name="stream_reply")
    async def one(index: int) -> None:
        behavior = _behave(target, first_chunk_delay=0.05 + 0.01 * index, chunk_delay=0.008, chunk_count=20)
        response = await litellm.acompletion(model=model, messages=MESSAGES, stream=True, **kw, **behavior)
        async for _ in response:
            pass

    async def guarded(index: int) -> str | None:
        try:
            await one(index)
        except Exception as error:  # recorded on the span; the demo goes on and reports it
            return f"async stream: {type(error).__name__}: {str(error)[:200]}"
        return None

    @litetrace.workflow(name=FAN_OUT)
    async def fan_out() -> list[str | None]:
        return list(await asyncio.gather(*(guarded(i) for i in range(count))))

    session_id, user_id = SESSIONS[0]
    with litetrace.context(session_id=session_id, user_id=user_id):
        results = await fan_out()
    failures = [result for result in results if result is not None]
    return count - len(failures), failures


# The kinds of call that the local server is told to fail.
PLANNED_FAILURES = frozenset({"rate limited", "server error", "timeout"})


@dataclass
class Outcomes:
    """How the workload's calls ended; failures nobody planned are kept, to be shown."""

    ok: int = 0
    planned_errors: int = 0
    unexpected: list[str] = field(default_factory=list)


def run_workload(target: Target, calls: int, workers: int = 4, progress: bool = True) -> Outcomes:
    """Run the workload with a progress bar; returns how the calls ended."""
    from tqdm import tqdm

    outcomes = Outcomes()
    work = build_workload(target, calls)

    def record(label: str, error: BaseException | None) -> None:
        if error is None:
            outcomes.ok += 1
        elif label in PLANNED_FAILURES and target.local:
            outcomes.planned_errors += 1
        else:
            outcomes.unexpected.append(f"{label}: {type(error).__name__}: {str(error)[:200]}")

    # The first call of each kind runs alone, as an app's first calls would: LiteLLM imports
    # modules (mcp, httpx2) on first use, and two threads importing them at once can see a
    # partially initialised module. So the warm-up runs (the first call of each kind) go one by one.
    first, rest = plan_runs(work)
    with tqdm(total=len(work) + 1, desc="LiteLLM calls", unit="call", disable=not progress) as bar:
        for run in first:
            for label, error in run_one(run):
                record(label, error)
            bar.update(len(run.calls))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(run_one, run): run for run in rest}
            for future in as_completed(futures):
                run = futures[future]
                failed = future.exception()
                ended = future.result() if failed is None else [(label, failed) for label, _ in run.calls]
                for label, error in ended:
                    record(label, error)
                bar.update(len(run.calls))
        succeeded, failures = asyncio.run(_async_streams(target, ASYNC_STREAMS))
        outcomes.ok += succeeded
        outcomes.unexpected.extend(failures)
        bar.update(1)
    return outcomes
