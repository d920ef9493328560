"""Reports over the embedded store: a terminal table per (provider, model) and an offline HTML dashboard.

``report_text(path)`` renders the table; ``write_dashboard(out, path)`` writes the dashboard: charts,
workflow waterfalls, cost per session and user (it needs the ``dashboard`` extra, Plotly, imported
only when a page with data is drawn).
"""

from __future__ import annotations

from litetrace.report.dashboard import render_dashboard, write_dashboard
from litetrace.report.summary import ModelSummary, percentile, summarize, summarize_all
from litetrace.report.table import format_table, render_text, report_text

__all__ = [
    "ModelSummary",
    "format_table",
    "percentile",
    "render_dashboard",
    "render_text",
    "report_text",
    "summarize",
    "summarize_all",
    "write_dashboard",
]
