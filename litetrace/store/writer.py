"""The store's writer: one connection per process, bounded waits, background retries.

``write()`` may run on the caller's thread (``setup(batch=False)`` exports from the thread
that ended the span), so it never waits long: a few ms for the lock, then a locked store's
rows go to a background thread that retries them with back-off for a bounded time. Errors
that waiting cannot fix (read-only file, not a database, disk I/O) fail at once, are logged
once, and keep the writer from touching the file for a while. A row SQLite refuses (a lone
surrogate, an integer too large) is repaired or skipped alone: it never costs its batch.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import weakref
from collections import deque
from collections.abc import Sequence
from typing import Any

from litetrace.store.schema import connect, insert_sql, is_locked, write_transaction
from litetrace.store.text import clean_row

logger = logging.getLogger("litetrace")

# The longest a write waits for the store's lock on the calling thread (Python lock, then SQLite's).
CALLER_WAIT_S = 0.005
# The background retry waits longer per attempt, off every caller's thread.
RETRY_WAIT_S = 1.0
# Queued rows are dropped (logged) once this writer has written nothing for this long: a store
# locked for good sheds its backlog, a busy one that still lets each writer in loses nothing.
RETRY_DEADLINE_S = 30.0
# At shutdown, rows still waiting for a retry are written while that goes on; the wait ends
# once no row has been written for EXIT_STALL_S (a store locked for good), or after EXIT_LIMIT_S.
EXIT_STALL_S = 3.0
EXIT_LIMIT_S = 30.0
# The retry thread writes queued batches of one table together, up to this many rows at once.
RETRY_CHUNK_ROWS = 2_000
# After an error waiting cannot fix, writes are refused at once for this long, then tried again.
BROKEN_COOLDOWN_S = 30.0
# Rows waiting for a retry, at most; beyond this new batches are dropped (logged once).
MAX_PENDING_ROWS = 20_000

# Errors of one row's values (not of the file): the row is repaired or skipped, never its batch.
_ROW_ERRORS = (
    UnicodeError, OverflowError, ValueError, TypeError,
    sqlite3.InterfaceError, sqlite3.IntegrityError, sqlite3.DataError, sqlite3.ProgrammingError,
)

# Connections a forked child inherited from its parent; kept open and unused (see _after_fork).
_INHERITED: list[sqlite3.Connection] = []
# (path, problem) pairs already logged at WARNING: each store problem is told once per process.
_TOLD: set[tuple[str, str]] = set()


def is_retryable(error: BaseException) -> bool:
    """True for "database is locked/busy", which waiting can fix; False for every other failure."""
    return isinstance(error, sqlite3.OperationalError) and is_locked(error)


def tell_once(path: str, problem: str, message: str, *args: Any) -> None:
    """Log a store problem at WARNING the first time it is seen for ``path``, at DEBUG after."""
    key = (path, problem)
    level = logging.DEBUG if key in _TOLD else logging.WARNING
    _TOLD.add(key)
    logger.log(level, message, *args)


class StoreWriter:
    """Writes row batches into one store file; see the module docstring for the waiting rules."""

    def __init__(self, path: str, noun: str) -> None:
        self.path = path
        self.noun = noun  # "spans", "metric points": for log lines
        self._reset()
        self._closed = False
        ref = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _reset_after_fork(ref))

    def _reset(self) -> None:
        """Fresh per-process state (at start, and in a forked child)."""
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._broken_until = 0.0
        self._pending: deque[tuple[str, Sequence[tuple[Any, ...]]]] = deque()
        self._progress_at = time.monotonic()  # the last write that got in (or the start of a backlog)
        self._pending_rows = 0
        self._queue_lock = threading.Lock()  # guards _pending and _pending_rows between threads
        self._wake = threading.Event()
        self._retrier: threading.Thread | None = None

    def _after_fork(self) -> None:
        if self._conn is not None:
            # Never closed in the child: closing its copy of the parent's file descriptor would
            # drop this process's POSIX locks on the file, including those of the new connection.
            _INHERITED.append(self._conn)
        self._reset()  # the parent writes its own pending rows; the child has no retry thread

    def write(self, table: str, batch: Sequence[tuple[Any, ...]]) -> bool:
        """Store ``batch`` now, or queue it for a background retry; False if it cannot be stored."""
        if self._closed or time.monotonic() < self._broken_until:
            return False
        if not batch:
            return True
        if self._pending or not self._lock.acquire(timeout=CALLER_WAIT_S):
            return self._queue(table, batch)
        try:
            if self._closed:
                return False
            self._insert(table, batch, CALLER_WAIT_S)
            self._progress_at = time.monotonic()
        except (sqlite3.Error, RuntimeError, OSError) as error:
            if is_retryable(error):
                return self._queue(table, batch)
            self._broken(error, len(batch))
            return False
        finally:
            self._lock.release()
        return True

    def _connection(self, wait_s: float) -> sqlite3.Connection:
        if self._conn is not None and self._pid != os.getpid():
            _INHERITED.append(self._conn)  # a fork the at-fork hook missed; see _after_fork
            self._conn = None
        if self._conn is None:
            self._conn = connect(self.path, busy_timeout_ms=max(1, int(wait_s * 1000)))
            self._pid = os.getpid()
        else:
            self._conn.execute(f"PRAGMA busy_timeout = {max(1, int(wait_s * 1000))}")
        return self._conn

    def _insert(self, table: str, batch: Sequence[tuple[Any, ...]], wait_s: float) -> None:
        """One transaction; a row whose values SQLite refuses is repaired or skipped alone."""
        conn = self._connection(wait_s)
        sql = insert_sql(table)
        with write_transaction(conn):
            conn.execute("SAVEPOINT rows")
            try:
                conn.executemany(sql, batch)
            except _ROW_ERRORS:
                # executemany stops at the first bad row with the rows before it written: undo
                # them and redo the batch row by row, in this same transaction.
                conn.execute("ROLLBACK TO rows")
                self._insert_each(conn, sql, batch)

    def _insert_each(self, conn: sqlite3.Connection, sql: str, batch: Sequence[tuple[Any, ...]]) -> None:
        skipped = 0
        for row in batch:
            try:
                conn.execute(sql, row)
            except _ROW_ERRORS:
                try:
                    conn.execute(sql, clean_row(row))
                except _ROW_ERRORS as error:
                    skipped += 1
                    tell_once(self.path, "row", "litetrace: skipped one of %s in %s: %s", self.noun, self.path, error)
        if skipped:
            logger.debug("litetrace: %d of %d %s could not be stored", skipped, len(batch), self.noun)

    def _broken(self, error: BaseException, count: int) -> None:
        """An error waiting cannot fix: drop the connection and refuse writes for a while."""
        self._broken_until = time.monotonic() + BROKEN_COOLDOWN_S
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None
        tell_once(
            self.path, f"broken:{type(error).__name__}:{error}",
            "litetrace: could not store %d %s in %s: %s (not retried; the store is skipped for %d s)",
            count, self.noun, self.path, error, BROKEN_COOLDOWN_S,
        )

    def _queue(self, table: str, batch: Sequence[tuple[Any, ...]]) -> bool:
        """Hand the batch to the retry thread (started on first need)."""
        with self._queue_lock:
            if self._pending_rows + len(batch) > MAX_PENDING_ROWS:
                tell_once(self.path, "full", "litetrace: the store %s stays locked; dropping %s beyond %d waiting",
                          self.path, self.noun, MAX_PENDING_ROWS)
                return False
            if not self._pending:
                self._progress_at = time.monotonic()
            self._pending.append((table, batch))
            self._pending_rows += len(batch)
            if self._retrier is None or not self._retrier.is_alive():
                self._retrier = threading.Thread(target=self._retry_loop, name="litetrace-store-retry", daemon=True)
                self._retrier.start()
        self._wake.set()
        return True

    def _retry_loop(self) -> None:
        delay = 0.01
        while True:
            self._wake.wait()
            # Cleared before the queue is read: a batch queued after this point sets it again.
            self._wake.clear()
            while self._pending:
                taken, table, rows = self._front()
                with self._lock:
                    outcome = self._retry_once(table, rows)
                if outcome == "wait":
                    time.sleep(delay)
                    delay = min(delay * 2, 0.5)
                    continue
                delay = 0.01
                with self._queue_lock:
                    for _ in range(taken):
                        self._pending.popleft()
                    self._pending_rows -= len(rows)
                    if outcome == "broken":
                        self._pending.clear()
                        self._pending_rows = 0
            if self._closed:
                return

    def _front(self) -> tuple[int, str, list[tuple[Any, ...]]]:
        """The oldest queued batches of one table, merged: (how many, table, rows)."""
        with self._queue_lock:
            table, batch = self._pending[0]
            rows = list(batch)
            taken = 1
            for later_table, later in list(self._pending)[1:]:
                if later_table != table or len(rows) + len(later) > RETRY_CHUNK_ROWS:
                    break
                rows.extend(later)
                taken += 1
        return taken, table, rows

    def _retry_once(self, table: str, batch: Sequence[tuple[Any, ...]]) -> str:
        """One retry of the oldest batch: "done", "wait" (still locked) or "broken"."""
        if self._closed or time.monotonic() - self._progress_at > RETRY_DEADLINE_S:
            tell_once(self.path, "locked", "litetrace: the store %s stayed locked; dropped %d %s",
                      self.path, len(batch), self.noun)
            return "done"
        try:
            self._insert(table, batch, RETRY_WAIT_S)
            self._progress_at = time.monotonic()
        except (sqlite3.Error, RuntimeError, OSError) as error:
            if is_retryable(error):
                return "wait"
            self._broken(error, len(batch))
            return "broken"
        except Exception:
            logger.debug("litetrace: could not store %d %s in %s", len(batch), self.noun, self.path, exc_info=True)
        return "done"

    def flush(self, timeout_s: float, stall_s: float | None = None) -> bool:
        """Wait up to ``timeout_s`` for queued retries (less if none is written for ``stall_s``)."""
        now = time.monotonic()
        end, progress_at, left = now + timeout_s, now, self._pending_rows
        while self._pending and now < end:
            time.sleep(0.005)
            now = time.monotonic()
            if self._pending_rows != left:
                progress_at, left = now, self._pending_rows
            elif stall_s is not None and now - progress_at > stall_s:
                break
        return not self._pending

    def close(self) -> None:
        """Let queued rows be written while that progresses, then close; later writes are refused."""
        if self._pending and self._pid == os.getpid():
            self.flush(EXIT_LIMIT_S, stall_s=EXIT_STALL_S)
        self._closed = True
        self._wake.set()
        with self._lock:
            if self._conn is not None:
                if self._pid == os.getpid():
                    self._conn.close()
                else:
                    _INHERITED.append(self._conn)
            self._conn = None


def _reset_after_fork(ref: weakref.ref[StoreWriter]) -> None:
    writer = ref()
    if writer is not None:
        writer._after_fork()
