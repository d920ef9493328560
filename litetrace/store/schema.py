"""The SQLite schema of litetrace's embedded store, defined once as tables of columns.

The DDL and ``docs/store-schema.md`` are both generated from the ``Column`` tables below
(``python -m litetrace.store`` prints the Markdown), so the schema is written down once.

Tables:

- ``spans``: one row per finished span. Identity, timing and status columns, the
  ``llm.*`` attributes that reports group and aggregate by promoted to typed columns,
  and every attribute as JSON in ``attributes``.
- ``metric_points``: one row per exported metric data point (sums, gauges, histograms
  with their buckets).
- ``meta``: key/value pairs; ``schema_version`` tells readers which layout they face.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from litetrace.attributes import names as n

SCHEMA_VERSION = 1

# Several processes may write one file: wait for the write lock rather than fail at once.
BUSY_TIMEOUT_MS = 10_000


class Column(NamedTuple):
    """One column of a store table."""

    name: str
    sql_type: str
    meaning: str
    # The span attribute this column is promoted from; None for columns filled otherwise.
    attribute: str | None = None


SPAN_COLUMNS: tuple[Column, ...] = (
    Column("trace_id", "TEXT NOT NULL", "32 hex digits"),
    Column("span_id", "TEXT NOT NULL", "16 hex digits"),
    Column("parent_span_id", "TEXT", "16 hex digits; NULL for a root span"),
    Column("name", "TEXT NOT NULL", 'span name, e.g. "chat gpt-4o-mini"'),
    Column("kind", "TEXT NOT NULL", "INTERNAL, SERVER, CLIENT, PRODUCER or CONSUMER"),
    Column("start_ns", "INTEGER NOT NULL", "start time, ns since the Unix epoch"),
    Column("end_ns", "INTEGER NOT NULL", "end time, ns since the Unix epoch"),
    Column("duration_s", "REAL NOT NULL", "(end_ns - start_ns) / 1e9"),
    Column("status_code", "TEXT NOT NULL", "UNSET, OK or ERROR"),
    Column("status_message", "TEXT", "status description, when set"),
    Column("service_name", "TEXT", "resource attribute service.name"),
    Column("operation", "TEXT", "chat, text_completion, embedding, ...", n.REQUEST_TYPE),
    Column("provider", "TEXT", "LiteLLM's provider id", n.PROVIDER),
    Column("request_model", "TEXT", "model as requested", n.REQUEST_MODEL),
    Column("response_model", "TEXT", "model the provider reports", n.RESPONSE_MODEL),
    Column("is_streaming", "INTEGER", "1 for streamed responses", n.STREAMING),
    Column("ttft_s", "REAL", "time to first token, s", n.TTFT),
    Column("chunks_per_second", "REAL", "chunk rate of a stream", n.CHUNKS_PER_SECOND),
    Column("chunk_count", "INTEGER", "chunks handed to the caller", n.CHUNK_COUNT),
    Column("prompt_tokens", "INTEGER", "prompt tokens", n.USAGE_PROMPT),
    Column("completion_tokens", "INTEGER", "completion tokens", n.USAGE_COMPLETION),
    Column("total_tokens", "INTEGER", "total tokens", n.USAGE_TOTAL),
    Column("cost_usd", "REAL", "cost in USD from LiteLLM's cost map", n.COST),
    Column("error_type", "TEXT", "exception class name", n.ERROR_TYPE),
    Column("error_category", "TEXT", "authentication, rate_limit, timeout, ...", n.ERROR_CATEGORY),
    Column("attributes", "TEXT NOT NULL", "every span attribute, as a JSON object"),
)

METRIC_COLUMNS: tuple[Column, ...] = (
    Column("id", "INTEGER PRIMARY KEY", "row id"),
    Column("time_ns", "INTEGER NOT NULL", "end of the point's interval, ns since the Unix epoch"),
    Column("start_time_ns", "INTEGER", "start of the interval (delta) or of the series (cumulative)"),
    Column("name", "TEXT NOT NULL", "instrument name, e.g. gen_ai.client.operation.duration"),
    Column("kind", "TEXT NOT NULL", "sum, gauge, histogram or exponential_histogram"),
    Column("temporality", "TEXT", "delta or cumulative; NULL for gauges"),
    Column("is_monotonic", "INTEGER", "1 for monotonic sums (counters); NULL otherwise"),
    Column("unit", "TEXT", "instrument unit, e.g. s, {token}, USD"),
    Column("service_name", "TEXT", "resource attribute service.name"),
    Column("attributes", "TEXT NOT NULL", "the point's attributes, as a JSON object"),
    Column("value", "REAL", "sum or gauge value; NULL for histograms"),
    Column("sum", "REAL", "histogram sum"),
    Column("count", "INTEGER", "histogram count"),
    Column("min", "REAL", "histogram minimum, when recorded"),
    Column("max", "REAL", "histogram maximum, when recorded"),
    Column("bucket_bounds", "TEXT", "JSON array of explicit upper bounds (histogram)"),
    Column(
        "bucket_counts",
        "TEXT",
        "JSON array, one more count than bounds (histogram); for an exponential histogram a "
        "JSON object {scale, zero_count, positive: {offset, bucket_counts}, negative: {...}}",
    ),
)

META_COLUMNS: tuple[Column, ...] = (
    Column("key", "TEXT PRIMARY KEY", "setting name; schema_version is always present"),
    Column("value", "TEXT NOT NULL", "setting value"),
)

TABLES: dict[str, tuple[Column, ...]] = {
    "spans": SPAN_COLUMNS,
    "metric_points": METRIC_COLUMNS,
    "meta": META_COLUMNS,
}

# A span re-exported (a retry after a lock time-out) is the same span: keep one row.
_CONSTRAINTS = {"spans": ",\n  PRIMARY KEY (trace_id, span_id)"}

_INDEXES = (
    "CREATE INDEX IF NOT EXISTS spans_start ON spans (start_ns)",
    "CREATE INDEX IF NOT EXISTS spans_model ON spans (provider, request_model)",
    "CREATE INDEX IF NOT EXISTS metric_points_name_time ON metric_points (name, time_ns)",
)


class StoreVersionError(RuntimeError):
    """The store file was written by a newer litetrace with a layout this one cannot read."""


def create_table_sql(table: str) -> str:
    """The CREATE TABLE statement of one table."""
    columns = ",\n  ".join(f"{col.name} {col.sql_type}" for col in TABLES[table])
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  {columns}{_CONSTRAINTS.get(table, '')}\n)"


def insert_sql(table: str) -> str:
    """An INSERT statement with one ``?`` per column (the row id is left to SQLite)."""
    names = [col.name for col in TABLES[table] if col.name != "id"]
    verb = "INSERT OR IGNORE" if table == "spans" else "INSERT"
    return f"{verb} INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"


def connect(path: str, *, read_only: bool = False, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """Open the store at ``path`` in WAL mode; a writer also creates the tables if needed."""
    if read_only:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=busy_timeout_ms / 1000)
    else:
        # Transactions are explicit (BEGIN IMMEDIATE in writers), so no implicit ones here;
        # the connection is used from the SDK's export thread, serialised by the exporter's lock.
        conn = sqlite3.connect(
            path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
        )
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if not read_only:
            _set_wal(conn, busy_timeout_ms / 1000)
            conn.execute("PRAGMA synchronous = NORMAL")
            _create_schema(conn)
        check_version(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _set_wal(conn: sqlite3.Connection, wait_s: float) -> None:
    # Switching to WAL needs a moment of exclusive access; another process creating the
    # same file can hold it briefly, and this pragma does not always wait on busy_timeout.
    # Only a lock is waited for: a read-only or broken file fails at once.
    deadline = time.monotonic() + wait_s
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if not is_locked(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def is_locked(error: sqlite3.Error) -> bool:
    """True for SQLITE_BUSY / SQLITE_LOCKED (by code on Python >= 3.11, else by message)."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (5, 6)
    text = str(error).lower()
    return "locked" in text or "busy" in text


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction, committed when the block ends and rolled back if it raises."""
    # IMMEDIATE takes the write lock up front, where busy_timeout applies, instead of
    # upgrading a read lock mid-transaction, which fails at once under contention.
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        # Some errors (a full disk) have already rolled back; a second ROLLBACK would mask them.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _create_schema(conn: sqlite3.Connection) -> None:
    with write_transaction(conn):
        for table in TABLES:
            conn.execute(create_table_sql(table))
        for statement in _INDEXES:
            conn.execute(statement)
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )


def check_version(conn: sqlite3.Connection) -> int:
    """The store's schema version; raises StoreVersionError if it is newer than this code."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:
        raise StoreVersionError("not a litetrace store: it has no meta table") from None
    version = int(row[0]) if row else 0
    if version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"store schema version {version} is newer than this litetrace's ({SCHEMA_VERSION}); upgrade litetrace"
        )
    return version


def markdown() -> str:
    """The schema as Markdown: the text of docs/store-schema.md."""
    lines = [
        "# The litetrace store: SQLite schema",
        "",
        "<!-- Generated by `python -m litetrace.store > docs/store-schema.md`; "
        "edit litetrace/store/schema.py instead. -->",
        "",
        f"Schema version {SCHEMA_VERSION}. The file is in WAL mode, so several processes may write "
        "to it at once; each export batch is one transaction. A writer waits a few ms for the lock "
        "on the exporting thread and retries a locked file in the background; readers wait up to "
        f"{BUSY_TIMEOUT_MS // 1000} s. Times are ns since the Unix epoch; durations are seconds.",
    ]
    for table, columns in TABLES.items():
        promoted = any(col.attribute for col in columns)
        header = "| column | type | meaning |" + (" from span attribute |" if promoted else "")
        lines += ["", f"## `{table}`", "", header, "|---|---|---|" + ("---|" if promoted else "")]
        for col in columns:
            source = (f" `{col.attribute}` |" if col.attribute else "  |") if promoted else ""
            lines.append(f"| `{col.name}` | {col.sql_type} | {col.meaning} |{source}")
    lines += [
        "",
        "Spans are unique on `(trace_id, span_id)`; indexes: `spans(start_ns)`, "
        "`spans(provider, request_model)`, `metric_points(name, time_ns)`.",
        "",
        "Counters and histograms are stored with delta temporality (each row is what happened "
        "in its interval, so a window's total is a plain SUM); up-down counters and gauges are "
        "cumulative.",
        "",
        "Example: calls, errors and cost per model in the last hour",
        "",
        "```sql",
        "SELECT provider, request_model, COUNT(*) AS calls,",
        "       SUM(status_code = 'ERROR') AS errors, SUM(cost_usd) AS cost",
        "FROM spans",
        "WHERE operation IS NOT NULL AND start_ns >= (strftime('%s', 'now') - 3600) * 1000000000",
        "GROUP BY provider, request_model ORDER BY calls DESC;",
        "```",
        "",
    ]
    return "\n".join(lines)
