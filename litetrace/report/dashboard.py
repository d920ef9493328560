"""The dashboard: one self-contained HTML file (Plotly inlined, no network) of the stored calls.

Needs the ``dashboard`` extra (``pip install 'litetrace[dashboard]'``, which brings Plotly).
"""

from __future__ import annotations

import html
import os
import time
from collections.abc import Sequence
from pathlib import Path

from litetrace.report import units
from litetrace.report.summary import ModelSummary, summarize, summarize_all
from litetrace.report.traces import WorkflowTrace, most_expensive, slowest, workflow_traces
from litetrace.report.waterfall import legend_html, waterfall_svg
from litetrace.store.location import store_path
from litetrace.store.reader import SpanRecord, load_spans

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px; color: #1f2933; }
h1 { font-size: 22px; margin: 0 0 4px; }
p.meta { color: #52606d; margin: 0 0 18px; }
.table { overflow-x: auto; margin-bottom: 24px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 5px 9px; border-bottom: 1px solid #e4e7eb; text-align: right; }
td { white-space: nowrap; }
th.categories { text-align: left; }
td.categories { white-space: normal; min-width: 160px; max-width: 260px; text-align: left; }
th { background: #f5f7fa; font-weight: 600; vertical-align: bottom; }
td:first-child, th:first-child { text-align: left; }
tr.total td { font-weight: 600; border-top: 2px solid #9aa5b1; }
/* auto-fill, not auto-fit: a chart drawn while it is the grid's only item must get its final width. */
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; }
.chart { border: 1px solid #e4e7eb; border-radius: 6px; padding: 4px; min-width: 0; }
.empty { font-size: 16px; color: #52606d; padding: 40px 0; }
h2 { font-size: 18px; margin: 28px 0 6px; }
h3 { font-size: 15px; margin: 18px 0 2px; }
h3 .rank { font-weight: 400; font-size: 12px; color: #52606d; margin-left: 8px; }
p.note { color: #52606d; margin: 4px 0 12px; }
.trace { border: 1px solid #e4e7eb; border-radius: 6px; padding: 4px 10px 8px; margin-bottom: 12px; }
svg.waterfall { display: block; font-size: 12px; }
svg.waterfall text.label { fill: #1f2933; }
svg.waterfall text.axis, svg.waterfall text.duration { fill: #52606d; font-size: 11px; }
svg.waterfall .grid-line { stroke: #e4e7eb; }
svg.waterfall .span-row:hover text.label { font-weight: 600; }
p.legend .key { margin-right: 14px; font-size: 12px; color: #52606d; }
p.legend .swatch { display: inline-block; width: 12px; height: 10px; border-radius: 2px; margin-right: 4px; }
p.legend .tick { display: inline-block; width: 2px; height: 12px; margin-right: 4px; vertical-align: middle; }
.tables { display: flex; flex-wrap: wrap; gap: 24px; }
"""

_HEADERS = (
    "model", "calls", "errors", "errors by category", "latency p50", "latency p95", "TTFT p50", "TTFT p95",
    "chunks/s p50", "prompt tokens", "completion tokens", "cost",
)


def _plotly_js() -> str:
    try:
        from plotly.offline import get_plotlyjs
    except ImportError:
        raise ImportError("the dashboard needs Plotly: pip install 'litetrace[dashboard]'") from None
    return str(get_plotlyjs())


def _row(summary: ModelSummary, css_class: str = "") -> str:
    categories = ", ".join(f"{name} {number}" for name, number in summary.errors_by_category.items())
    numbers = (
        units.seconds(summary.latency_p50), units.seconds(summary.latency_p95),
        units.seconds(summary.ttft_p50), units.seconds(summary.ttft_p95),
        units.rate(summary.chunks_per_second_median), units.count(summary.prompt_tokens),
        units.count(summary.completion_tokens), units.dollars(summary.cost_usd),
    )
    cells = [
        f"<td>{html.escape(summary.label)}</td>",
        f"<td>{summary.calls}</td>",
        f"<td>{summary.errors}</td>",
        f'<td class="categories">{html.escape(categories or units.MISSING)}</td>',
        *(f"<td>{html.escape(value)}</td>" for value in numbers),
    ]
    attr = f' class="{css_class}"' if css_class else ""
    return f"<tr{attr}>{''.join(cells)}</tr>"


def summary_table_html(spans: Sequence[SpanRecord]) -> str:
    """The per-model summary as an HTML table, with a total row when there are several models."""
    summaries = summarize(spans)
    head = "<tr>" + "".join(
        f'<th class="categories">{name}</th>' if name == "errors by category" else f"<th>{name}</th>"
        for name in _HEADERS
    ) + "</tr>"
    body = [_row(summary) for summary in summaries]
    if len(summaries) > 1:
        body.append(_row(summarize_all(spans), "total"))
    return f'<div class="table"><table id="summary"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table></div>'


# Runs drawn per ranking (slowest, most expensive): enough to spot the outliers, few enough to read.
TRACES_SHOWN = 3
_GROUP_HEADERS = ("calls", "errors", "prompt tokens", "completion tokens", "cost")


def _trace_html(trace: WorkflowTrace, ranks: list[str], element_id: str) -> str:
    facts = (f"{units.seconds(trace.duration_s)}, {len(trace.llm_calls)} LLM calls, cost {units.dollars(trace.cost_usd)},"
             f" started {units.when(trace.root.start_ns)}")
    return (f'<div class="trace" data-trace-id="{html.escape(trace.root.trace_id)}">'
            f'<h3>{html.escape(trace.name)} <span class="rank">{html.escape(" · ".join(ranks))}</span></h3>'
            f'<p class="note">{html.escape(facts)}</p>{waterfall_svg(trace, element_id)}</div>')


def _notable(traces: Sequence[WorkflowTrace]) -> list[tuple[WorkflowTrace, list[str]]]:
    """The slowest and the costliest runs, each once, with the ranks that put it on the page."""
    chosen: dict[tuple[str, str], tuple[WorkflowTrace, list[str]]] = {}
    for what, ranked in (("slowest", slowest(traces, TRACES_SHOWN)), ("most expensive", most_expensive(traces, TRACES_SHOWN))):
        for place, trace in enumerate(ranked, 1):
            key = (trace.root.trace_id, trace.root.span_id)
            chosen.setdefault(key, (trace, []))[1].append(f"{what} #{place}")
    return list(chosen.values())


def group_table_html(spans: Sequence[SpanRecord], by: str) -> str:
    """Calls, errors, tokens and cost per ``by`` value (as ``litetrace report --by``), as an HTML table."""
    head = f"<tr><th>{html.escape(by)}</th>" + "".join(f"<th>{name}</th>" for name in _GROUP_HEADERS) + "</tr>"
    body = []
    for summary in summarize(spans, by):
        numbers = (str(summary.calls), str(summary.errors), units.count(summary.prompt_tokens),
                   units.count(summary.completion_tokens), units.dollars(summary.cost_usd))
        cells = "".join(f"<td>{html.escape(value)}</td>" for value in (summary.label, *numbers))
        body.append(f"<tr>{cells}</tr>")
    return (f'<div class="table"><h3>Cost per {html.escape(by)}</h3><table id="cost-by-{html.escape(by)}">'
            f"<thead>{head}</thead><tbody>{''.join(body)}</tbody></table></div>")


def traces_section_html(spans: Sequence[SpanRecord], traces: Sequence[WorkflowTrace]) -> str:
    """Waterfalls of the slowest and the costliest workflow runs, then cost per session and per user.

    ``spans`` are the LLM spans with their attributes (for the session and user grouping).
    """
    parts = ['<section id="traces">', "<h2>Workflows</h2>"]
    if not traces:
        parts.append('<p class="note">No workflow traces in this window: calls made inside a '
                     "<code>@litetrace.workflow</code> function show here as waterfalls.</p>")
    else:
        notable = _notable(traces)
        parts.append(f'<p class="note">{len(traces)} workflow runs; the slowest and the most expensive (up to {TRACES_SHOWN}'
                     f" of each) as waterfalls. Hover a row for its details.</p>{legend_html()}")
        parts.extend(_trace_html(trace, ranks, f"waterfall-{index}") for index, (trace, ranks) in enumerate(notable, 1))
    parts.append('<div class="tables">' + group_table_html(spans, "session") + group_table_html(spans, "user") + "</div>")
    parts.append("</section>")
    return "\n".join(parts)


def _page(title: str, meta: str, body: str, script: str = "") -> str:
    head_script = f'<script type="text/javascript">{script}</script>' if script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n{head_script}\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n<p class=\"meta\">{html.escape(meta)}</p>\n{body}\n</body>\n</html>\n"
    )


def render_dashboard(
    spans: Sequence[SpanRecord],
    *,
    traces: Sequence[WorkflowTrace] = (),
    title: str = "litetrace: LiteLLM calls",
    source: str | None = None,
) -> str:
    """The dashboard page for the LLM ``spans`` and workflow ``traces`` as an HTML string (Plotly's JS inlined).

    The per-session and per-user tables need the spans' attributes (``load_spans(with_attributes=True)``).
    """
    where = f" from {source}" if source else ""
    generated = f"generated {units.when(time.time_ns())}"
    if not spans:
        body = f'<p class="empty">No LiteLLM calls recorded{html.escape(where)} yet.</p>'
        return _page(title, generated, body)
    # Imported here so the store and the text report work without the optional Plotly.
    plotly_js = _plotly_js()
    from litetrace.report.charts import all_figures

    summaries = summarize(spans)
    first = min(span.start_ns for span in spans)
    last = max(span.end_ns for span in spans)
    meta = f"{len(spans)} calls{where}, {units.when(first)} to {units.when(last)}; {generated}"
    charts = [
        '<div class="chart">'
        + figure.to_html(
            full_html=False, include_plotlyjs=False, div_id=div_id,
            default_width="100%", config={"displaylogo": False, "responsive": True},
        )
        + "</div>"
        for div_id, figure in all_figures(spans, summaries).items()
    ]
    body = (summary_table_html(spans) + '\n<div class="grid">\n' + "\n".join(charts) + "\n</div>\n"
            + traces_section_html(spans, traces))
    return _page(title, meta, body, plotly_js)


def write_dashboard(
    out_path: str | os.PathLike[str],
    path: str | os.PathLike[str] | None = None,
    *,
    since_ns: int | None = None,
    until_ns: int | None = None,
    limit: int | None = None,
) -> Path:
    """Load the spans from the store at ``path`` and write the dashboard to ``out_path``.

    ``limit`` keeps the newest ``limit`` LLM calls for the charts and tables; workflow traces are drawn whole.
    """
    resolved = store_path(path)
    # One read of every span with its attributes: the LLM spans feed the charts and the session and
    # user tables, and the workflow and task spans around them make the traces.
    stored = load_spans(resolved, since_ns=since_ns, until_ns=until_ns, llm_only=False, with_attributes=True)
    spans = [span for span in stored if span.operation is not None]
    if limit is not None:
        spans = spans[-limit:] if limit > 0 else []
    out = Path(out_path)
    out.write_text(render_dashboard(spans, traces=workflow_traces(stored), source=resolved), encoding="utf-8")
    return out
