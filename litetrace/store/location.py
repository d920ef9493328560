"""Where the embedded store lives unless told otherwise."""

from __future__ import annotations

import os

from litetrace.settings import STORE_ENV, env

DEFAULT_FILENAME = "litetrace.db"


def default_store_path() -> str:
    """``$LITETRACE_DB`` when set, else ``./litetrace.db`` in the current directory."""
    return env(STORE_ENV) or os.path.join(os.curdir, DEFAULT_FILENAME)


def store_path(path: str | os.PathLike[str] | None) -> str:
    """``path`` as a string, or the default store when it is None."""
    return os.fspath(path) if path is not None else default_store_path()
