"""Every setting litetrace reads from the environment, in one table, and the instrumentation settings.

A bad environment value never stops the application (under ``opentelemetry-instrument`` an
exception in ``instrument()`` aborts start-up): it is logged once at WARNING, naming the
variable, the value and what is allowed, and the default is used. A bad *argument* to
``instrument()`` or ``setup()`` raises. The README's configuration tables are generated from
``OPTIONS`` (``python -m litetrace.settings``; tests/test_settings.py keeps them in step).
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("litetrace")

CAPTURE_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
GENAI_ATTRIBUTES_ENV = "LITETRACE_GENAI_ATTRIBUTES"
CONTENT_MAX_LENGTH_ENV = "LITETRACE_CONTENT_MAX_LENGTH"
CALLBACK_DEADLINE_ENV = "LITETRACE_CALLBACK_DEADLINE"
CHUNK_GAP_METRICS_ENV = "LITETRACE_CHUNK_GAP_METRICS"
TOKEN_HISTOGRAMS_ENV = "LITETRACE_TOKEN_HISTOGRAMS"
SEMCONV_ENV = "LITETRACE_SEMCONV"
EMIT_EVENT_ENV = "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT"
WORKFLOW_METRIC_DIMENSION_ENV = "LITETRACE_WORKFLOW_METRIC_DIMENSION"
THREAD_CONTEXT_ENV = "LITETRACE_THREAD_CONTEXT"
PROPAGATE_TO_PROVIDER_ENV = "LITETRACE_PROPAGATE_TO_PROVIDER"
SET_GLOBAL_ENV = "LITETRACE_SET_GLOBAL"
EXPORTERS_ENV = "LITETRACE_EXPORTER"
STORE_ENV = "LITETRACE_DB"
ENABLED_ENV = "LITETRACE_ENABLED"
BATCH_ENV = "LITETRACE_BATCH"
METRIC_INTERVAL_ENV = "LITETRACE_METRIC_INTERVAL_MS"
PROMETHEUS_PORT_ENV = "LITETRACE_PROMETHEUS_PORT"
PROMETHEUS_HOST_ENV = "LITETRACE_PROMETHEUS_HOST"
SERVICE_NAME_ENV = "OTEL_SERVICE_NAME"
LITELLM_EXPORTER_ENV = "OTEL_EXPORTER"
LITELLM_ENDPOINT_ENV = "OTEL_ENDPOINT"
LITELLM_HEADERS_ENV = "OTEL_HEADERS"
OTLP_ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
OTLP_HEADERS_ENV = "OTEL_EXPORTER_OTLP_HEADERS"
OTLP_PROTOCOL_ENV = "OTEL_EXPORTER_OTLP_PROTOCOL"
OTLP_TIMEOUT_ENV = "OTEL_EXPORTER_OTLP_TIMEOUT"

KNOWN_EXPORTERS = ("sqlite", "console", "otlp", "prometheus", "none")
OTLP_PROTOCOLS = ("http/protobuf", "grpc")
INSTRUMENT = "instrument()"
SETUP = "setup()"
PROXY = "proxy"
SEMCONV_MODES = ("stable", "current", "both")
CAPTURE_MODES = ("NO_CONTENT", "SPAN_ONLY", "EVENT_ONLY", "SPAN_AND_EVENT")

# Longest waits accepted: larger ones overflow the timeouts of threading's waits.
MAX_CALLBACK_DEADLINE_S = 3600.0
MAX_METRIC_INTERVAL_MS = 86_400_000

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


# -- parsers: text -> value, ValueError when the text is not allowed -------------------------


def parse_flag(text: str) -> bool:
    """1/0, true/false, yes/no, on/off, in any case."""
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(text)


def _number(minimum: float, integer: bool, maximum: float = math.inf, above: bool = False) -> Callable[[str], Any]:
    """A parser for a finite number >= ``minimum`` (> with ``above``), <= ``maximum``; truncated when ``integer``."""

    def parse(text: str) -> Any:
        value = float(text)
        if not math.isfinite(value) or value < minimum or (above and value == minimum) or value > maximum:
            raise ValueError(text)
        return int(value) if integer else value

    return parse


def _text(text: str) -> str:
    return text.strip()


def parse_exporters(text: str) -> list[str]:
    """Comma-separated exporter names, each one of ``KNOWN_EXPORTERS``."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not names or any(name not in KNOWN_EXPORTERS for name in names):
        raise ValueError(text)
    return names


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in allowed:
            raise ValueError(text)
        return value

    return parse


def _capture_mode(text: str) -> str:
    from litetrace.attributes.capture import mode_of

    return mode_of(text)


@dataclass(frozen=True)
class Option:
    """One setting: its environment variable and/or argument, what it accepts, its default."""

    variable: str | None
    argument: str | None
    scope: str
    default: Any
    shown_default: str
    allowed: str
    doc: str
    parse: Callable[[str], Any] = _text


_FLAG = "1/0, true/false, yes/no, on/off"

OPTIONS: tuple[Option, ...] = (
    # instrument()
    Option(CAPTURE_CONTENT_ENV, "capture_content", INSTRUMENT, "NO_CONTENT", "`NO_CONTENT`",
           ", ".join(CAPTURE_MODES) + " (any case), or a boolean (true = SPAN_ONLY)",
           "OpenTelemetry's GenAI content modes. On the span: `gen_ai.input.messages` / `gen_ai.output.messages`, "
           "`gen_ai.system_instructions`, `gen_ai.tool.definitions` (JSON, size-capped; inline base64 replaced by "
           "`[base64 omitted: N bytes]`); in events: the `gen_ai.client.inference.operation.details` event. Forced off by "
           '`litellm.turn_off_message_logging`; per call `metadata={"mask_input": True}` / `{"mask_output": True}`',
           _capture_mode),
    Option(EMIT_EVENT_ENV, None, INSTRUMENT, None, "from the mode", _FLAG,
           "overrides whether the details event is emitted (as in OpenTelemetry's GenAI utilities)", parse_flag),
    Option(SEMCONV_ENV, "semconv", INSTRUMENT, "stable", "`stable`", ", ".join(SEMCONV_MODES),
           "which GenAI conventions: `stable` (today's names), `current` (the newest, from semantic-conventions-genai) "
           "or `both` (dual emission while dashboards migrate); `llm.*` is the same in every mode",
           lambda text: _choice(*SEMCONV_MODES)(text)),
    Option(WORKFLOW_METRIC_DIMENSION_ENV, "workflow_metric_dimension", INSTRUMENT, False, "off", _FLAG,
           "add `gen_ai.workflow.name` to the LLM call metrics' dimensions (one series per workflow)", parse_flag),
    Option(THREAD_CONTEXT_ENV, "thread_context", INSTRUMENT, True, "on", _FLAG,
           "switch on `opentelemetry-instrumentation-threading` (context into threads and thread pools)", parse_flag),
    Option(None, "logger_provider", INSTRUMENT, None, "global", "SDK LoggerProvider",
           "where the details event goes (the OpenTelemetry logs API)"),
    Option(CONTENT_MAX_LENGTH_ENV, "content_max_length", INSTRUMENT, 8192, "8192", "a whole number >= 0",
           "cap on each captured content attribute (characters)", _number(0, integer=True)),
    Option(GENAI_ATTRIBUTES_ENV, "genai_attributes", INSTRUMENT, True, "on", _FLAG,
           "also write the OpenTelemetry GenAI `gen_ai.*` twins of the `llm.*` keys", parse_flag),
    Option(CALLBACK_DEADLINE_ENV, "callback_deadline", INSTRUMENT, 5.0, "5 s", "seconds, 0 to 3600",
           "how long a finished stream's span waits for LiteLLM's callback (cost)",
           _number(0, integer=False, maximum=MAX_CALLBACK_DEADLINE_S)),
    Option(CHUNK_GAP_METRICS_ENV, "chunk_gap_metrics", INSTRUMENT, False, "off", _FLAG,
           "record `time_per_output_chunk` once per chunk gap (semconv) instead of once per stream; costs one SDK "
           "histogram record (~9 µs) per chunk", parse_flag),
    Option(TOKEN_HISTOGRAMS_ENV, "token_histograms", INSTRUMENT, False, "off", _FLAG,
           "under `semconv=current`/`both`: also record the per-call token histograms "
           "`gen_ai.client.inference.operation.{input,output}_tokens` and `gen_ai.client.embeddings.operation.input_tokens` "
           "(percentiles); two more SDK records (~200 k instructions) per call", parse_flag),
    Option(None, "tracer_provider, meter_provider", INSTRUMENT, None, "global", "SDK providers",
           "where spans and metrics go (and the decorators' spans)"),
    # the LiteLLM proxy (litetrace.proxy.callback)
    Option(PROPAGATE_TO_PROVIDER_ENV, None, PROXY, False, "off", _FLAG,
           "send the LLM span's `traceparent` to the provider (self-hosted vLLM/TGI that trace themselves)", parse_flag),
    Option(SET_GLOBAL_ENV, None, PROXY, False, "off", _FLAG,
           "under the proxy config line: also set the global providers (FastAPI then adds its own request spans)",
           parse_flag),
    # setup()
    Option(EXPORTERS_ENV, "exporter", SETUP, None, "`sqlite`", ", ".join(KNOWN_EXPORTERS) + "; comma-separated",
           "`sqlite` (embedded store), `console`, `otlp`, `prometheus` (metrics), `none`; several, comma-separated",
           parse_exporters),
    Option(STORE_ENV, "store_path", SETUP, None, "`./litetrace.db`", "a file path",
           "the embedded store file (schema: `docs/store-schema.md`); also where `litetrace report` reads"),
    Option(OTLP_ENDPOINT_ENV, "otlp_endpoint", SETUP, None, "exporter default", "a URL",
           "OTLP collector; read by the OTLP exporter itself (and its per-signal variants)"),
    Option(OTLP_PROTOCOL_ENV, "otlp_protocol", SETUP, None, "`http/protobuf`", ", ".join(OTLP_PROTOCOLS),
           "OTLP over HTTP (protobuf) or gRPC", _choice(*OTLP_PROTOCOLS)),
    Option(OTLP_HEADERS_ENV, "otlp_headers", SETUP, None, "none", "`k=v,k2=v2`",
           "OTLP request headers; read by the OTLP exporter itself"),
    Option(OTLP_TIMEOUT_ENV, None, SETUP, 5.0, "5", "seconds, a finite number > 0",
           "OTLP export timeout (so a dead collector does not hold the process at exit)",
           _number(0, integer=False, above=True)),
    Option(LITELLM_EXPORTER_ENV, None, SETUP, None, "unset", "otlp_http, otlp_grpc, console (others ignored)",
           "LiteLLM's variable, honoured when `LITETRACE_EXPORTER` is unset: `otlp_http`/`otlp_grpc` mean `otlp`"),
    Option(LITELLM_ENDPOINT_ENV, None, SETUP, None, "unset", "a URL",
           "LiteLLM's variable: the OTLP endpoint when `OTEL_EXPORTER_OTLP_ENDPOINT` is unset"),
    Option(LITELLM_HEADERS_ENV, None, SETUP, None, "unset", "`k=v,k2=v2`",
           "LiteLLM's variable: OTLP headers when `OTEL_EXPORTER_OTLP_HEADERS` is unset"),
    Option(SERVICE_NAME_ENV, "service_name", SETUP, None, "`litellm-app`", "text",
           "the resource's `service.name` (`resource_attributes=` adds more)"),
    Option(BATCH_ENV, "batch", SETUP, True, "on", _FLAG, "BatchSpanProcessor (off: SimpleSpanProcessor)", parse_flag),
    Option(ENABLED_ENV, "enabled", SETUP, True, "on", _FLAG, "off makes `setup()` a no-op", parse_flag),
    Option(None, "span_postprocess", SETUP, None, "none", "`fn(span) -> span or None`",
           "called on each span before export (drop or replace spans)"),
    Option(None, "set_global", SETUP, False, "False", "bool", "also set the global tracer and meter providers"),
    Option(METRIC_INTERVAL_ENV, "metric_export_interval_ms", SETUP, 10_000, "10000", "a whole number, 1 to 86400000",
           "metric export period (ms)", _number(0, integer=True, maximum=MAX_METRIC_INTERVAL_MS, above=True)),
    Option(PROMETHEUS_PORT_ENV, None, SETUP, 9464, "9464", "a port, 0-65535",
           "port of the Prometheus scrape endpoint", _number(0, integer=True, maximum=65535)),
    Option(PROMETHEUS_HOST_ENV, None, SETUP, "127.0.0.1", "`127.0.0.1`", "an address",
           "address the Prometheus scrape endpoint listens on"),
)
VARIABLES: dict[str, Option] = {option.variable: option for option in OPTIONS if option.variable}

# (variable, value) pairs already warned about: each bad value is reported once.
_warned: set[tuple[str, str]] = set()
_warned_lock = threading.Lock()


def env(variable: str) -> Any:
    """The value of a table variable: parsed, or its default when unset, empty or not allowed (warned once)."""
    option = VARIABLES[variable]
    text = os.environ.get(variable)
    if text is None or not text.strip():
        return option.default
    try:
        return option.parse(text)
    except ValueError:
        with _warned_lock:
            first = (variable, text) not in _warned
            _warned.add((variable, text))
        if first:
            logger.warning("litetrace: %s=%r is not allowed (expected %s); using the default, %s",
                           variable, text, option.allowed, option.shown_default)
        return option.default


def env_flag(name: str, default: bool) -> bool:
    """Read a boolean environment variable (the table's own default wins for a table variable)."""
    if name in VARIABLES:
        return bool(env(name))
    text = os.environ.get(name)
    try:
        return parse_flag(text) if text and text.strip() else default
    except ValueError:
        return default


def check_flag(argument: str, value: object) -> bool:
    """A boolean argument; anything else raises TypeError."""
    if not isinstance(value, bool):
        raise TypeError(f"{argument} must be True or False, got {value!r}")
    return value


def check_number(
    argument: str, value: object, integer: bool = False, above: bool = False, maximum: float = math.inf
) -> Any:
    """A finite number argument >= 0 (> 0 with ``above``), <= ``maximum``; TypeError or ValueError otherwise."""
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise TypeError(f"{argument} must be {'an integer' if integer else 'a number'}, got {value!r}")
    if not math.isfinite(value) or value < 0 or (above and value == 0) or value > maximum:
        raise ValueError(f"{argument} must be a finite number {'>' if above else '>='} 0 and <= {maximum}, got {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """What the instrumentor records."""

    capture_content: bool = False
    genai_attributes: bool = True
    content_max_length: int = 8192
    # How long a finished stream's span waits for LiteLLM's callback (cost, cache hit).
    callback_deadline: float = 5.0
    # Upper bound on calls remembered while waiting for their callback.
    max_pending: int = 10_000
    # gen_ai.client.operation.time_per_output_chunk once per chunk gap, as the semantic
    # conventions describe it, instead of once per stream (its mean gap): one SDK histogram
    # record per chunk, so off by default.
    chunk_gap_metrics: bool = False
    # Under the newest conventions, the per-call token histograms beside the usage counters:
    # two SDK records per call for percentiles, so off by default.
    token_histograms: bool = False
    # gen_ai.workflow.name as a dimension of the LLM call metrics: one series per workflow
    # (cardinality), so off by default.
    workflow_metric_dimension: bool = False
    # Carry the OpenTelemetry context into threads (opentelemetry-instrumentation-threading),
    # so LLM spans of a ThreadPoolExecutor fan-out stay inside their workflow.
    thread_context: bool = True
    # Which GenAI conventions: "stable" (today's names), "current" (the newest) or "both".
    semconv: str = "stable"
    # Content in the gen_ai.client.inference.operation.details event, and whether it is emitted.
    event_content: bool = False
    emit_events: bool = False

    @classmethod
    def resolve(
        cls,
        capture_content: bool | str | None = None,
        genai_attributes: bool | None = None,
        content_max_length: int | None = None,
        callback_deadline: float | None = None,
        chunk_gap_metrics: bool | None = None,
        token_histograms: bool | None = None,
        workflow_metric_dimension: bool | None = None,
        thread_context: bool | None = None,
        semconv: str | None = None,
    ) -> Settings:
        """Arguments (checked: a bad one raises) win over environment variables, which win over defaults."""
        from litetrace.attributes import capture, conventions

        modes = capture.resolve(capture_content)
        return cls(
            capture_content=modes.on_span,
            event_content=modes.on_event,
            emit_events=modes.emit_event,
            semconv=env(SEMCONV_ENV) if semconv is None else conventions.resolve_mode(semconv),
            genai_attributes=_flag_setting("genai_attributes", genai_attributes, GENAI_ATTRIBUTES_ENV),
            content_max_length=env(CONTENT_MAX_LENGTH_ENV) if content_max_length is None
            else check_number("content_max_length", content_max_length, integer=True),
            callback_deadline=env(CALLBACK_DEADLINE_ENV) if callback_deadline is None
            else check_number("callback_deadline", callback_deadline, maximum=MAX_CALLBACK_DEADLINE_S),
            chunk_gap_metrics=_flag_setting("chunk_gap_metrics", chunk_gap_metrics, CHUNK_GAP_METRICS_ENV),
            token_histograms=_flag_setting("token_histograms", token_histograms, TOKEN_HISTOGRAMS_ENV),
            workflow_metric_dimension=_flag_setting(
                "workflow_metric_dimension", workflow_metric_dimension, WORKFLOW_METRIC_DIMENSION_ENV
            ),
            thread_context=_flag_setting("thread_context", thread_context, THREAD_CONTEXT_ENV),
        )


def _flag_setting(argument: str, value: bool | None, variable: str) -> bool:
    return bool(env(variable)) if value is None else check_flag(argument, value)


def markdown(scope: str) -> str:
    """The README's configuration table for ``scope`` (``instrument()``, ``setup()`` or ``proxy``), from ``OPTIONS``."""
    lines = ["| argument / variable | default | allowed | effect |", "|---|---|---|---|"]
    for option in OPTIONS:
        if option.scope != scope:
            continue
        names = [f"`{name.strip()}=`" for name in option.argument.split(",")] if option.argument else []
        if option.variable:
            names.append(f"`{option.variable}`")
        lines.append(f"| {' / '.join(names)} | {option.shown_default} | {option.allowed} | {option.doc} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(INSTRUMENT), end="\n\n")
    print(markdown(SETUP), end="\n\n")
    print(markdown(PROXY))
