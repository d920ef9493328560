"""Content capture modes, as OpenTelemetry's GenAI utilities (opentelemetry-util-genai) name them.

``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`` (or ``capture_content=``) takes
``NO_CONTENT``, ``SPAN_ONLY``, ``EVENT_ONLY``, ``SPAN_AND_EVENT`` (any case) or the booleans
litetrace accepted before (``true``/``1``/``yes``/``on`` = ``SPAN_ONLY``; ``false``/``0`` =
``NO_CONTENT``). ``OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT=true|false`` overrides whether the
``gen_ai.client.inference.operation.details`` event is emitted, as in those utilities.
"""

from __future__ import annotations

import logging
import os
from typing import NamedTuple

CAPTURE_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
EMIT_EVENT_ENV = "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT"

NO_CONTENT = "NO_CONTENT"
SPAN_ONLY = "SPAN_ONLY"
EVENT_ONLY = "EVENT_ONLY"
SPAN_AND_EVENT = "SPAN_AND_EVENT"
_MODES = (NO_CONTENT, SPAN_ONLY, EVENT_ONLY, SPAN_AND_EVENT)
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")

_log = logging.getLogger(__name__)


class Capture(NamedTuple):
    """Where content goes, and whether the details event is emitted at all."""

    on_span: bool
    on_event: bool
    emit_event: bool


def mode_of(value: bool | str) -> str:
    """The mode a boolean or a mode/boolean string names; ValueError for anything else."""
    if isinstance(value, bool):
        return SPAN_ONLY if value else NO_CONTENT
    if not isinstance(value, str):
        raise TypeError(f"capture_content must be a boolean or a mode name, got {value!r}")
    text = value.strip()
    if text.upper() in _MODES:
        return text.upper()
    if text.lower() in _TRUE:
        return SPAN_ONLY
    if text.lower() in _FALSE:
        return NO_CONTENT
    raise ValueError(f"capture_content must be a boolean or one of {', '.join(_MODES)}, got {value!r}")


def resolve(value: bool | str | None) -> Capture:
    """Argument first, then the environment; an unknown environment value captures nothing."""
    if value is None:
        try:
            mode = mode_of(os.environ.get(CAPTURE_CONTENT_ENV, ""))
        except ValueError:
            # Other instrumentations read this variable too: warn rather than break start-up.
            _log.warning("%s=%r is not a content capture mode; capturing no content", CAPTURE_CONTENT_ENV,
                         os.environ.get(CAPTURE_CONTENT_ENV))  # fmt: skip
            mode = NO_CONTENT
    else:
        mode = mode_of(value)
    on_event = mode in (EVENT_ONLY, SPAN_AND_EVENT)
    from litetrace.settings import env

    emit = env(EMIT_EVENT_ENV)  # None: as the mode says
    emit_event = on_event if emit is None else bool(emit)
    return Capture(on_span=mode in (SPAN_ONLY, SPAN_AND_EVENT), on_event=on_event and emit_event, emit_event=emit_event)
