"""Intrinsic cost: instrumentation work alone, with LiteLLM's entry points stubbed out.

Run by ``run.py`` once per configuration per round, each time in a fresh process:

    python benchmarks/intrinsic.py --config litetrace [--quick]

1. Records real LiteLLM objects through the local OpenAI-compatible server: one
   ``ModelResponse``, chunk streams of exactly 5 and 52 ``ModelResponseStream`` chunks
   (role chunk, content chunks, finish chunk, usage chunk), and the payloads LiteLLM
   hands its callbacks for each (success) and for a 429 (failure).
2. Replaces ``completion``/``acompletion`` on every module binding litetrace patches
   (``litetrace.instrumentation.targets.MODULES``) with stubs that return those
   ready-made objects: the response, or a fresh ``CustomStreamWrapper`` subclass
   iterating over the ready-made chunks (so ``isinstance`` checks pass for every peer).
3. Installs the configuration on the stubs, then times calls. A configuration that
   relies on a LiteLLM callback (litetrace, LiteLLM's own "otel") gets the recorded
   payload delivered after each call, as LiteLLM would; that time is part of its cost
   and is also reported on its own (``cb_us``).
4. ``floor`` instead times one plain span started with the attributes litetrace wrote
   in that cell (same count, same values) and ended: the OpenTelemetry SDK's own cost.
   ``floor+metrics`` adds the metric measurements litetrace records in that cell (same
   instruments, same dimensions): the SDK's cost for everything litetrace emits.

Prints one JSON object (after ``@@RESULT@@``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import sys
import time
from typing import Any

import common  # noqa: F401  # sets LITELLM_LOCAL_MODEL_COST_MAP before LiteLLM is imported
from common import HTTP_MODEL, MESSAGES, emit, has_ttft, providers

import litellm  # noqa: E402
from litellm.integrations.custom_logger import CustomLogger  # noqa: E402
from litellm.litellm_core_utils.streaming_handler import CustomStreamWrapper  # noqa: E402

import configs  # noqa: E402

STREAM_SIZES = (5, 52)
# (cell name, async?, chunks in the stream or 0, error?)
CELLS = (
    ("sync", False, 0, False),
    ("async", True, 0, False),
    ("sync stream 5", False, 5, False),
    ("sync stream 52", False, 52, False),
    ("async stream 5", True, 5, False),
    ("async stream 52", True, 52, False),
    ("sync error", False, 0, True),
)


# -- recording real LiteLLM objects ------------------------------------------------------


class Recorder(CustomLogger):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.success: list[tuple[Any, ...]] = []
        self.failure: list[tuple[Any, ...]] = []

    def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self.success.append((kwargs, response_obj, start_time, end_time))

    def log_failure_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self.failure.append((kwargs, response_obj, start_time, end_time))


def _wait(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.005)


def record() -> dict[str, Any]:
    """Real LiteLLM responses, chunk streams and callback payloads, from the local server."""
    from litetrace.demo.local_provider import Behavior, LocalProvider

    recorder = Recorder()
    litellm.callbacks = [recorder]
    recorded: dict[str, Any] = {}
    provider = LocalProvider(Behavior(chunk_count=5)).start()
    try:
        common_kwargs = {"model": HTTP_MODEL, "messages": MESSAGES, "api_base": provider.openai_base, "api_key": "sk-bench"}
        response = litellm.completion(**common_kwargs)
        _wait(lambda: len(recorder.success) >= 1)
        recorded["response"] = response
        recorded["payload"] = recorder.success[-1]
        for size in STREAM_SIZES:
            content = size - 3  # + role chunk, finish chunk, usage chunk
            words = " ".join(f"word{i}" for i in range(content))
            before = len(recorder.success)
            with provider.configure(chunk_count=content, text=words):
                stream = litellm.completion(**common_kwargs, stream=True, stream_options={"include_usage": True})
                chunks = list(stream)
            if len(chunks) != size:
                raise SystemExit(f"recorded a stream of {len(chunks)} chunks, wanted {size}")
            _wait(lambda before=before: len(recorder.success) > before)
            recorded[f"chunks{size}"] = chunks
            recorded[f"stream_hidden{size}"] = dict(getattr(stream, "_hidden_params", {}) or {})
            recorded[f"payload{size}"] = recorder.success[-1]
        with provider.configure(error_status=429):
            try:
                litellm.completion(**common_kwargs, num_retries=0)
            except Exception as error:  # noqa: BLE001
                recorded["error"] = error
        _wait(lambda: len(recorder.failure) >= 1)
        recorded["failure"] = recorder.failure[-1]
    finally:
        provider.stop()
        for name in ("callbacks", "success_callback", "failure_callback", "_async_success_callback", "_async_failure_callback"):
            items = getattr(litellm, name, None)
            if isinstance(items, list):
                items[:] = [item for item in items if item is not recorder]
    return recorded


# -- stubs ---------------------------------------------------------------------------------


class StubStream(CustomStreamWrapper):  # type: ignore[misc]
    """A ``CustomStreamWrapper`` over ready-made chunks: no LiteLLM work per chunk."""

    def __init__(self, chunks: list[Any], hidden: dict[str, Any]) -> None:  # no super(): nothing to set up
        self._chunks = chunks
        self._i = 0
        self.model = "gpt-4o-mini"
        self.custom_llm_provider = "openai"
        self.logging_obj = None
        self.completion_stream = None
        self._hidden_params = hidden

    def __next__(self) -> Any:
        i = self._i
        if i >= len(self._chunks):
            raise StopIteration
        self._i = i + 1
        return self._chunks[i]

    async def __anext__(self) -> Any:
        i = self._i
        if i >= len(self._chunks):
            raise StopAsyncIteration
        self._i = i + 1
        return self._chunks[i]

    def __del__(self) -> None:
        pass


class Stubs:
    """The state the stubs answer from; the timed loops set ``chunks`` / ``failing``."""

    def __init__(self, recorded: dict[str, Any]) -> None:
        self.recorded = recorded
        self.response = recorded["response"]
        self.chunks: list[Any] = []
        self.hidden: dict[str, Any] = {}
        self.failing = False
        self.fail_callback: Any = None
        self.last_call_id: str | None = None
        self.originals: list[tuple[Any, str, Any]] = []

    def completion(self, *args: Any, **kwargs: Any) -> Any:
        self.last_call_id = kwargs.get("litellm_call_id")
        if self.failing:
            self._fail()
        if kwargs.get("stream"):
            return StubStream(self.chunks, self.hidden)
        return self.response

    async def acompletion(self, *args: Any, **kwargs: Any) -> Any:
        self.last_call_id = kwargs.get("litellm_call_id")
        if self.failing:
            self._fail()
        if kwargs.get("stream"):
            return StubStream(self.chunks, self.hidden)
        return self.response

    def _fail(self) -> None:
        error = self.recorded["error"]
        if self.fail_callback is not None:  # LiteLLM runs failure callbacks before raising
            kwargs, response, start, end = self.recorded["failure"]
            _freshener(kwargs)()
            kwargs["litellm_call_id"] = self.last_call_id or kwargs.get("litellm_call_id")
            self.fail_callback(kwargs=kwargs, response_obj=response, start_time=start, end_time=end)
        error.__traceback__ = None
        raise error

    def install(self) -> None:
        from litetrace.instrumentation.targets import MODULES

        sync_stub, async_stub = self._plain(self.completion), self._plain_async(self.acompletion)
        for module_name in MODULES:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            for name, stub in (("completion", sync_stub), ("acompletion", async_stub)):
                if callable(getattr(module, name, None)):
                    self.originals.append((module, name, getattr(module, name)))
                    setattr(module, name, stub)

    @staticmethod
    def _plain(method: Any) -> Any:
        def completion(*args: Any, **kwargs: Any) -> Any:
            return method(*args, **kwargs)

        return completion

    @staticmethod
    def _plain_async(method: Any) -> Any:
        async def acompletion(*args: Any, **kwargs: Any) -> Any:
            return await method(*args, **kwargs)

        return acompletion


# -- timed loops ---------------------------------------------------------------------------


def _freshener(kwargs: dict[str, Any]) -> Any:
    """Make a replayed payload look like a new request's.

    LiteLLM's OpenTelemetry logger marks the request's metadata once it has emitted its
    span (``litellm_params.metadata._otel_internal``) and skips repeats: drop the mark.
    """
    metadata = (kwargs.get("litellm_params") or {}).get("metadata")
    if not isinstance(metadata, dict):
        return lambda: None
    return lambda: metadata.pop("_otel_internal", None)



def sync_loop(stubs: Stubs, callback: Any, chunks: int, error: bool) -> Any:
    payload = stubs.recorded[f"payload{chunks}" if chunks else "payload"]
    p_kwargs, p_response, p_start, p_end = payload
    recorded_id = p_kwargs.get("litellm_call_id")
    fresh = _freshener(p_kwargs)
    notify = callback.log_success_event if callback is not None else None
    perf = time.perf_counter_ns
    messages = MESSAGES

    if error:
        exc_type = type(stubs.recorded["error"])

        def run(n: int) -> int:
            for _ in range(n):
                try:
                    litellm.completion(model=HTTP_MODEL, messages=messages)
                except exc_type:
                    pass
            return 0

        return run

    if chunks:

        def run(n: int) -> int:
            spent = 0
            for _ in range(n):
                for _chunk in litellm.completion(model=HTTP_MODEL, messages=messages, stream=True):
                    pass
                if notify is not None:
                    fresh()
                    p_kwargs["litellm_call_id"] = stubs.last_call_id or recorded_id
                    t = perf()
                    notify(kwargs=p_kwargs, response_obj=p_response, start_time=p_start, end_time=p_end)
                    spent += perf() - t
            return spent

        return run

    def run(n: int) -> int:
        spent = 0
        for _ in range(n):
            litellm.completion(model=HTTP_MODEL, messages=messages)
            if notify is not None:
                fresh()
                p_kwargs["litellm_call_id"] = stubs.last_call_id or recorded_id
                t = perf()
                notify(kwargs=p_kwargs, response_obj=p_response, start_time=p_start, end_time=p_end)
                spent += perf() - t
        return spent

    return run


def async_loop(stubs: Stubs, callback: Any, chunks: int) -> Any:
    payload = stubs.recorded[f"payload{chunks}" if chunks else "payload"]
    p_kwargs, p_response, p_start, p_end = payload
    recorded_id = p_kwargs.get("litellm_call_id")
    fresh = _freshener(p_kwargs)
    notify = callback.async_log_success_event if callback is not None else None
    perf = time.perf_counter_ns
    messages = MESSAGES

    if chunks:

        async def run(n: int) -> int:
            spent = 0
            for _ in range(n):
                async for _chunk in await litellm.acompletion(model=HTTP_MODEL, messages=messages, stream=True):
                    pass
                if notify is not None:
                    fresh()
                    p_kwargs["litellm_call_id"] = stubs.last_call_id or recorded_id
                    t = perf()
                    await notify(kwargs=p_kwargs, response_obj=p_response, start_time=p_start, end_time=p_end)
                    spent += perf() - t
            return spent

        return run

    async def run(n: int) -> int:
        spent = 0
        for _ in range(n):
            await litellm.acompletion(model=HTTP_MODEL, messages=messages)
            if notify is not None:
                fresh()
                p_kwargs["litellm_call_id"] = stubs.last_call_id or recorded_id
                t = perf()
                await notify(kwargs=p_kwargs, response_obj=p_response, start_time=p_start, end_time=p_end)
                spent += perf() - t
        return spent

    return run


def floor_loop(tracer: Any, name: str, attrs: dict[str, Any]) -> Any:
    from opentelemetry.trace import SpanKind

    client = SpanKind.CLIENT

    def run(n: int) -> int:
        for _ in range(n):
            span = tracer.start_span(name, kind=client, attributes=attrs)
            span.end()
        return 0

    return run


def floor_metrics_loop(tracer: Any, meter_provider: Any, name: str, attrs: dict[str, Any], error: bool) -> Any:
    """The floor plus the metric measurements litetrace records in the same cell, through its own
    ``Instruments`` on the same attributes: the OpenTelemetry SDK's cost for span and metrics."""
    from opentelemetry.trace import SpanKind, set_span_in_context

    from litetrace.attributes import names as n
    from litetrace.metrics import Instruments

    client = SpanKind.CLIENT
    instruments = Instruments(meter_provider.get_meter("benchmark.floor"))
    streaming = bool(attrs.get(n.STREAMING))
    error_type = attrs.get(n.ERROR_TYPE) if error else None
    ttft, rate = attrs.get(n.TTFT), attrs.get(n.CHUNKS_PER_SECOND)
    gaps = [1 / rate] if rate else []

    def run(count: int) -> int:
        for _ in range(count):
            span = tracer.start_span(name, kind=client, attributes=attrs)
            context = set_span_in_context(span)  # as litetrace does: the records carry exemplars
            if streaming:
                instruments.record_stream(ttft, gaps, rate, instruments.dimensions(attrs, None, True), context)
            instruments.record_call(0.1, attrs, error_type, streaming, context)
            span.end()
        return 0

    return run


class Timer:
    """Calibrated batches of calls: per-call wall and CPU time, spans, TTFT."""

    def __init__(self, exporter: Any, batches: int, batch_s: float, warmup_s: float) -> None:
        self.exporter = exporter
        self.batches = batches
        self.batch_s = batch_s
        self.warmup_s = warmup_s

    def _per_call_estimate(self, elapsed_s: float, n: int) -> float:
        return max(elapsed_s / max(n, 1), 1e-7)

    def measure_sync(self, run: Any) -> dict[str, Any]:
        # Warm-up, which also sizes the batches.
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < self.warmup_s or n < 20:
            run(5)
            n += 5
        per_call = self._per_call_estimate(time.perf_counter() - t0, n)
        size = int(min(max(self.batch_s / per_call, 10), 50_000))
        return self._batches(size, lambda: run(size))

    def measure_async(self, run: Any) -> dict[str, Any]:
        async def main() -> dict[str, Any]:
            n, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < self.warmup_s or n < 20:
                await run(5)
                n += 5
            per_call = self._per_call_estimate(time.perf_counter() - t0, n)
            size = int(min(max(self.batch_s / per_call, 10), 50_000))
            return await self._abatches(size, lambda: run(size))

        return asyncio.run(main())

    def _start(self) -> None:
        self.exporter.clear()
        gc.collect()

    def _batches(self, size: int, go: Any) -> dict[str, Any]:
        walls, cpus, cbs, spans, ttft = [], [], [], 0, 0
        for _ in range(self.batches):
            self._start()
            c0, w0 = time.process_time(), time.perf_counter()
            spent = go()
            w1, c1 = time.perf_counter(), time.process_time()
            walls.append((w1 - w0) / size * 1e6)
            cpus.append((c1 - c0) / size * 1e6)
            cbs.append(spent / size / 1e3)
            s, t = self._collect()
            spans += s
            ttft += t
        return self._summary(size, walls, cpus, cbs, spans, ttft)

    async def _abatches(self, size: int, go: Any) -> dict[str, Any]:
        walls, cpus, cbs, spans, ttft = [], [], [], 0, 0
        for _ in range(self.batches):
            self._start()
            c0, w0 = time.process_time(), time.perf_counter()
            spent = await go()
            w1, c1 = time.perf_counter(), time.process_time()
            walls.append((w1 - w0) / size * 1e6)
            cpus.append((c1 - c0) / size * 1e6)
            cbs.append(spent / size / 1e3)
            s, t = self._collect()
            spans += s
            ttft += t
        return self._summary(size, walls, cpus, cbs, spans, ttft)

    def _collect(self) -> tuple[int, int]:
        finished = self.exporter.get_finished_spans()
        self.last_spans = finished[-3:]
        return len(finished), sum(1 for span in finished if has_ttft(span))

    def _summary(self, size: int, walls: list[float], cpus: list[float], cbs: list[float], spans: int, ttft: int) -> dict[str, Any]:
        calls = size * self.batches
        self.last_spans[-1] if self.last_spans else None
        return {
            "batch_calls": size,
            "batches": self.batches,
            "wall_us": common.median(walls),
            "cpu_us": common.median(cpus),
            "wall_batches": walls,
            "cpu_batches": cpus,
            "cb_us": common.median(cbs),
            "spans_per_call": spans / calls,
            "ttft_fraction": ttft / calls,
            "attributes": max((len(span.attributes) for span in self.last_spans), default=0),
            "span_names": sorted({span.name for span in self.last_spans}),
        }


def litetrace_attributes(stubs: Stubs, tracer_provider: Any, exporter: Any, meter_provider: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    """For the floor: the name and attributes of litetrace's span in each cell (one untimed call each)."""
    installed = configs.install("litetrace", tracer_provider, meter_provider)
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    try:
        for cell, is_async, chunks, error in CELLS:
            exporter.clear()
            stubs.chunks = stubs.recorded.get(f"chunks{chunks}", [])
            stubs.hidden = stubs.recorded.get(f"stream_hidden{chunks}", {})
            stubs.failing = error
            stubs.fail_callback = installed.callback.log_failure_event if error else None
            if is_async:
                asyncio.run(async_loop(stubs, installed.callback, chunks)(1))
            else:
                sync_loop(stubs, installed.callback, chunks, error)(1)
            span = exporter.get_finished_spans()[-1]
            found[cell] = (span.name, dict(span.attributes))
    finally:
        stubs.failing = False
        stubs.fail_callback = None
        installed.uninstall()
        exporter.clear()
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True, choices=configs.CONFIGS + configs.INTRINSIC_EXTRA)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    name = args.config
    result: dict[str, Any] = {"config": name, "cells": {}}
    why = configs.missing(name)
    if why:
        result["missing"] = why
        emit(result)
        return

    recorded = record()
    stubs = Stubs(recorded)
    stubs.install()
    tracer_provider, exporter, meter_provider, _reader = providers()
    # Everything allocated so far (LiteLLM's import is large) moves to the permanent
    # generation: the collections between batches then cost milliseconds, not a second.
    gc.collect()
    gc.freeze()
    timer = Timer(exporter, batches=3 if args.quick else 6, batch_s=0.015 if args.quick else 0.025, warmup_s=0.04 if args.quick else 0.1)

    if name in ("floor", "floor+metrics"):
        attributes = litetrace_attributes(stubs, tracer_provider, exporter, meter_provider)
        tracer = tracer_provider.get_tracer("benchmark.floor")
        for cell, _is_async, chunks, error in CELLS:
            span_name, attrs = attributes[cell]
            if name == "floor":
                loop = floor_loop(tracer, span_name, attrs)
            else:
                loop = floor_metrics_loop(tracer, meter_provider, span_name, attrs, error)
            cell_result = timer.measure_sync(loop)
            cell_result["chunks"] = chunks
            result["cells"][cell] = cell_result
        emit(result)
        return

    installed = configs.install(name, tracer_provider, meter_provider)
    result["notes"] = installed.notes
    callback = installed.callback
    for cell, is_async, chunks, error in CELLS:
        stubs.chunks = recorded.get(f"chunks{chunks}", [])
        stubs.hidden = recorded.get(f"stream_hidden{chunks}", {})
        stubs.failing = error
        stubs.fail_callback = callback.log_failure_event if (error and callback is not None) else None
        if is_async:
            cell_result = timer.measure_async(async_loop(stubs, callback, chunks))
        else:
            cell_result = timer.measure_sync(sync_loop(stubs, callback, chunks, error))
        cell_result["chunks"] = chunks
        if installed.pending is not None:
            cell_result["pending_after"] = installed.pending()
        result["cells"][cell] = cell_result
    stubs.failing = False
    emit(result)


if __name__ == "__main__":
    sys.exit(main())
