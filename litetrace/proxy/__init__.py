"""The LiteLLM proxy: one line in its ``config.yaml`` instruments it.

```yaml
litellm_settings:
  callbacks: ["litetrace.proxy.callback"]
```

The proxy resolves a dotted ``callbacks`` entry with ``get_instance_fn`` (``module.attribute``,
``litellm/proxy/types_utils/utils.py``). Reading ``litetrace.proxy.callback`` runs ``setup()``
once per worker process, with its exporter settings from the environment (``LITETRACE_EXPORTER``,
``LITETRACE_DB``, ``OTEL_EXPORTER_OTLP_*``), and returns the proxy's hooks: incoming trace context,
the trace id in the response headers, client disconnects.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "callback":
        from litetrace.proxy.loader import load

        return load()
    raise AttributeError(f"module 'litetrace.proxy' has no attribute {name!r}")
