"""Package names that load on first use (PEP 562), so ``import litetrace`` stays light.

``from litetrace import Instrumentor`` must not import the OpenTelemetry SDK, the store or
the report code; the names that need them (``setup``, ``buffer``, ...) load when first read.
Three of them share their name with the submodule that defines them (``litetrace.setup``,
``litetrace.tracing.buffer``, ``litetrace.tracing.context``): importing such a submodule makes
Python bind it on its package, over the function. ``LazyPackage`` binds the function instead,
as the eager ``from litetrace.setup import setup`` used to.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any


class LazyPackage(ModuleType):
    """A package module that keeps a public name bound to the object, not its same-named submodule."""

    def __setattr__(self, name: str, value: Any) -> None:
        lazy = self.__dict__.get("_LAZY", {})
        if isinstance(value, ModuleType) and value.__name__ == f"{self.__name__}.{name}" and name in lazy:
            value = getattr(value, name, value)
        super().__setattr__(name, value)


def attach(package: str, lazy: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: each name in ``lazy`` loads from its module.

    A source is ``"module"`` (the same name there) or ``"module:attribute"`` (an alias).
    """
    module = sys.modules[package]
    module.__class__ = LazyPackage
    namespace = module.__dict__
    namespace["_LAZY"] = dict(lazy)

    def __getattr__(name: str) -> Any:
        source = lazy.get(name)
        if source is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module_name, _, attribute = source.partition(":")
        value = getattr(importlib.import_module(module_name), attribute or name)
        namespace[name] = value  # later reads find it without calling here
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *lazy})

    return __getattr__, __dir__
