"""Repair of values SQLite refuses: lone surrogates in text, integers beyond 64 bits."""

from __future__ import annotations

from typing import Any

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def clean_text(value: str) -> str:
    """``value`` as valid Unicode: surrogate pairs joined, lone surrogates replaced by U+FFFD."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # UTF-16 round trip: a well-formed pair (as json or a C extension may leave it) becomes its
        # character again; only a surrogate without its partner is replaced.
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and not _INT64_MIN <= value <= _INT64_MAX:
        return None  # an integer column cannot hold it; the attribute JSON keeps the value
    return value


def clean_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """``row`` with every value SQLite would refuse repaired (slow path: only after a refusal)."""
    return tuple(_clean_value(value) for value in row)
