"""The terminal report: one row per (provider, model), plain text, sized for a 100-column terminal."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from litetrace.report import units
from litetrace.report.summary import ModelSummary, summarize, summarize_all
from litetrace.store.location import store_path
from litetrace.store.reader import SpanRecord, load_spans

GAP = "  "
MIN_MODEL_WIDTH = 16


@dataclass(frozen=True)
class _Column:
    group: str
    header: str
    cell: Callable[[ModelSummary], str]


_COLUMNS: tuple[_Column, ...] = (
    _Column("", "calls", lambda s: units.count(s.calls)),
    _Column("", "errors", lambda s: units.count(s.errors)),
    _Column("latency", "p50", lambda s: units.seconds(s.latency_p50)),
    _Column("latency", "p95", lambda s: units.seconds(s.latency_p95)),
    _Column("ttft", "p50", lambda s: units.seconds(s.ttft_p50)),
    _Column("ttft", "p95", lambda s: units.seconds(s.ttft_p95)),
    _Column("chunks/s", "median", lambda s: units.rate(s.chunks_per_second_median)),
    _Column("tokens", "prompt", lambda s: units.count(s.prompt_tokens)),
    _Column("tokens", "compl.", lambda s: units.count(s.completion_tokens)),
    _Column("", "cost", lambda s: units.dollars(s.cost_usd)),
)


def _gap(index: int) -> str:
    """The space before column ``index``: one inside a group, two between groups."""
    group = _COLUMNS[index].group
    return " " if index and group and _COLUMNS[index - 1].group == group else GAP


def _group_header(widths: list[int]) -> str:
    """The line above the headers: each group's name centred over its columns."""
    parts: list[str] = []
    index = 0
    while index < len(_COLUMNS):
        group = _COLUMNS[index].group
        end = index
        while end + 1 < len(_COLUMNS) and _COLUMNS[end + 1].group == group:
            end += 1
        span = sum(widths[index : end + 1]) + sum(len(_gap(j)) for j in range(index + 1, end + 1))
        parts.append(_gap(index) + (group.center(span) if group else " " * span))
        index = end + 1
    return "".join(parts)


def format_table(
    summaries: Sequence[ModelSummary], *, width: int = 100, total: ModelSummary | None = None, by: str = "model"
) -> str:
    """The table of ``summaries`` (plus a ``total`` row), then the errors by category."""
    rows = [*summaries, *([total] if total is not None else [])]
    cells = [[column.cell(summary) for column in _COLUMNS] for summary in rows]
    widths = [max(len(column.header), *(len(row[i]) for row in cells)) for i, column in enumerate(_COLUMNS)]
    # A group's name must fit over its columns: widen the group's last column if not.
    for i, column in enumerate(_COLUMNS):
        members = [j for j, other in enumerate(_COLUMNS) if other.group == column.group]
        if column.group and i == members[-1]:
            span = sum(widths[j] for j in members) + len(members) - 1
            widths[i] += max(0, len(column.group) - span)
    numbers_width = sum(widths) + sum(len(_gap(i)) for i in range(len(widths)))
    wanted = max(len(by), *(len(summary.label) for summary in rows))
    model_width = max(MIN_MODEL_WIDTH, min(wanted, width - numbers_width))

    def line(first: str, values: Sequence[str]) -> str:
        numbers = "".join(_gap(i) + value.rjust(widths[i]) for i, value in enumerate(values))
        # A name too long for its column gets a line of its own, the numbers under it.
        if len(first) > model_width:
            return f"{first}\n{' ' * model_width}{numbers}"
        return f"{first.ljust(model_width)}{numbers}".rstrip()

    rule = "-" * (model_width + numbers_width)
    out = [
        (" " * model_width + _group_header(widths)).rstrip(),
        line(by, [column.header for column in _COLUMNS]),
        rule,
    ]
    for summary, row in zip(summaries, cells, strict=False):
        out.append(line(summary.label, row))
    if total is not None:
        out += [rule, line(total.label, cells[-1])]
    out += _errors_section(summaries)
    return "\n".join(out)


def _errors_section(summaries: Sequence[ModelSummary]) -> list[str]:
    failing = [summary for summary in summaries if summary.errors]
    if not failing:
        return []
    out = ["", "errors by category"]
    for summary in failing:
        categories = ", ".join(f"{name} {number}" for name, number in summary.errors_by_category.items())
        out.append(f"  {summary.label}: {categories}")
    return out


def render_text(spans: Sequence[SpanRecord], *, width: int = 100, source: str | None = None, by: str = "model") -> str:
    """The whole text report for ``spans``: a heading line, the table and the errors."""
    where = f" in {source}" if source else ""
    if not spans:
        return f"No LiteLLM calls recorded{where}."
    first = min(span.start_ns for span in spans)
    last = max(span.end_ns for span in spans)
    heading = f"{len(spans)} LiteLLM calls, {units.when(first)} to {units.when(last)}"
    if source:
        heading += f"\nstore: {source}"
    summaries = summarize(spans, by)
    # Tags count a call once per tag: a total over the groups would count it twice.
    total = summarize_all(spans) if len(summaries) > 1 and by != "tag" else None
    footnote = "latency: successful calls, whole call including the stream; ttft: streamed calls"
    return f"{heading}\n\n{format_table(summaries, width=width, total=total, by=by)}\n\n{footnote}"


def report_text(
    path: str | os.PathLike[str] | None = None,
    *,
    since_ns: int | None = None,
    until_ns: int | None = None,
    limit: int | None = None,
    width: int = 100,
    by: str = "model",
) -> str:
    """Load LiteLLM spans from the store at ``path`` and render the text report, grouped ``by``."""
    resolved = store_path(path)
    spans = load_spans(resolved, since_ns=since_ns, until_ns=until_ns, limit=limit, with_attributes=by != "model")
    return render_text(spans, width=width, source=resolved, by=by)
