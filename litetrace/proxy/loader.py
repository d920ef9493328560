"""Set litetrace up inside a proxy worker, once, from the environment."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

logger = logging.getLogger("litetrace")
DEFAULT_SERVICE_NAME = "litellm-proxy"
# Off by default: global providers switch on FastAPI's native telemetry in the proxy (a SERVER span and
# three operation spans per request, plus HTTP metrics), which costs each request more than litetrace does.
SET_GLOBAL_ENV = "LITETRACE_SET_GLOBAL"

_lock = threading.Lock()
_loaded: dict[int, Any] = {}  # pid -> the hooks instance: a forked worker sets itself up again


def load() -> Any:
    """The proxy hooks for ``litellm.callbacks``; the first call in a process runs ``setup()``."""
    pid = os.getpid()
    with _lock:
        hooks = _loaded.get(pid)
        if hooks is None:
            hooks = _load()
            _loaded[pid] = hooks
        return hooks


def _load() -> Any:
    import litetrace
    from litetrace.instrumentation import LiteLLMInstrumentor
    from litetrace.proxy.hooks import ProxyHooks
    from litetrace.settings import env_flag

    if not LiteLLMInstrumentor().is_instrumented_by_opentelemetry:  # under `litetrace run` it already is
        try:
            service = os.environ.get("OTEL_SERVICE_NAME") or DEFAULT_SERVICE_NAME
            litetrace.setup(service_name=service, set_global=env_flag(SET_GLOBAL_ENV, False))
        except Exception:  # the proxy must start even when telemetry cannot
            logger.warning("litetrace: setup failed, the proxy runs untraced", exc_info=True)
    return ProxyHooks()
