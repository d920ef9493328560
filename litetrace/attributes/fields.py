"""Reading fields from LiteLLM objects, which may be pydantic models, dicts or fakes."""

from __future__ import annotations

from typing import Any

_ABSENT = object()
_NOTHING: dict[str, Any] = {}
# Per class: None when it is not a pydantic model, else the names its classes define
# (properties, methods), which only ``getattr`` can read. A few dozen LiteLLM classes.
_CLASSES: dict[type, frozenset[str] | None] = {}
# Per (pydantic class, names read together): whether none of the names is private or defined
# on the class, so that the instance's field values and extras answer them all.
_PLAIN: dict[tuple[type, tuple[str, ...]], bool] = {}


def _class_names(cls: type, obj: Any) -> frozenset[str] | None:
    if not (hasattr(cls, "__pydantic_fields__") and hasattr(obj, "__pydantic_extra__")):
        return None
    return frozenset(name for klass in cls.__mro__ for name in vars(klass))


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
    on_class = _CLASSES.get(cls, _ABSENT)
    if on_class is _ABSENT:
        on_class = _CLASSES[cls] = _class_names(cls, obj)
    if on_class is None:
        return getattr(obj, name, None)
    value = obj.__dict__.get(name, _ABSENT)
    if value is not _ABSENT:
        return value
    stored = obj.__pydantic_private__ if name[:1] == "_" else obj.__pydantic_extra__
    if stored:
        value = stored.get(name, _ABSENT)
        if value is not _ABSENT:
            return value
    return getattr(obj, name, None) if name in on_class else None  # type: ignore[operator]


def fields(obj: Any, names: tuple[str, ...]) -> list[Any]:
    """``field(obj, name)`` for each of ``names``, in one call: what an extractor reads of one
    object, without a function call per name."""
    if obj is None:
        return [None] * len(names)
    if isinstance(obj, dict):
        get = obj.get
        return [get(name) for name in names]
    cls = type(obj)
    on_class = _CLASSES.get(cls, _ABSENT)
    if on_class is _ABSENT:
        on_class = _CLASSES[cls] = _class_names(cls, obj)
    if on_class is None:
        return [getattr(obj, name, None) for name in names]
    stored = obj.__dict__
    extra = obj.__pydantic_extra__ or _NOTHING
    plain = _PLAIN.get((cls, names))
    if plain is None:
        plain = _PLAIN[(cls, names)] = on_class.isdisjoint(names) and not any(name[:1] == "_" for name in names)
    if plain:  # every name is a field or an extra: one lookup each, in C (fields win, as in pydantic)
        return list(map((extra | stored if extra else stored).get, names))
    values = []
    for name in names:
        value = stored.get(name, _ABSENT)
        if value is _ABSENT:  # field()'s slower steps, inline: a miss is the common case here
            value = extra.get(name, _ABSENT) if name[:1] != "_" else field(obj, name)
            if value is _ABSENT:
                value = getattr(obj, name, None) if name in on_class else None  # type: ignore[operator]
        values.append(value)
    return values


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
