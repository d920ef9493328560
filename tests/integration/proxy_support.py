"""The real LiteLLM proxy (``litellm --config``) in a subprocess on loopback, exporting to a store file."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend_support import Backend, backend, free_port, get_status, offline_env, require_executable, wait_for

WORKTREE = Path(__file__).resolve().parents[2]
MASTER_KEY = "sk-proxy-master-0123456789abcdef"
UPSTREAM_KEY = "sk-upstream-fedcba9876543210"
STARTUP_TIMEOUT_S = 240  # the proxy imports for ~15-25 s on this machine, more with several workers
ARRIVAL_TIMEOUT_S = 20


@dataclass
class Proxy:
    base_url: str
    store: Path
    server: Backend
    log: Path

    def client(self, **options: Any) -> Any:
        import openai

        return openai.OpenAI(base_url=f"{self.base_url}/v1", api_key=MASTER_KEY, max_retries=0, **options)

    def async_client(self, **options: Any) -> Any:
        import openai

        return openai.AsyncOpenAI(base_url=f"{self.base_url}/v1", api_key=MASTER_KEY, max_retries=0, **options)


def model(name: str, api_base: str, upstream: str = "openai/gpt-4o-mini", **params: Any) -> dict[str, Any]:
    """One ``model_list`` entry pointing at the local provider."""
    return {"model_name": name, "litellm_params": {"model": upstream, "api_base": api_base, "api_key": UPSTREAM_KEY, **params}}


def write_config(folder: Path, models: list[dict[str, Any]], litellm_settings: dict[str, Any] | None = None,
                 general_settings: dict[str, Any] | None = None, **sections: Any) -> Path:
    """A config.yaml (JSON is YAML) with litetrace's one line in ``litellm_settings.callbacks``."""
    settings = {"callbacks": ["litetrace.proxy.callback"], **(litellm_settings or {})}
    config = {"model_list": models, "litellm_settings": settings,
              "general_settings": {"master_key": MASTER_KEY, **(general_settings or {})}, **sections}
    path = folder / "config.yaml"
    path.write_text(json.dumps(config, indent=2))
    return path


@contextmanager
def running_proxy(folder: Path, config: Path, *extra_args: str, **env: str) -> Iterator[Proxy]:
    """``litellm --config`` on a free port, exporting to ``folder/store.db``; stopped afterwards."""
    executable = require_executable("litellm", "the LiteLLM proxy")
    port = free_port()
    store = folder / "store.db"
    environment = offline_env(
        PYTHONPATH=str(WORKTREE), LITELLM_LOCAL_MODEL_COST_MAP="True", LITETRACE_EXPORTER="sqlite",
        LITETRACE_DB=str(store), OTEL_BSP_SCHEDULE_DELAY="100", LITETRACE_METRIC_INTERVAL_MS="500", **env,
    )
    environment.pop("LITETRACE_ENABLED", None)
    command = [executable, "--config", str(config), "--host", "127.0.0.1", "--port", str(port), *extra_args]
    log = folder / "proxy.log"
    base = f"http://127.0.0.1:{port}"
    with backend("litellm-proxy", command, log, env=environment, cwd=folder) as server:
        wait_for(lambda: get_status(f"{base}/health/liveliness") == 200, STARTUP_TIMEOUT_S,
                 "the LiteLLM proxy did not become ready", interval=0.5, alive=server.died)
        yield Proxy(base, store, server, log)


def stored_spans(store: Path) -> list[dict[str, Any]]:
    """Every span in the store, its attributes parsed."""
    if not store.exists():
        return []
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5) as db:
        db.row_factory = sqlite3.Row
        try:
            rows = [dict(row) for row in db.execute("SELECT * FROM spans")]
        except sqlite3.OperationalError:  # the schema is not written yet
            return []
    for row in rows:
        row["attributes"] = json.loads(row["attributes"] or "{}")
    return rows


def llm_spans(store: Path) -> list[dict[str, Any]]:
    return [span for span in stored_spans(store) if "llm.litellm.call_id" in span["attributes"]]


def spans_for(store: Path, call_id: str) -> list[dict[str, Any]]:
    return [span for span in llm_spans(store) if span["attributes"]["llm.litellm.call_id"] == call_id]


def wait_for_spans(store: Path, enough: Callable[[list[dict[str, Any]]], bool], what: str,
                   timeout: float = ARRIVAL_TIMEOUT_S) -> list[dict[str, Any]]:
    """LLM spans once ``enough`` says so; then a short settle, so a duplicate would show too."""
    found = wait_for(lambda: (spans if enough(spans := llm_spans(store)) else None), timeout, what)
    time.sleep(0.5)
    return llm_spans(store) or found


def one_span(store: Path, call_id: str) -> dict[str, Any]:
    """The single LLM span of a request (fails on none or several)."""
    wait_for_spans(store, lambda spans: any(s["attributes"]["llm.litellm.call_id"] == call_id for s in spans),
                   f"no span for call {call_id}")
    found = spans_for(store, call_id)
    assert len(found) == 1, found
    return found[0]


def proxy_free_of(texts: list[str], proxy: Proxy) -> None:
    """None of ``texts`` in any byte of the store (and its WAL)."""
    for path in proxy.store.parent.glob(proxy.store.name + "*"):
        data = path.read_bytes()
        for text in texts:
            assert text.encode() not in data, f"{text[:8]}... found in {path.name}"

