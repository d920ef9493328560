"""Short human formats for report cells: durations, counts, rates and dollars."""

from __future__ import annotations

from datetime import datetime

MISSING = "-"


def when(ns: int) -> str:
    """A local date and time from epoch nanoseconds: ``2026-12-03 10:15:02``."""
    return datetime.fromtimestamp(ns / 1e9).strftime("%Y-%m-%d %H:%M:%S")


def seconds(value: float | None) -> str:
    """``820ms``, ``2.41s``, ``12.4s``, ``75s``."""
    if value is None:
        return MISSING
    if value < 1:
        return f"{value * 1000:.0f}ms"
    if value < 10:
        return f"{value:.2f}s"
    if value < 100:
        return f"{value:.1f}s"
    return f"{value:.0f}s"


def count(value: int | None) -> str:
    """``950``, ``12.3k``, ``4.56M``."""
    if value is None:
        return MISSING
    if abs(value) < 10_000:
        return str(value)
    if abs(value) < 1_000_000:
        return f"{value / 1000:.1f}k"
    return f"{value / 1_000_000:.2f}M"


def rate(value: float | None) -> str:
    """Chunks per second with one decimal."""
    return MISSING if value is None else f"{value:.1f}"


def dollars(value: float | None) -> str:
    """``$0.0123`` below a dollar (LLM calls are cheap), ``$12.34`` above."""
    if value is None:
        return MISSING
    return f"${value:.4f}" if value < 1 else f"${value:,.2f}"
