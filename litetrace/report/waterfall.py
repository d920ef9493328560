"""A workflow trace drawn as a waterfall: inline SVG, one row per span, no script needed.

Bars sit at their start and end relative to the workflow span; a streamed LLM call's bar
carries a tick at its time to first token. Only names, times, status, model, tokens and
cost reach the page, each HTML-escaped (span and workflow names come from users' code).
"""

from __future__ import annotations

from html import escape

from litetrace.report import units
from litetrace.report.summary import model_label
from litetrace.report.traces import LLM, Row, WorkflowTrace, span_kind

# At most this many rows per waterfall: a workflow with hundreds of calls stays readable.
MAX_ROWS = 60
WIDTH = 1100
LABEL_WIDTH = 330
INDENT = 14
BAR_LEFT = LABEL_WIDTH + 10
BAR_WIDTH = WIDTH - BAR_LEFT - 70  # room for the duration written after the last bar
ROW_HEIGHT = 22
AXIS_HEIGHT = 26
LABEL_CHARS = 44

COLORS = {"workflow": "#7b61ff", "task": "#f5a623", "agent": "#19a7b8", "tool": "#8c9a2a", LLM: "#636efa"}
ERROR_COLOR = "#ef553b"
OTHER_COLOR = "#9aa5b1"
TTFT_COLOR = "#1f2933"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: float) -> str:
    return f"{value:.1f}"


def _details(row: Row) -> str:
    """The row's tooltip: name, kind, duration, and for an LLM call its model, TTFT, tokens and cost."""
    span = row.span
    parts = [span.name, span_kind(span), units.seconds(span.duration_s)]
    if span.operation is not None:
        parts.append(model_label(span.provider, span.model))
        if span.ttft_s is not None:
            parts.append(f"TTFT {units.seconds(span.ttft_s)}")
        if span.prompt_tokens is not None or span.completion_tokens is not None:
            parts.append(f"tokens {units.count(span.prompt_tokens)} in / {units.count(span.completion_tokens)} out")
        if span.cost_usd is not None:
            parts.append(units.dollars(span.cost_usd))
    if span.is_error:
        parts.append("error" + (f": {span.error_type}" if span.error_type else ""))
    return " · ".join(parts)


def _axis(total_s: float, height: int) -> list[str]:
    parts = []
    for step in range(5):
        x = BAR_LEFT + BAR_WIDTH * step / 4
        parts.append(f'<line x1="{_number(x)}" y1="{AXIS_HEIGHT - 6}" x2="{_number(x)}" y2="{height}" class="grid-line"/>')
        anchor = "start" if step == 0 else "end" if step == 4 else "middle"
        parts.append(f'<text x="{_number(x)}" y="{AXIS_HEIGHT - 10}" text-anchor="{anchor}" class="axis">'
                     f"{escape(units.seconds(total_s * step / 4))}</text>")
    return parts


def _row(row: Row, index: int, root_start_ns: int, total_ns: int) -> str:
    span = row.span
    kind = span_kind(span)
    top = AXIS_HEIGHT + index * ROW_HEIGHT
    middle = top + ROW_HEIGHT / 2
    scale = BAR_WIDTH / total_ns
    # Clamped to the workflow's span: a child timed on another host's clock may stick out of it.
    x0 = BAR_LEFT + min(total_ns, max(0, span.start_ns - root_start_ns)) * scale
    x1 = BAR_LEFT + min(total_ns, max(0, span.end_ns - root_start_ns)) * scale
    width = max(1.5, x1 - x0)  # a very short call is still a visible sliver
    color = ERROR_COLOR if span.is_error else COLORS.get(kind, OTHER_COLOR)
    label = _short(span.name, LABEL_CHARS - row.depth * 2)
    parts = [
        f'<g class="span-row" data-span-id="{escape(span.span_id)}" data-parent-id="{escape(span.parent_span_id or "")}"'
        f' data-depth="{row.depth}" data-kind="{escape(kind)}">',
        f"<title>{escape(_details(row))}</title>",
        f'<text x="{6 + row.depth * INDENT}" y="{_number(middle + 4)}" class="label">{escape(label)}</text>',
        f'<rect x="{_number(x0)}" y="{top + 4}" width="{_number(width)}" height="{ROW_HEIGHT - 8}" rx="2" fill="{color}"/>',
    ]
    if span.ttft_s is not None and span.ttft_s >= 0:
        # TTFT counts from the call's start, so the tick sits that far into the call's own bar.
        tick = min(x0 + span.ttft_s * 1e9 * scale, x0 + width)
        parts.append(f'<line class="ttft" x1="{_number(tick)}" y1="{top + 2}" x2="{_number(tick)}" y2="{top + ROW_HEIGHT - 2}"'
                     f' stroke="{TTFT_COLOR}" stroke-width="2"/>')
    parts.append(f'<text x="{_number(x0 + width + 4)}" y="{_number(middle + 4)}" class="duration">'
                 f"{escape(units.seconds(span.duration_s))}</text>")
    parts.append("</g>")
    return "".join(parts)


def waterfall_svg(trace: WorkflowTrace, element_id: str) -> str:
    """The trace as an SVG waterfall (its first ``MAX_ROWS`` spans), with a note of any left out."""
    rows = trace.rows[:MAX_ROWS]
    root = trace.root
    total_ns = max(1, root.end_ns - root.start_ns)
    height = AXIS_HEIGHT + len(rows) * ROW_HEIGHT + 6
    body = [*_axis(total_ns / 1e9, height), *(_row(row, index, root.start_ns, total_ns) for index, row in enumerate(rows))]
    svg = (
        f'<svg id="{escape(element_id)}" class="waterfall" xmlns="http://www.w3.org/2000/svg" role="img"'
        f' viewBox="0 0 {WIDTH} {height}" width="100%" style="max-width:{WIDTH}px"'
        f' aria-label="{escape(f"waterfall of workflow {trace.name}")}">' + "".join(body) + "</svg>"
    )
    left_out = len(trace.rows) - len(rows)
    if left_out > 0:
        svg += f'<p class="note">{left_out} more spans not shown.</p>'
    return svg


def legend_html() -> str:
    """The colour key shared by every waterfall on the page."""
    keys = [(COLORS["workflow"], "workflow"), (COLORS["task"], "task"), (COLORS[LLM], "LLM call"),
            (ERROR_COLOR, "failed span")]
    swatches = "".join(f'<span class="key"><span class="swatch" style="background:{color}"></span>{name}</span>'
                       for color, name in keys)
    ttft = f'<span class="key"><span class="tick" style="background:{TTFT_COLOR}"></span>time to first token</span>'
    return f'<p class="legend">{swatches}{ttft}</p>'
