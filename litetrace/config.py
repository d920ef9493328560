"""Deprecated alias of ``litetrace.settings`` (kept for one release)."""

from __future__ import annotations

import warnings

from litetrace.settings import (  # noqa: F401  # re-exported
    CALLBACK_DEADLINE_ENV,
    CAPTURE_CONTENT_ENV,
    CHUNK_GAP_METRICS_ENV,
    CONTENT_MAX_LENGTH_ENV,
    GENAI_ATTRIBUTES_ENV,
    Settings,
    env_flag,
)

warnings.warn("litetrace.config is deprecated: import from litetrace.settings", DeprecationWarning, stacklevel=2)
