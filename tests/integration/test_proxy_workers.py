"""``litellm --config ... --num_workers 2``: each worker sets litetrace up and exports to the one store."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from proxy_support import Proxy, model, running_proxy, wait_for_spans, write_config

pytestmark = pytest.mark.integration

REQUESTS = 40


def test_two_workers_each_export_every_span(tmp_path, provider: Any):
    config = write_config(tmp_path, [model("gpt-local", provider.openai_base)])
    with running_proxy(tmp_path, config, "--num_workers", "2") as proxy:
        call_ids = asyncio.run(_drive(proxy))
        spans = wait_for_spans(proxy.store, lambda found: call_ids <= {s["attributes"]["llm.litellm.call_id"] for s in found},
                               "not every request's span arrived")
        log = proxy.log.read_text(errors="replace")
    mine = [span for span in spans if span["attributes"]["llm.litellm.call_id"] in call_ids]
    assert len(mine) == REQUESTS  # one span per request, none lost, none twice
    started = set(re.findall(r"Started server process \[(\d+)\]", log))
    assert len(started) == 2, log[-3000:]


async def _drive(proxy: Proxy) -> set[str]:
    async with proxy.async_client() as client:
        async def one(index: int) -> str:
            raw = await client.chat.completions.with_raw_response.create(
                model="gpt-local", messages=[{"role": "user", "content": f"hi {index}"}], stream=index % 2 == 0)
            reply = raw.parse()
            if index % 2 == 0:
                _ = [chunk async for chunk in reply]
            return str(raw.headers["x-litellm-call-id"])

        return set(await asyncio.gather(*(one(index) for index in range(REQUESTS))))
