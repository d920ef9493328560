"""Duration histograms of workflow, agent and tool spans, under the GenAI conventions' names.

Names and buckets from open-telemetry/semantic-conventions-genai, docs/gen-ai/gen-ai-metrics.md
at revision 004902b8cb70aa5ae6ca4ae07132b7daabcd3e10: ``gen_ai.workflow.duration``,
``gen_ai.invoke_agent.duration``, ``gen_ai.execute_tool.duration`` (the installed
semantic-conventions package has no constants for them yet). Tasks have no convention: no metric.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.metrics import Histogram, Meter

from litetrace.attributes import semconv
from litetrace.tracing import conventions as c

WORKFLOW_DURATION = "gen_ai.workflow.duration"
AGENT_DURATION = "gen_ai.invoke_agent.duration"
TOOL_DURATION = "gen_ai.execute_tool.duration"

WORKFLOW_BUCKETS = (1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200)
AGENT_BUCKETS = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 102.4, 204.8, 409.6)
TOOL_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)

# Decorator kind -> the metric's name attribute.
NAME_ATTRIBUTE = {
    "workflow": c.WORKFLOW_NAME,
    "agent": c.AGENT_NAME,
    "tool": c.TOOL_NAME,
}


class SpanDurations:
    """One histogram per decorator kind that the conventions measure."""

    def __init__(self, meter: Meter) -> None:
        def histogram(name: str, description: str, buckets: tuple[float, ...]) -> Histogram:
            return meter.create_histogram(name, unit="s", description=description,
                                          explicit_bucket_boundaries_advisory=buckets)

        self.by_kind: dict[str, Histogram] = {
            "workflow": histogram(WORKFLOW_DURATION, "GenAI workflow duration", WORKFLOW_BUCKETS),
            "agent": histogram(AGENT_DURATION, "Duration of one agent invocation", AGENT_BUCKETS),
            "tool": histogram(TOOL_DURATION, "Duration of one tool execution", TOOL_BUCKETS),
        }

    def record(self, kind: str, name: str, seconds: float, error_type: str | None, context: Any) -> None:
        """One finished span's duration (nothing for tasks)."""
        histogram = self.by_kind.get(kind)
        if histogram is None:
            return
        dims: dict[str, Any] = {NAME_ATTRIBUTE[kind]: name}
        if error_type:
            dims[semconv.ERROR_TYPE] = error_type
        histogram.record(seconds, dims, context)
