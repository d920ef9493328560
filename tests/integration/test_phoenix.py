"""Spans exported over OTLP/HTTP arrive in a real Arize Phoenix, with their llm.* attributes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import litellm
import pytest
from backend_support import backend, free_port, get_json, get_status, offline_env, require_executable, wait_for
from support import MESSAGES, behave, drain

import litetrace

pytestmark = pytest.mark.integration

STARTUP_TIMEOUT_S = 180  # phoenix serve imports a lot and migrates its database: ~20 s here
ARRIVAL_TIMEOUT_S = 30
FIRST_CHUNK_DELAY_S = 0.3


@pytest.fixture(scope="module")
def phoenix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``phoenix serve`` on free loopback ports with a temporary working dir; yields its base URL."""
    executable = require_executable("phoenix", "Arize Phoenix")
    folder = tmp_path_factory.mktemp("phoenix")
    port, grpc_port = free_port(), free_port()
    env = offline_env(
        PHOENIX_HOST="127.0.0.1", PHOENIX_PORT=str(port), PHOENIX_GRPC_PORT=str(grpc_port),
        PHOENIX_WORKING_DIR=str(folder / "data"), PHOENIX_TELEMETRY_ENABLED="false",
    )
    base = f"http://127.0.0.1:{port}"
    with backend("phoenix", [executable, "serve"], folder / "phoenix.log", env=env, cwd=folder) as server:
        wait_for(lambda: get_status(f"{base}/healthz") == 200, STARTUP_TIMEOUT_S, "phoenix did not become ready",
                 interval=0.5, alive=server.died)
        yield base


def _spans_named(base: str, names: set[str]) -> dict[str, dict[str, Any]] | None:
    """Phoenix's stored spans by name, once all of ``names`` are there."""
    found = get_json(f"{base}/v1/projects/default/spans?limit=100")["data"]
    by_name = {span["name"]: span for span in found}
    return by_name if names <= by_name.keys() else None


def test_spans_arrive_in_phoenix_with_llm_attributes(phoenix, provider):
    telemetry = litetrace.setup(exporter="otlp", otlp_endpoint=phoenix, service_name="litetrace-phoenix-test")
    try:
        reply = litellm.completion(model="gpt-4o-mini", messages=MESSAGES, mock_response="ok")
        stream = litellm.completion(
            model="openai/gpt-4o-mini", messages=MESSAGES, stream=True, stream_options={"include_usage": True},
            api_base=provider.openai_base, api_key="sk-local",
            extra_headers=behave(first_chunk_delay=FIRST_CHUNK_DELAY_S, chunk_count=8, chunk_delay=0.01),
        )
        text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
        drain()
    finally:
        telemetry.shutdown()
    assert text == "Hello from the local provider."

    spans = wait_for(lambda: _spans_named(phoenix, {"chat gpt-4o-mini", "chat openai/gpt-4o-mini"}),
                     ARRIVAL_TIMEOUT_S, "litetrace's spans did not arrive in phoenix")

    plain = spans["chat gpt-4o-mini"]["attributes"]
    assert plain["llm.vendor"] == "litellm"
    assert plain["llm.request.type"] == "chat"
    assert plain["llm.request.model"] == "gpt-4o-mini"
    assert plain["llm.usage.cost"] == pytest.approx(litellm.completion_cost(reply))
    assert plain["llm.usage.total_tokens"] == reply.usage.total_tokens

    streamed = spans["chat openai/gpt-4o-mini"]["attributes"]
    assert streamed["llm.request.model"] == "openai/gpt-4o-mini"
    assert streamed["llm.response.is_streaming"] is True
    assert streamed["llm.response.stream_outcome"] == "completed"
    assert FIRST_CHUNK_DELAY_S <= streamed["llm.response.time_to_first_token"] < FIRST_CHUNK_DELAY_S + 2
    assert streamed["llm.response.chunk_count"] >= 8
    assert streamed["llm.usage.cost"] > 0  # stream usage (include_usage) priced from LiteLLM's cost map
    assert streamed["server.address"] == "127.0.0.1"
    assert spans["chat gpt-4o-mini"]["context"]["trace_id"] != spans["chat openai/gpt-4o-mini"]["context"]["trace_id"]
