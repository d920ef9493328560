"""The caller's OpenTelemetry context of calls no wrapper saw, for their callback-built spans.

LiteLLM runs ``log_pre_api_call`` on the caller's thread (or task) before the request;
its success callback runs later on a logging thread, where the caller's parent span and
``litetrace.context`` are gone. The pre-call hook keeps the caller's context here, keyed
by ``litellm_call_id``, until the callback takes it. Bounded: the oldest entries go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from opentelemetry.context import Context

MAX_ENTRIES = 4096


class CallerContexts:
    """A bounded, thread-safe map of call id -> caller context."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max = max_entries
        self._lock = threading.Lock()
        self._contexts: OrderedDict[str, Context] = OrderedDict()

    def __len__(self) -> int:
        return len(self._contexts)

    def remember(self, call_id: str, context: Context) -> None:
        """Keep the caller's context of ``call_id``."""
        with self._lock:
            self._contexts[call_id] = context
            while len(self._contexts) > self._max:
                self._contexts.popitem(last=False)

    def take(self, call_id: str) -> Context | None:
        """The caller's context of ``call_id`` (once), or None."""
        if not self._contexts:
            return None
        with self._lock:
            return self._contexts.pop(call_id, None)
