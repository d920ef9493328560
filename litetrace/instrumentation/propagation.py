"""Opt-in: the LLM span's W3C context forwarded to the provider (``LITETRACE_PROPAGATE_TO_PROVIDER``).

For self-hosted servers that trace themselves (vLLM, TGI): their server span becomes a child
of litetrace's LLM span, not a sibling. Off by default: a hosted provider has no use for it,
and a header it does not expect is one more thing sent to a third party.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry import propagate
from opentelemetry.context import Context

from litetrace.settings import env_flag

PROPAGATE_ENV = "LITETRACE_PROPAGATE_TO_PROVIDER"


def enabled() -> bool:
    """Read once per ``instrument()``."""
    return env_flag(PROPAGATE_ENV, False)


def inject(kwargs: dict[str, Any], context: Context) -> None:
    """Add ``traceparent`` (and ``tracestate``/``baggage``) to the call's ``extra_headers``; the caller's own win."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=context)
    if not carrier:
        return
    given = kwargs.get("extra_headers")
    headers = dict(given) if isinstance(given, Mapping) else {}
    present = {str(name).lower() for name in headers}
    for name, value in carrier.items():
        if name.lower() not in present:
            headers[name] = value
    kwargs["extra_headers"] = headers
