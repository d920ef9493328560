"""The ``gen_ai.client.inference.operation.details`` event: one OpenTelemetry log record (event)
per call, through the logs API, as OpenTelemetry's GenAI utilities emit it.

Emitted when ``EVENT_ONLY`` / ``SPAN_AND_EVENT`` capture is asked for (or
``OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT=true``). It carries the call's ``gen_ai.*`` keys and,
with event content on, the messages, system instructions and tool definitions in structured
form (JSON arrays decoded back to lists; a value cut at ``content_max_length`` stays a string).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from opentelemetry._logs import LogRecord, get_logger

from litetrace.attributes import content
from litetrace.attributes.conventions import INFERENCE
from litetrace.attributes.genai_names import DETAILS_EVENT
from litetrace.attributes.semconv import ERROR_TYPE, INPUT_MESSAGES, OUTPUT_MESSAGES
from litetrace.safety import internal_error
from litetrace.version import __version__

if TYPE_CHECKING:
    from litetrace.attributes.conventions import Conventions
    from litetrace.instrumentation.calls import Call
    from litetrace.settings import Settings

EVENT_NAME = "event.name"
CONTENT_KEYS = frozenset((INPUT_MESSAGES, OUTPUT_MESSAGES, content.GEN_AI_SYSTEM_INSTRUCTIONS, content.GEN_AI_TOOL_DEFINITIONS))


def structured(value: Any) -> Any:
    """A JSON array string as the list it encodes (events carry content structured)."""
    if isinstance(value, str) and value.startswith("["):
        try:
            return json.loads(value)
        except ValueError:  # cut at the size cap: keep the text
            return value
    return value


class DetailsEvents:
    """Emits the details event of each finished call."""

    def __init__(self, logger_provider: Any, settings: Settings, conventions: Conventions) -> None:
        self.logger = get_logger(__name__, __version__, logger_provider)
        self.settings = settings
        self.conventions = conventions
        try:
            LogRecord(event_name=DETAILS_EVENT)
            self.named = True
        except TypeError:  # opentelemetry-api < 1.35: the name goes in the event.name attribute
            self.named = False

    def emit(self, call: Call, error_type: str | None) -> None:
        """One event for an inference ``call`` (embeddings and others have none), linked to its span."""
        if call.operation not in INFERENCE:
            return
        try:
            twins = dict(call.attrs)
            self.conventions.add(twins)  # the gen_ai.* keys, even with genai_attributes off
            attrs = {key: value for key, value in twins.items() if not key.startswith("llm.") and key not in CONTENT_KEYS}
            if error_type is not None:
                attrs.setdefault(ERROR_TYPE, error_type)
            if self.settings.event_content:
                found: dict[str, Any] = {}
                if content.enabled_for(True, call.params, "input"):
                    content.add_input(call.operation, call.params, self.settings.content_max_length, found)
                if call.details:
                    found.update(call.details)
                attrs.update({key: structured(value) for key, value in found.items()})
            if self.named:
                record = LogRecord(event_name=DETAILS_EVENT, attributes=attrs, context=call.context)
            else:
                record = LogRecord(attributes={EVENT_NAME: DETAILS_EVENT, **attrs}, context=call.context)
            self.logger.emit(record)
        except Exception:
            internal_error("emitting the details event")
