"""Workflow traces from stored spans: each root ``@workflow`` span with its descendants, in display order.

A workflow trace is a trace whose root span is a ``@workflow`` span (``llm.span.kind=workflow``);
its rows are the root, then each child before its own children, siblings by start time.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from litetrace.attributes import names as n
from litetrace.store.reader import SpanRecord, load_spans

WORKFLOW = "workflow"
LLM = "llm"
OTHER = "other"


def span_kind(span: SpanRecord) -> str:
    """``workflow``, ``task``, ``agent`` or ``tool`` for decorator spans, ``llm`` for LiteLLM calls, else ``other``."""
    if span.operation is not None:
        return LLM
    kind = (span.attributes or {}).get(n.SPAN_KIND)
    return kind if isinstance(kind, str) and kind else OTHER


@dataclass(frozen=True)
class Row:
    """One span of a trace and how deep it sits below the root (the root is 0)."""

    span: SpanRecord
    depth: int


@dataclass(frozen=True)
class WorkflowTrace:
    """A root workflow span and every span below it, depth first."""

    rows: tuple[Row, ...]

    @property
    def root(self) -> SpanRecord:
        """The workflow span."""
        return self.rows[0].span

    @property
    def name(self) -> str:
        """The workflow's name as the decorator gave it (the span name if it is missing)."""
        found = (self.root.attributes or {}).get(n.WORKFLOW_NAME)
        return str(found) if found else self.root.name

    @property
    def duration_s(self) -> float:
        """Wall time of the workflow span."""
        return self.root.duration_s

    @property
    def llm_calls(self) -> list[SpanRecord]:
        """The LiteLLM call spans inside the workflow."""
        return [row.span for row in self.rows if row.span.operation is not None]

    @property
    def cost_usd(self) -> float | None:
        """Summed cost of the LLM calls inside; None when none of them reported a cost."""
        costs = [span.cost_usd for span in self.llm_calls if span.cost_usd is not None]
        return sum(costs) if costs else None


def _is_workflow_root(span: SpanRecord) -> bool:
    return span.parent_span_id is None and span_kind(span) == WORKFLOW


def workflow_traces(spans: Iterable[SpanRecord]) -> list[WorkflowTrace]:
    """Every workflow trace among ``spans`` (which need their attributes), oldest first."""
    by_trace: dict[str, list[SpanRecord]] = defaultdict(list)
    for span in spans:
        by_trace[span.trace_id].append(span)
    traces = []
    for members in by_trace.values():
        children: dict[str, list[SpanRecord]] = defaultdict(list)
        for span in members:
            if span.parent_span_id is not None:
                children[span.parent_span_id].append(span)
        for root in (span for span in members if _is_workflow_root(span)):
            traces.append(WorkflowTrace(tuple(_depth_first(root, children))))
    traces.sort(key=lambda trace: trace.root.start_ns)
    return traces


def _depth_first(root: SpanRecord, children: dict[str, list[SpanRecord]]) -> list[Row]:
    rows: list[Row] = []
    seen: set[str] = set()
    stack = [(root, 0)]
    while stack:
        span, depth = stack.pop()
        # A store written by something else could hold a parent loop: show each span once.
        if span.span_id in seen:
            continue
        seen.add(span.span_id)
        rows.append(Row(span, depth))
        below = sorted(children.get(span.span_id, ()), key=lambda child: (child.start_ns, child.span_id))
        stack.extend((child, depth + 1) for child in reversed(below))
    return rows


def slowest(traces: Sequence[WorkflowTrace], count: int) -> list[WorkflowTrace]:
    """The ``count`` longest workflow runs, longest first (the earlier of two equal ones first)."""
    return sorted(traces, key=lambda trace: (-trace.duration_s, trace.root.start_ns))[:count]


def most_expensive(traces: Sequence[WorkflowTrace], count: int) -> list[WorkflowTrace]:
    """The ``count`` costliest workflow runs that reported a cost, costliest first (the earlier of two equal ones first)."""
    priced = [trace for trace in traces if trace.cost_usd]
    # Runs of the same calls cost the same: rounded, so float summing order cannot decide between them.
    return sorted(priced, key=lambda trace: (-round(trace.cost_usd or 0.0, 12), trace.root.start_ns))[:count]


def load_workflow_traces(
    path: str | os.PathLike[str] | None = None, *, since_ns: int | None = None, until_ns: int | None = None
) -> list[WorkflowTrace]:
    """The workflow traces whose spans started in [since_ns, until_ns) in the store at ``path``."""
    return workflow_traces(load_spans(path, since_ns=since_ns, until_ns=until_ns, llm_only=False, with_attributes=True))
