"""Starting real backends on 127.0.0.1 for the integration tests, and waiting on them."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from support import fail_or_skip

INSTALL_HINT = "install the integration backends with: bash .ci/integration-deps.sh <venv>"
T = TypeVar("T")


def require_executable(name: str, what: str) -> str:
    """Path of ``name`` (next to this Python first, then on PATH); a missing one fails the test.

    With LITETRACE_SKIP_MISSING_BACKENDS=1 the test is skipped instead.
    """
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        message = f"{what} is not installed ({name!r} not found next to {sys.executable} nor on PATH): {INSTALL_HINT}"
        fail_or_skip(message)
    return found


def free_port() -> int:
    """A loopback TCP port free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str, timeout: float = 5.0) -> Any:
    """GET a loopback URL and parse its JSON body."""
    assert urllib.parse.urlsplit(url).hostname == "127.0.0.1", url
    with urllib.request.urlopen(url, timeout=timeout) as reply:
        return json.loads(reply.read().decode())


def get_status(url: str, timeout: float = 2.0) -> int | None:
    """HTTP status of a loopback GET, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (OSError, ValueError):
        return None


def wait_for(probe: Callable[[], T | None], timeout: float, what: str, interval: float = 0.25,
             alive: Callable[[], str | None] | None = None) -> T:
    """Call ``probe`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds.

    ``alive`` returns an error text when the backend died meanwhile, to fail at once with its log.
    """
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        if alive is not None and (died := alive()):
            pytest.fail(f"{what}: {died}", pytrace=False)
        time.sleep(interval)
    pytest.fail(f"{what}: not within {timeout:.0f} s (last: {last!r})", pytrace=False)


class Backend:
    """A backend process with its output in a log file."""

    def __init__(self, name: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.name, self.process, self.log = name, process, log

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def died(self) -> str | None:
        """An error text when the process has exited."""
        code = self.process.poll()
        return None if code is None else f"{self.name} exited with {code}; its log ends with:\n{self.log_tail()}"

    def stop(self) -> None:
        """Terminate, then kill if it does not exit in time (only this process, by its pid)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


@contextmanager
def backend(name: str, command: list[str], log: Path, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> Iterator[Backend]:
    """Run ``command`` for the duration of the block; it is always stopped afterwards."""
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=env, cwd=cwd)
    started = Backend(name, process, log)
    try:
        yield started
    finally:
        started.stop()


def offline_env(**extra: str) -> dict[str, str]:
    """This process's environment without OpenTelemetry settings (a backend must not export anywhere)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    env.update(extra)
    return env
