"""Reading fields from LiteLLM objects, which may be pydantic models, dicts or fakes."""

from __future__ import annotations

from typing import Any

_ABSENT = object()
# Per class: is it a pydantic model? Per (class, name): does the class itself define the name?
# Both stay small: a few dozen LiteLLM classes, and the names are the literals of this package.
_PYDANTIC: dict[type, bool] = {}
_ON_CLASS: dict[tuple[type, str], bool] = {}


def field(obj: Any, name: str) -> Any:
    """``obj[name]`` for dicts, ``obj.name`` otherwise; None when absent.

    Values decide, never presence: LiteLLM objects answer ``hasattr`` with True for
    almost anything, so callers test the value they get back.

    LiteLLM's objects are pydantic models, where ``getattr`` is slow exactly where this
    path goes most: a name the model lacks (``usage.input_tokens`` on a Chat Completions
    usage) raises inside pydantic's ``__getattr__`` (~4 us), and an extra or private field
    (``response.usage``, ``response._hidden_params``) reaches its value through that
    fallback too (1.5-3.5 us). Reading pydantic's own storage gives the same values in a
    tenth of the time; class-level names (properties, methods) still go through ``getattr``.
    """
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    cls = type(obj)
    pydantic = _PYDANTIC.get(cls)
    if pydantic is None:
        pydantic = _PYDANTIC[cls] = hasattr(cls, "__pydantic_fields__") and hasattr(obj, "__pydantic_extra__")
    if not pydantic:
        return getattr(obj, name, None)
    value = obj.__dict__.get(name, _ABSENT)
    if value is not _ABSENT:
        return value
    stored = obj.__pydantic_private__ if name[:1] == "_" else obj.__pydantic_extra__
    if stored:
        value = stored.get(name, _ABSENT)
        if value is not _ABSENT:
            return value
    key = (cls, name)
    on_class = _ON_CLASS.get(key)
    if on_class is None:
        on_class = _ON_CLASS[key] = any(name in klass.__dict__ for klass in cls.__mro__)
    return getattr(obj, name, None) if on_class else None


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
