"""Reading fields from LiteLLM objects, which may be pydantic models, dicts or fakes."""

from __future__ import annotations

from typing import Any


def field(obj: Any, name: str) -> Any:
    """``obj[name]`` for dicts, ``obj.name`` otherwise; None when absent.

    Values decide, never presence: LiteLLM objects answer ``hasattr`` with True for
    almost anything, so callers test the value they get back.
    """
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def as_int(value: Any) -> int | None:
    """An int (not a bool), or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_number(value: Any) -> float | int | None:
    """An int or float (not a bool), or None."""
    if isinstance(value, bool):
        return None
    return value if isinstance(value, (int, float)) else None


def as_str(value: Any) -> str | None:
    """A non-empty string, or None."""
    return value if isinstance(value, str) and value else None


def text_length(content: Any) -> int:
    """Characters of text in a message content: a string or a list of parts."""
    if isinstance(content, str):
        return len(content)
    total = 0
    if isinstance(content, (list, tuple)):
        for part in content:
            if isinstance(part, str):
                total += len(part)
            else:
                text = field(part, "text")
                if isinstance(text, str):
                    total += len(text)
    return total


def inputs_of(value: Any) -> list[Any]:
    """A single input or a list of inputs as a list."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]
