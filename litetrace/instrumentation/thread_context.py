"""Context across threads: ``opentelemetry-instrumentation-threading``, switched on with litetrace.

It copies the OpenTelemetry context (the current span and litetrace's workflow scope)
into ``threading.Thread`` and ``ThreadPoolExecutor`` work, so LLM spans of a fan-out
stay children of their workflow. Installed with ``pip install 'litetrace[threads]'``;
``instrument(thread_context=False)`` or ``LITETRACE_THREAD_CONTEXT=false`` leaves it off.
litetrace only undoes what it switched on: if the application instrumented threading
itself, it stays so.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("litetrace")


def enable() -> bool:
    """Instrument threading; True when litetrace did it (and so should undo it)."""
    try:
        from opentelemetry.instrumentation.threading import ThreadingInstrumentor
    except ImportError:
        logger.debug("litetrace: opentelemetry-instrumentation-threading not installed; "
                     "threads start without the caller's context")
        return False
    instrumentor = ThreadingInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        return False
    instrumentor.instrument()
    return True


def disable() -> None:
    """Undo ``enable()``."""
    from opentelemetry.instrumentation.threading import ThreadingInstrumentor

    instrumentor = ThreadingInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
