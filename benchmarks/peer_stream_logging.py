"""Does LiteLLM's end-of-stream success logging (callbacks, response_cost) still run under a peer?

    python benchmarks/peer_stream_logging.py none|traceloop|openinference|litetrace [nostream]

Registers a counting CustomLogger next to the configuration, makes 5 sync and 5 async mock
streamed calls, drains LiteLLM's logging, prints the callback counts and the costs seen.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import common
from common import MESSAGES, MODEL, providers

import configs


def main() -> None:
    import litellm
    from litellm.integrations.custom_logger import CustomLogger

    name = sys.argv[1]
    tracer_provider, exporter, meter_provider, _reader = providers()
    configs.install(name, tracer_provider, meter_provider)
    seen: dict[str, Any] = {"sync": 0, "async": 0, "costs": []}

    class Count(CustomLogger):  # type: ignore[misc]
        def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
            seen["sync"] += 1
            seen["costs"].append(kwargs.get("response_cost"))

        async def async_log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
            seen["async"] += 1

    litellm.callbacks = [*(litellm.callbacks or []), Count()]
    kwargs = {"model": MODEL, "messages": MESSAGES, "mock_response": "Hello there friend", "stream": len(sys.argv) < 3}
    for _ in range(5):
        for _chunk in litellm.completion(**kwargs):
            pass
    common.drain_threads()

    async def go() -> None:
        for _ in range(5):
            async for _chunk in await litellm.acompletion(**kwargs):
                pass
        await common.drain_async()

    asyncio.run(go())
    common.drain_threads()
    print(name, "sync success events", seen["sync"], "async success events", seen["async"], "costs", seen["costs"][:2], "spans", len(exporter.get_finished_spans()))


if __name__ == "__main__":
    main()
