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


def _page(title: str, meta: str, body: str, script: str = "") -> str:
    head_script = f'<script type="text/javascript">{script}</script>' if script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n{head_script}\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n<p class=\"meta\">{html.escape(meta)}</p>\n{body}\n</body>\n</html>\n"
    )


def render_dashboard(
    spans: Sequence[SpanRecord], *, title: str = "litetrace: LiteLLM calls", source: str | None = None
) -> str:
    """The dashboard page for ``spans`` as an HTML string (Plotly's JS inlined)."""
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
    body = summary_table_html(spans) + '\n<div class="grid">\n' + "\n".join(charts) + "\n</div>"
    return _page(title, meta, body, plotly_js)


def write_dashboard(
    out_path: str | os.PathLike[str],
    path: str | os.PathLike[str] | None = None,
    *,
    since_ns: int | None = None,
    until_ns: int | None = None,
    limit: int | None = None,
) -> Path:
    """Load LiteLLM spans from the store at ``path`` and write the dashboard to ``out_path``."""
    resolved = store_path(path)
    spans = load_spans(resolved, since_ns=since_ns, until_ns=until_ns, limit=limit)
    out = Path(out_path)
    out.write_text(render_dashboard(spans, source=resolved), encoding="utf-8")
    return out
