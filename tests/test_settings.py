"""Settings: one table of every variable; bad environment values warn once and fall back; bad arguments raise."""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import litellm
import pytest
import wrapt

import litetrace
from litetrace import settings
from litetrace.settings import Settings, env

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FLAGS = [option.variable for option in settings.OPTIONS if option.parse is settings.parse_flag]
SPELLINGS = [("1", True), ("0", False), ("true", True), ("FALSE", False), ("Yes", True), ("no", False),
             ("ON", True), ("off", False), (" true ", True)]


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No variable of the table set, and no value remembered as already warned about."""
    for name in settings.VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(settings, "_warned", set())
    yield
    instrumentor = litetrace.Instrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()


def warnings_about(caplog: pytest.LogCaptureFixture, variable: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and variable in r.getMessage()]


# --- the table and the README --------------------------------------------------------------


@pytest.mark.parametrize("scope", [settings.INSTRUMENT, settings.SETUP, settings.PROXY])
def test_readme_configuration_tables_are_generated_from_the_settings_table(scope):
    text = README.read_text(encoding="utf-8")
    tag = scope.rstrip("()")
    begin = text.index("\n", text.index(f"<!-- settings:{tag}:begin")) + 1
    end = text.index(f"<!-- settings:{tag}:end -->")
    assert text[begin:end].strip() == settings.markdown(scope).strip()


def test_every_environment_variable_the_package_names_is_in_the_table():
    named = set()
    for path in (ROOT / "litetrace").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"(LITETRACE|OTEL)_[A-Z_]+", node.value):
                named.add(node.value)
    assert named, "the scan found no variable names"
    assert named <= set(settings.VARIABLES), named - set(settings.VARIABLES)


def test_every_variable_has_a_default_allowed_values_and_a_doc():
    for option in settings.OPTIONS:
        assert option.allowed and option.doc and option.shown_default and option.scope in (settings.INSTRUMENT, settings.SETUP, settings.PROXY)


# --- booleans ------------------------------------------------------------------------------


@pytest.mark.parametrize("variable", FLAGS)
@pytest.mark.parametrize("text, expected", SPELLINGS)
def test_boolean_variables_accept_the_usual_spellings(monkeypatch, caplog, variable, text, expected):
    monkeypatch.setenv(variable, text)
    assert env(variable) is expected
    assert not warnings_about(caplog, variable)


@pytest.mark.parametrize("variable", FLAGS)
@pytest.mark.parametrize("text", ["enabled", "y", "2", "disable"])
def test_a_boolean_variable_with_another_value_warns_once_and_keeps_its_default(monkeypatch, caplog, variable, text):
    monkeypatch.setenv(variable, text)
    default = settings.VARIABLES[variable].default
    assert env(variable) is default
    assert env(variable) is default
    found = warnings_about(caplog, variable)
    assert len(found) == 1
    assert repr(text) in found[0] and "1/0, true/false, yes/no, on/off" in found[0]


def test_litetrace_enabled_enabled_no_longer_silently_disables_setup(monkeypatch, caplog, tmp_path):
    monkeypatch.setenv("LITETRACE_ENABLED", "enabled")
    built = litetrace.setup(exporter="none", store_path=str(tmp_path / "s.db"))
    try:
        assert built.tracer_provider is not None and isinstance(litellm.completion, wrapt.FunctionWrapper)
    finally:
        built.shutdown()
    assert len(warnings_about(caplog, "LITETRACE_ENABLED")) == 1


def test_litetrace_batch_y_no_longer_silently_turns_batching_off(monkeypatch, caplog):
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    monkeypatch.setenv("LITETRACE_BATCH", "y")
    built = litetrace.setup(exporter="console", instrument=False)
    try:
        processors = built.tracer_provider._active_span_processor._span_processors
        assert processors and all(isinstance(p, BatchSpanProcessor) for p in processors)
    finally:
        built.shutdown()
    assert len(warnings_about(caplog, "LITETRACE_BATCH")) == 1


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize("variable, text", [
    *((variable, text) for variable in ("LITETRACE_CALLBACK_DEADLINE", "LITETRACE_CONTENT_MAX_LENGTH")
      for text in ("nan", "inf", "-inf", "-1", "abc")),
    ("LITETRACE_CALLBACK_DEADLINE", "1e300"),  # would overflow the deadline thread's wait
])
def test_instrument_with_a_bad_number_in_the_environment_warns_and_uses_the_default(
    monkeypatch, caplog, telemetry_factory, variable, text
):
    monkeypatch.setenv(variable, text)
    captured = telemetry_factory()  # must not raise: under opentelemetry-instrument it would abort start-up
    resolved = captured.instrumentor.recorder.settings
    assert (resolved.callback_deadline, resolved.content_max_length) == (Settings.callback_deadline, Settings.content_max_length)
    assert len(warnings_about(caplog, variable)) == 1


def test_good_numbers_in_the_environment_are_used(monkeypatch):
    monkeypatch.setenv("LITETRACE_CALLBACK_DEADLINE", "0.25")
    monkeypatch.setenv("LITETRACE_CONTENT_MAX_LENGTH", "100")
    resolved = Settings.resolve()
    assert (resolved.callback_deadline, resolved.content_max_length) == (0.25, 100)


@pytest.mark.parametrize("variable, default", [("LITETRACE_METRIC_INTERVAL_MS", 10_000), ("LITETRACE_PROMETHEUS_PORT", 9464)])
@pytest.mark.parametrize("text", ["abc", "nan", "-5", "1e300"])
def test_a_bad_interval_or_port_warns_and_uses_the_default(monkeypatch, caplog, variable, default, text):
    monkeypatch.setenv(variable, text)
    assert env(variable) == default
    assert len(warnings_about(caplog, variable)) == 1


def test_setup_with_a_bad_metric_interval_in_the_environment_starts_with_the_default(monkeypatch, caplog):
    monkeypatch.setenv("LITETRACE_METRIC_INTERVAL_MS", "abc")
    built = litetrace.setup(exporter="console", instrument=False)
    try:
        reader = built.meter_provider._metric_readers[0]
        assert reader._export_interval_millis == 10_000
    finally:
        built.shutdown()
    assert len(warnings_about(caplog, "LITETRACE_METRIC_INTERVAL_MS")) == 1


def test_an_unknown_exporter_in_the_environment_warns_and_falls_back(monkeypatch, caplog, tmp_path):
    monkeypatch.setenv("LITETRACE_EXPORTER", "jaeger")
    built = litetrace.setup(store_path=str(tmp_path / "s.db"), instrument=False)
    try:
        assert built.exporters == ["sqlite"]
    finally:
        built.shutdown()
    assert len(warnings_about(caplog, "LITETRACE_EXPORTER")) == 1


def test_an_unknown_otlp_protocol_in_the_environment_warns_and_uses_http(monkeypatch, caplog):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
    from litetrace.setup.exporters import _protocol

    assert _protocol(None) == "http/protobuf"
    assert len(warnings_about(caplog, "OTEL_EXPORTER_OTLP_PROTOCOL")) == 1


def test_a_warning_names_the_variable_the_value_and_what_is_allowed(monkeypatch, caplog):
    monkeypatch.setenv("LITETRACE_CONTENT_MAX_LENGTH", "lots")
    env("LITETRACE_CONTENT_MAX_LENGTH")
    (message,) = warnings_about(caplog, "LITETRACE_CONTENT_MAX_LENGTH")
    assert "LITETRACE_CONTENT_MAX_LENGTH='lots'" in message and "a whole number >= 0" in message and "8192" in message


# --- arguments raise -----------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, error", [
    ({"capture_content": "sometimes"}, ValueError),
    ({"genai_attributes": 1}, TypeError),
    ({"capture_content": 1}, TypeError),
    ({"content_max_length": -1}, ValueError),
    ({"content_max_length": 10.5}, TypeError),
    ({"callback_deadline": float("nan")}, ValueError),
    ({"callback_deadline": float("inf")}, ValueError),
    ({"callback_deadline": -0.1}, ValueError),
    ({"callback_deadline": 1e300}, ValueError),
    ({"callback_deadline": "5"}, TypeError),
])
def test_a_bad_argument_to_instrument_raises_and_patches_nothing(kwargs, error):
    with pytest.raises(error):
        litetrace.Instrumentor().instrument(**kwargs)
    assert not isinstance(litellm.completion, wrapt.FunctionWrapper)


@pytest.mark.parametrize("kwargs, error", [
    ({"batch": "no"}, TypeError),
    ({"enabled": "false"}, TypeError),
    ({"metric_export_interval_ms": 0}, ValueError),
    ({"metric_export_interval_ms": 10**12}, ValueError),
    ({"metric_export_interval_ms": "1000"}, TypeError),
    ({"exporter": 5}, TypeError),
    ({"exporter": "sqlite,jaeger"}, ValueError),
    ({"exporter": "otlp", "otlp_protocol": "http/json"}, ValueError),
])
def test_a_bad_argument_to_setup_raises_and_patches_nothing(kwargs: dict[str, Any], error, tmp_path):
    with pytest.raises(error):
        litetrace.setup(store_path=str(tmp_path / "s.db"), **kwargs)
    assert not isinstance(litellm.completion, wrapt.FunctionWrapper)
