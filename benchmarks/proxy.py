"""Throughput and latency through the real LiteLLM proxy: bare vs litetrace vs LiteLLM's own "otel".

    python benchmarks/proxy.py [--rounds 3] [--requests 60] [--delay 0.02]

Three proxies (``litellm --config``, one worker each) run side by side in front of one local
provider (a subprocess answering after ``--delay`` seconds); each round drives every proxy in
turn with httpx at concurrency 1 and 50, non-streamed and streamed, so drift on this shared
machine hits all three alike. litetrace exports to a SQLite store (its default), LiteLLM's
``otel`` callback to its in-memory exporter (``OTEL_EXPORTER=in_memory``). Results go to
``benchmarks/results/proxy.json`` and a table on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "proxy.json"
MASTER_KEY = "sk-bench-master"
VARIANTS = {
    "bare": ([], {}),
    "litetrace": (["litetrace.proxy.callback"], {"LITETRACE_EXPORTER": "sqlite"}),
    "litellm-otel": (["otel"], {"OTEL_EXPORTER": "in_memory"}),
    # litetrace with its providers global, as under `litetrace run`: FastAPI's native telemetry switches on.
    "litetrace-global": (["litetrace.proxy.callback"], {"LITETRACE_EXPORTER": "sqlite", "LITETRACE_SET_GLOBAL": "true"}),
}
BODY = {"model": "bench", "messages": [{"role": "user", "content": "Say hello in five words."}]}


def cpu_seconds(root_pid: int) -> float:
    """User + system CPU time of a process and its descendants (/proc, Linux): load-independent cost."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0.0, [root_pid]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += (int(stats[pid][11]) + int(stats[pid][12])) / ticks
        todo.extend(children.get(pid, []))
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except urllib.error.HTTPError:
            if url.endswith("/"):  # the provider answers 404 to a GET of its root: it is up
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not ready in {timeout} s")


def start_provider(delay: float, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    code = ("import time\nfrom litetrace.demo.local_provider import LocalProvider, Behavior\n"
            f"LocalProvider(Behavior(first_chunk_delay={delay}), port={port}).start()\n"
            "while True: time.sleep(3600)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL,
                               stderr=open(folder / "provider.log", "wb"))
    base = f"http://127.0.0.1:{port}"
    wait_ready(f"{base}/", process, 60)
    return process, f"{base}/v1"


def start_proxy(name: str, callbacks: list[str], env_extra: dict[str, str], api_base: str,
                folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    config = {
        "model_list": [{"model_name": "bench", "litellm_params": {"model": "openai/gpt-4o-mini", "api_base": api_base,
                                                                 "api_key": "sk-upstream"}}],
        "litellm_settings": {"callbacks": callbacks} if callbacks else {},
        "general_settings": {"master_key": MASTER_KEY},
    }
    path = folder / f"{name}.yaml"
    path.write_text(json.dumps(config))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OTEL_", "LITETRACE_"))}
    env.update(PYTHONPATH=str(ROOT), LITELLM_LOCAL_MODEL_COST_MAP="True", LITETRACE_DB=str(folder / f"{name}.db"),
               **env_extra)
    litellm = Path(sys.executable).parent / "litellm"
    process = subprocess.Popen([str(litellm), "--config", str(path), "--host", "127.0.0.1", "--port", str(port)],
                               env=env, stdout=open(folder / f"{name}.log", "wb"), stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


async def drive(base: str, concurrency: int, requests: int, stream: bool) -> dict[str, float]:
    """``requests`` requests, ``concurrency`` at a time; latency to the last byte."""
    import httpx

    latencies: list[float] = []
    body = {**BODY, "stream": stream}
    headers = {"Authorization": f"Bearer {MASTER_KEY}"}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(requests):
        queue.put_nowait(index)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            queue.get_nowait()
            started = time.perf_counter()
            async with client.stream("POST", f"{base}/v1/chat/completions", json=body, headers=headers) as reply:
                async for _ in reply.aiter_bytes():
                    pass
                reply.raise_for_status()
            latencies.append(time.perf_counter() - started)

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {"rps": requests / elapsed, "p50_ms": statistics.median(latencies) * 1e3,
            "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1e3}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=60, help="requests per measurement at concurrency 1 (x5 at 50)")
    parser.add_argument("--delay", type=float, default=0.02, help="upstream latency, seconds")
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated, of: {', '.join(VARIANTS)}")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="litetrace-proxy-bench-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        provider, api_base = start_provider(args.delay, folder)
        processes.append(provider)
        bases: dict[str, str] = {}
        pids: dict[str, int] = {}
        chosen = {name: VARIANTS[name] for name in args.variants.split(",")}
        for name, (callbacks, env_extra) in chosen.items():
            process, base = start_proxy(name, callbacks, env_extra, api_base, folder)
            processes.append(process)
            bases[name] = base
            pids[name] = process.pid
        for name, base in bases.items():
            wait_ready(f"{base}/health/liveliness", processes[list(bases).index(name) + 1])
            asyncio.run(drive(base, 4, 20, False))  # warm-up: first-call set-up
            asyncio.run(drive(base, 4, 20, True))
        results: dict[str, list[dict[str, float]]] = {}
        for _ in range(args.rounds):
            for concurrency, requests in ((1, args.requests), (50, args.requests * 5)):
                for stream in (False, True):
                    for name, base in bases.items():  # alternated: each variant once per setting per round
                        key = f"{name}|c{concurrency}|{'stream' if stream else 'plain'}"
                        pid = pids[name]
                        cpu_before = cpu_seconds(pid)
                        measured = asyncio.run(drive(base, concurrency, requests, stream))
                        time.sleep(0.3)  # let the batch exporter and LiteLLM's logging threads finish this block
                        measured["cpu_ms_per_request"] = (cpu_seconds(pid) - cpu_before) * 1e3 / requests
                        results.setdefault(key, []).append(measured)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    summary = {key: {metric: statistics.median(run[metric] for run in runs) for metric in runs[0]}
               for key, runs in results.items()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"args": vars(args), "median_of_rounds": summary, "rounds": results}, indent=1))
    print(f"{'variant':<17}{'conc':>5} {'mode':<7}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'CPU ms/req':>11}")
    for key, row in sorted(summary.items(), key=lambda item: item[0].split("|")[1:]):
        name, concurrency, mode = key.split("|")
        print(f"{name:<17}{concurrency[1:]:>5} {mode:<7}{row['rps']:>9.1f}{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}"
              f"{row['cpu_ms_per_request']:>11.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
