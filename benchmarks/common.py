"""Shared pieces of the benchmark harnesses: environment, providers, drains, statistics.

Every harness script runs as its own process (``python benchmarks/<harness>.py``), so
this module is imported by name from the ``benchmarks/`` folder, not as a package.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from typing import Any
from collections.abc import Iterable

# Before LiteLLM is imported anywhere: otherwise it downloads its price list at import.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

MESSAGES = [{"role": "user", "content": "Say hello in five words."}]
MODEL = "gpt-4o-mini"
HTTP_MODEL = "openai/gpt-4o-mini"

# Span attribute keys that mean "time to first token was recorded" (any instrumentor).
TTFT_MARKERS = ("time_to_first", "first_token", "first_chunk", "ttft")


def providers() -> tuple[Any, Any, Any, Any]:
    """SDK TracerProvider (SimpleSpanProcessor -> InMemorySpanExporter) and MeterProvider."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    return tracer_provider, exporter, meter_provider, reader


def has_ttft(span: Any) -> bool:
    """Whether a finished span carries a time-to-first-token attribute."""
    for key in span.attributes or {}:
        low = key.lower()
        if any(marker in low for marker in TTFT_MARKERS):
            return True
    return False


def ttft_metric_points(reader: Any) -> int:
    """Data points recorded so far in metrics whose name says time to first token."""
    data = reader.get_metrics_data()
    count = 0
    if data is None:
        return 0
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                name = metric.name.lower()
                if any(marker in name for marker in TTFT_MARKERS):
                    for point in metric.data.data_points:
                        count += int(getattr(point, "count", 1) or 0)
    return count


# -- LiteLLM's background logging -----------------------------------------------------


def drain_threads(timeout: float = 30.0) -> None:
    """Wait until LiteLLM's logging thread pool has no queued or running task."""
    from litellm.litellm_core_utils.thread_pool_executor import executor

    deadline = time.monotonic() + timeout
    slots = getattr(executor, "_pending_slots", None)
    limit = getattr(executor, "_max_pending_tasks", None)
    if slots is None or limit is None:  # another LiteLLM version: a plain wait
        time.sleep(0.2)
        return
    while slots._value < limit and time.monotonic() < deadline:
        time.sleep(0.0005)


async def drain_async(timeout: float = 30.0) -> None:
    """Wait until LiteLLM's async logging worker and its thread pool are idle."""
    from litellm.litellm_core_utils.thread_pool_executor import executor

    deadline = time.monotonic() + timeout
    try:
        from litellm.litellm_core_utils.logging_worker import GLOBAL_LOGGING_WORKER as worker
    except ImportError:
        worker = None
    try:  # LiteLLM 1.109+: a finished call spawns a task that only later enqueues its handler
        from litellm.responses.streaming_iterator import drain_logging_tasks
    except ImportError:
        drain_logging_tasks = None
    slots = getattr(executor, "_pending_slots", None)
    limit = getattr(executor, "_max_pending_tasks", None)
    while time.monotonic() < deadline:
        await asyncio.sleep(0)
        if drain_logging_tasks is not None:
            await drain_logging_tasks(max(0.0, deadline - time.monotonic()))
        busy = False
        if worker is not None:
            queue = getattr(worker, "_queue", None)
            if queue is not None and (queue.qsize() or getattr(queue, "_unfinished_tasks", 0)):
                busy = True
            if any(not task.done() for task in list(getattr(worker, "_running_tasks", ()))):
                busy = True
        if slots is not None and limit is not None and slots._value < limit:
            busy = True
        if not busy:
            # One more turn of the loop for callbacks scheduled by the last ones.
            await asyncio.sleep(0.001)
            return
        await asyncio.sleep(0.0005)


# -- statistics ------------------------------------------------------------------------


def median(values: Iterable[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def spread(values: Iterable[float]) -> tuple[float, float] | None:
    values = [v for v in values if v is not None]
    return (min(values), max(values)) if values else None


def quartiles(values: Iterable[float]) -> tuple[float, float] | None:
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    if len(values) < 4:
        return values[0], values[-1]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[2]


def emit(result: dict[str, Any]) -> None:
    """A harness's one line of output: JSON on stdout, after a marker (LiteLLM may print too)."""
    import json

    sys.stdout.write("\n@@RESULT@@" + json.dumps(result) + "\n")
    sys.stdout.flush()


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    import platform

    info: dict[str, Any] = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as handle:
            first = handle.readline().split()
            info["memory_gib"] = round(int(first[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    versions = {}
    from importlib import metadata

    for dist in (
        "litellm",
        "litetrace",
        "opentelemetry-sdk",
        "wrapt",
        "openinference-instrumentation-litellm",
        "opentelemetry-instrumentation-litellm",
    ):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    info["versions"] = versions
    return info


# -- the local OpenAI-compatible server, in a process of its own ------------------------

# Loaded by path, not as ``litetrace.demo.local_provider``: importing the package imports LiteLLM (seconds).
_SERVER_CODE = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("local_provider", sys.argv[2])
module = importlib.util.module_from_spec(spec)
sys.modules["local_provider"] = module
spec.loader.exec_module(module)
Behavior, LocalProvider = module.Behavior, module.LocalProvider
behavior = Behavior(**json.loads(sys.argv[1]))
provider = LocalProvider(behavior).start()
print(provider.openai_base, flush=True)
sys.stdin.read()  # until the parent closes our stdin (or dies)
provider.stop()
"""


class Server:
    """``litetrace.demo.local_provider.LocalProvider`` serving from a child process.

    In its own process, so the server's CPU time is not counted as the client's.
    """

    def __init__(self, **behavior: Any) -> None:
        import json
        import subprocess

        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SERVER_CODE, json.dumps(behavior), os.path.join(ROOT, "litetrace", "demo", "local_provider.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        line = self.proc.stdout.readline().strip() if self.proc.stdout else ""
        if not line.startswith("http"):
            self.stop()
            raise RuntimeError("the local provider did not start")
        self.openai_base = line

    def stop(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001
            self.proc.kill()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def words(count: int) -> str:
    """A text the local provider splits into ``count`` chunks, one word each."""
    return " ".join(f"word{i}" for i in range(count))


def rss_bytes() -> int:
    """Resident set size of this process now."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
