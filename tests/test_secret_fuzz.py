"""Secret fuzz: no secret a call carries reaches any telemetry, whatever its error quotes.

Over both span paths (the wrapper's; and the callback's, for a ``completion`` bound before
``instrument()``), sync, async, streamed sync and async, content capture off and on: every
placement (secrets_cases.PLACEMENTS) x every way an error quotes it (a mocked exception in
seven forms; and, for what travels on the wire, the local provider echoing the whole request
back). Checked: every exported span (attributes, events, status), every metric point, the
raw bytes of the SQLite store the spans and metrics were exported to, the text report and
the dashboard. A control shows each case's own error really quoted its secret.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import litellm
import pytest
from litellm import acompletion as early_acompletion  # bound before instrument(): the callback makes the span
from litellm import completion as early_completion
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from secret_cases import FORMS, PLACEMENTS, RECORDED_WITHOUT_A_REQUEST, Case, build, leaks
from support import adrain, drain

from litetrace import Instrumentor
from litetrace.attributes import names as n
from litetrace.instrumentation.callback import LitetraceCallback
from litetrace.instrumentation.wrappers import INSIDE_CALL
from litetrace.report import report_text, write_dashboard
from litetrace.report.dashboard import _plotly_js
from litetrace.store.exporter import DELTA_TEMPORALITY, SQLiteMetricExporter, SQLiteSpanExporter
from litetrace.store.reader import load_spans

SEED = int(os.environ.get("LITETRACE_FUZZ_SEED", "20261204"))
PATHS = ("wrapper", "callback")
MODES = ("sync", "async", "stream", "astream")
GROUPS = [f"{path}-{mode}-{capture}" for path in PATHS for mode in MODES for capture in ("off", "on")]


@dataclass
class Group:
    """One (path, mode, capture) run: its cases, what they raised, what was exported."""

    name: str
    cases: list[Case]
    raised: dict[str, str]  # case id -> the error's message and traceback, as the caller saw them
    spans: list[ReadableSpan]
    metrics: Any  # MetricsData or None


@dataclass
class Fuzz:
    groups: dict[str, Group]
    store: Path
    seconds: float
    built_by_callback: set[str]  # call ids whose span LiteLLM's callback built

    @property
    def cases(self) -> list[Case]:
        return [case for group in self.groups.values() for case in group.cases]


def _instrument(capture: bool) -> tuple[Instrumentor, InMemorySpanExporter, InMemoryMetricReader]:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader(preferred_temporality=DELTA_TEMPORALITY)
    instrumentor = Instrumentor()
    instrumentor.instrument(tracer_provider=tracer_provider, meter_provider=MeterProvider(metric_readers=[reader]),
                            capture_content=capture)  # fmt: skip
    return instrumentor, exporter, reader


def _failure_text(error: BaseException) -> str:
    return str(error) + "\n" + "".join(traceback.format_exception(type(error), error, error.__traceback__))


def _run_sync(cases: list[Case], path: str, stream: bool) -> dict[str, str]:
    raised: dict[str, str] = {}
    for case in cases:
        function = litellm.completion if path == "wrapper" else early_completion
        unseen = INSIDE_CALL.set(path == "callback")
        try:
            result = function(**case.kwargs, stream=stream)
            for _ in result if stream else ():
                pass
        except Exception as error:
            raised[case.ident] = _failure_text(error)
        finally:
            INSIDE_CALL.reset(unseen)
    drain()
    return raised


async def _run_async(cases: list[Case], path: str, stream: bool) -> dict[str, str]:
    raised: dict[str, str] = {}
    for case in cases:
        function = litellm.acompletion if path == "wrapper" else early_acompletion
        unseen = INSIDE_CALL.set(path == "callback")
        try:
            result = await function(**case.kwargs, stream=stream)
            if stream:
                async for _ in result:
                    pass
        except Exception as error:
            raised[case.ident] = _failure_text(error)
        finally:
            INSIDE_CALL.reset(unseen)
    await adrain()
    return raised


def mocked(path: str) -> list[str]:
    """Placements quoted by a mocked exception: every one on the wrapper's path (it holds the
    call's own arguments); on the callback's, those LiteLLM records without sending a request."""
    return list(PLACEMENTS) if path == "wrapper" else RECORDED_WITHOUT_A_REQUEST


def echoed(path: str, mode: str) -> list[str]:
    """Placements the local provider's echo quotes: those the request carries (twice each on the
    callback's path, where the echo is the only quote of headers and api_base). LiteLLM's async
    client (aiohttp) refuses credentials in the URL before sending anything."""
    wire = [name for name, (_, on_wire) in PLACEMENTS.items() if on_wire]
    wire = [name for name in wire if not (mode.startswith("a") and name == "api_base userinfo")]
    return wire * (2 if path == "callback" else 1)


def _run_group(name: str, turn: int, rng: random.Random, base_url: str) -> Group:
    path, mode, capture = name.split("-")
    cases = build(name, turn, rng, base_url, mocked(path), echoed(path, mode))
    instrumentor, exporter, reader = _instrument(capture == "on")
    try:
        stream = mode in ("stream", "astream")
        if mode.startswith("a"):
            raised = asyncio.run(_run_async(cases, path, stream))
        else:
            raised = _run_sync(cases, path, stream)
        drain()
        spans = [s for s in exporter.get_finished_spans() if s.instrumentation_scope.name.startswith("litetrace")]
        metrics = reader.get_metrics_data()
    finally:
        instrumentor.uninstrument()
    return Group(name, cases, raised, spans, metrics)


@pytest.fixture(scope="module")
def fuzz(provider: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzz]:
    store = tmp_path_factory.mktemp("secret-fuzz") / "store.db"
    span_exporter, metric_exporter = SQLiteSpanExporter(store), SQLiteMetricExporter(store)
    rng = random.Random(SEED)
    built: set[str] = set()
    original = LitetraceCallback._span_from_payload

    def counted(self: Any, kwargs: dict[str, Any], *args: Any) -> None:
        built.add(str(kwargs.get("litellm_call_id")))
        original(self, kwargs, *args)

    LitetraceCallback._span_from_payload = counted  # type: ignore[method-assign]  # restored below
    started = time.perf_counter()
    groups: dict[str, Group] = {}
    try:
        for turn, name in enumerate(GROUPS):
            group = groups[name] = _run_group(name, turn, rng, provider.base_url)
            span_exporter.export(group.spans)
            if group.metrics is not None:
                metric_exporter.export(group.metrics)
    finally:
        LitetraceCallback._span_from_payload = original  # type: ignore[method-assign]
        span_exporter.shutdown()
        metric_exporter.shutdown()
    yield Fuzz(groups, store, time.perf_counter() - started, built)


def _describe(found: dict[str, list[str]], cases: list[Case]) -> list[str]:
    by_id = {case.ident: case for case in cases}
    return [f"{ident} ({by_id[ident].placement} / {by_id[ident].shape} / {by_id[ident].form}): {sorted(set(needles))[:3]}"
            for ident, needles in sorted(found.items())]  # fmt: skip


def test_the_fuzz_covers_both_paths_every_mode_placement_and_form(fuzz):
    cases = fuzz.cases
    assert len(cases) >= 1000
    for name, group in fuzz.groups.items():
        path, mode, _ = name.split("-")
        assert {case.placement for case in group.cases} == set(mocked(path)) | set(echoed(path, mode)), name
        assert {case.placement for case in group.cases if case.form != "echo"} == set(mocked(path)), name
        assert {case.placement for case in group.cases if case.form == "echo"} == set(echoed(path, mode)), name
    for path in PATHS:  # each path's groups go through every placement and every (placement, form) it mocks
        pairs = {(c.placement, c.form) for name, g in fuzz.groups.items() if name.startswith(path) for c in g.cases}
        assert pairs >= {(p, f) for p in mocked(path) for f in FORMS}, path
        assert {placement for placement, _ in pairs} == set(PLACEMENTS), path
    print(f"secret fuzz: {len(cases)} cases in {fuzz.seconds:.1f} s (seed {SEED})")


def test_every_case_failed_with_an_error_quoting_its_secret(fuzz):
    # The control: the user's exception carries the secret, so each case gives the scrubber work.
    missing = []
    for group in fuzz.groups.values():
        for case in group.cases:
            text = group.raised.get(case.ident)
            if text is None or case.ident not in leaks(text, [case]):
                missing.append(f"{group.name} {case.ident} {case.placement} / {case.form}: {'raised' if text else 'no error'}")
    assert missing == []


@pytest.mark.parametrize("name", GROUPS)
def test_every_case_made_exactly_one_failed_span(fuzz, name):
    group = fuzz.groups[name]
    by_call: dict[str, list[ReadableSpan]] = {}
    for span in group.spans:
        by_call.setdefault(str(span.attributes.get(n.CALL_ID)), []).append(span)
    for case in group.cases:
        spans = by_call.get(case.ident, [])
        assert len(spans) == 1, (case.ident, case.placement, case.form, len(spans))
        # The path under test made it: the wrapper, or the callback for a call no wrapper saw.
        assert (case.ident in fuzz.built_by_callback) == name.startswith("callback"), case.ident
        assert spans[0].status.status_code is StatusCode.ERROR
        assert spans[0].attributes.get("llm.error.message"), case.ident


@pytest.mark.parametrize("name", GROUPS)
def test_no_secret_in_any_exported_span_or_metric_point(fuzz, name):
    group = fuzz.groups[name]
    exported = "\n".join(span.to_json() for span in group.spans)
    exported += group.metrics.to_json() if group.metrics is not None else ""
    assert _describe(leaks(exported, group.cases), group.cases) == []


def test_no_secret_in_any_byte_of_the_store(fuzz):
    written = b"".join(path.read_bytes() for path in fuzz.store.parent.iterdir() if path.name.startswith(fuzz.store.name))
    assert len(load_spans(fuzz.store, llm_only=False)) == sum(len(group.spans) for group in fuzz.groups.values())
    assert _describe(leaks(written.decode("latin-1"), fuzz.cases), fuzz.cases) == []


def test_no_secret_in_the_report_or_the_dashboard(fuzz, tmp_path):
    report = report_text(fuzz.store)
    assert "errors" in report
    # The page as `litetrace report` writes it: spans with their attributes (the session and user tables), traces.
    # Plotly's own script is 3.5 MB of library code: the page around it is what the store's data made.
    page = write_dashboard(tmp_path / "fuzz.html", fuzz.store).read_text(encoding="utf-8").replace(_plotly_js(), "")
    assert 'id="cost-by-user"' in page
    assert "<html" in page.lower()
    assert _describe(leaks(report + page, fuzz.cases), fuzz.cases) == []
