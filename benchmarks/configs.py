"""How each benchmark configuration is installed in a fresh process.

Every configuration gets the same telemetry pipeline: an SDK ``TracerProvider`` with a
``SimpleSpanProcessor`` into an ``InMemorySpanExporter``, and an SDK ``MeterProvider``
with an ``InMemoryMetricReader`` where the instrumentor takes one. Each instrumentor
runs with its defaults (what a user gets from one ``instrument()`` line): openinference
and Traceloop record message content by default, litetrace does not
(``litetrace+content`` is litetrace with content capture on, for that comparison).

``callback`` is the LiteLLM ``CustomLogger`` the configuration relies on, if any: the
intrinsic harness stubs LiteLLM out, so it delivers LiteLLM's recorded callback payloads
to that object itself, as LiteLLM would after each call.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable

# The configurations, in table order. "none" is the limit: LiteLLM with nothing installed.
CONFIGS = ("none", "litetrace", "openinference", "traceloop", "litellm-otel")
# Extra configurations of the intrinsic run: a plain span (no instrumentor); litetrace with
# content capture on; litetrace with a no-op MeterProvider (how much of its cost is metrics).
INTRINSIC_EXTRA = (
    "floor", "floor+metrics", "litetrace+content", "litetrace-nometrics", "litetrace+current", "litetrace+both",
    "litetrace+current+histograms", "litetrace-nogenai", "litetrace-nothreads", "noop-logger",
)  # fmt: skip
PEERS = ("openinference", "traceloop", "litellm-otel")

LABELS = {
    "none": "no instrumentation",
    "floor": "plain-span floor",
    "floor+metrics": "plain span + litetrace's metric records",
    "litetrace": "litetrace",
    "litetrace+content": "litetrace (content on)",
    "litetrace-nometrics": "litetrace (no MeterProvider)",
    "litetrace+current": 'litetrace (semconv="current")',
    "litetrace+both": 'litetrace (semconv="both")',
    "litetrace+current+histograms": 'litetrace (semconv="current", token_histograms=True)',
    "litetrace-nogenai": "litetrace (genai_attributes=False)",
    "litetrace-nothreads": "litetrace (thread_context=False)",
    "noop-logger": "a no-op LiteLLM CustomLogger",
    "openinference": "openinference LiteLLMInstrumentor",
    "traceloop": "Traceloop opentelemetry-instrumentation-litellm",
    "litellm-otel": 'LiteLLM callbacks=["otel"]',
}

# What must be importable for each configuration (the peers are the `bench` extra).
_REQUIRES = {
    "openinference": ("openinference.instrumentation.litellm", "openinference-instrumentation-litellm"),
    "traceloop": ("opentelemetry.instrumentation.litellm", "opentelemetry-instrumentation-litellm"),
    "litellm-otel": ("litellm.integrations.opentelemetry", "litellm (its OpenTelemetry integration)"),
}


def missing(name: str) -> str | None:
    """Why a configuration cannot run here, or None when it can."""
    module, dist = _REQUIRES.get(name, (None, None))
    if module is None:
        return None
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    return None if found else f"not installed: pip install {dist} (or litetrace[bench])"


@dataclass
class Installed:
    """One installed configuration."""

    name: str
    callback: Any = None
    uninstall: Callable[[], None] = lambda: None
    pending: Callable[[], int] | None = None
    notes: list[str] = field(default_factory=list)


# litetrace's configurations: instrument() arguments beside the providers, over the defaults
# given explicitly (so that no LITETRACE_* variable of the shell changes a configuration).
LITETRACE_DEFAULTS: dict[str, Any] = {
    "capture_content": False, "genai_attributes": True, "thread_context": True, "semconv": "stable", "token_histograms": False,
}  # fmt: skip
LITETRACE_VARIANTS: dict[str, dict[str, Any]] = {
    "litetrace": {},
    "litetrace-nometrics": {},  # with a no-op MeterProvider, below
    "litetrace+content": {"capture_content": True},
    "litetrace-nogenai": {"genai_attributes": False},
    "litetrace-nothreads": {"thread_context": False},
    "litetrace+current": {"semconv": "current"},
    "litetrace+current+histograms": {"semconv": "current", "token_histograms": True},
    "litetrace+both": {"semconv": "both"},
}


def install(name: str, tracer_provider: Any, meter_provider: Any) -> Installed:
    """Install configuration ``name`` on the current LiteLLM bindings (stubbed or real)."""
    if name in ("none", "floor", "floor+metrics"):
        return Installed(name)
    if name == "noop-logger":
        return _install_noop_logger()
    if name in LITETRACE_VARIANTS:
        from litetrace import Instrumentor

        if name == "litetrace-nometrics":
            from opentelemetry.metrics import NoOpMeterProvider

            meter_provider = NoOpMeterProvider()
        instrumentor = Instrumentor()
        instrumentor.instrument(
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
            **{**LITETRACE_DEFAULTS, **LITETRACE_VARIANTS[name]},
        )
        routing = instrumentor._routing
        recorder = instrumentor.recorder
        return Installed(
            name,
            callback=routing.callback if routing is not None else None,
            uninstall=instrumentor.uninstrument,
            pending=lambda: len(recorder.pending),
        )
    if name == "openinference":
        from openinference.instrumentation.litellm import LiteLLMInstrumentor

        instrumentor = LiteLLMInstrumentor()
        instrumentor.instrument(tracer_provider=tracer_provider)
        return Installed(name, uninstall=instrumentor.uninstrument)
    if name == "traceloop":
        from opentelemetry.instrumentation.litellm import LiteLLMInstrumentor

        instrumentor = LiteLLMInstrumentor()
        instrumentor.instrument(tracer_provider=tracer_provider, meter_provider=meter_provider)
        return Installed(name, uninstall=instrumentor.uninstrument)
    if name == "litellm-otel":
        return _install_litellm_otel(tracer_provider, meter_provider)
    raise ValueError(f"unknown configuration {name!r}")


def _install_litellm_otel(tracer_provider: Any, meter_provider: Any) -> Installed:
    """``litellm.callbacks = ["otel"]``, exporting into the shared in-memory pipeline.

    LiteLLM's OpenTelemetry logger uses the global SDK TracerProvider / MeterProvider when
    one is set (``_get_or_create_provider``), so the process's providers are made global
    first; the string is then resolved exactly as LiteLLM resolves it on a call.
    """
    import litellm
    from litellm.litellm_core_utils import litellm_logging
    from opentelemetry import metrics, trace

    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    litellm.callbacks = ["otel"]
    logger = litellm_logging._init_custom_logger_compatible_class("otel", internal_usage_cache=None, llm_router=None)
    notes = []
    if getattr(logger, "_tracer_provider", None) is not tracer_provider:
        notes.append("LiteLLM's otel logger did not pick up the shared TracerProvider")

    def uninstall() -> None:
        litellm.callbacks = []

    return Installed("litellm-otel", callback=logger, uninstall=uninstall, notes=notes)


def _install_noop_logger() -> Installed:
    """A ``CustomLogger`` that does nothing, in ``litellm.callbacks``: what registering any
    logger costs in LiteLLM itself (its logging payload, its callback dispatch)."""
    import litellm
    from litellm.integrations.custom_logger import CustomLogger

    logger = CustomLogger()
    litellm.callbacks = [logger]

    def uninstall() -> None:
        litellm.callbacks = []

    return Installed("noop-logger", callback=logger, uninstall=uninstall)
