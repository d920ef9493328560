"""Deprecated alias of ``litetrace.demo.local_provider`` (kept for one release)."""

from __future__ import annotations

import warnings

from litetrace.demo.local_provider import OVERRIDE_HEADER, Behavior, LocalProvider  # noqa: F401  # re-exported

warnings.warn("litetrace.local_provider is deprecated: import from litetrace.demo.local_provider",
              DeprecationWarning, stacklevel=2)
