"""The dashboard's Plotly figures, one function per chart, each keyed by its div id."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from litetrace.report.summary import ModelSummary, error_category, model_label
from litetrace.store.reader import SpanRecord

HEIGHT = 420
_LAYOUT = {
    "template": "plotly_white",
    "height": HEIGHT,
    "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
    # Below the plot, clear of the x-axis title: model names are long for a side legend.
    # traceorder "normal": stacked bars otherwise list their legend bottom-up.
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0, "traceorder": "normal"},
}
# Plotly's default colorway, assigned per model once so a model keeps its colour in every chart.
_PALETTE = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880", "#ff97ff",
            "#fecb52")


def _by_model(spans: Sequence[SpanRecord]) -> dict[str, list[SpanRecord]]:
    groups: dict[str, list[SpanRecord]] = defaultdict(list)
    for span in spans:
        groups[model_label(span.provider, span.model)].append(span)
    return dict(sorted(groups.items()))


def model_colors(spans: Sequence[SpanRecord]) -> dict[str, str]:
    """A colour per model label, stable across the charts of one page."""
    return {label: _PALETTE[index % len(_PALETTE)] for index, label in enumerate(_by_model(spans))}


def _figure(title: str, empty_note: str, has_data: bool, **layout: object) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(title={"text": title}, **_LAYOUT, **layout)
    if not has_data:
        # An empty chart still says why it is empty, rather than showing bare axes.
        figure.add_annotation(text=empty_note, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
        figure.update_xaxes(visible=False)
        figure.update_yaxes(visible=False)
    return figure


def ttft_histogram(spans: Sequence[SpanRecord], colors: dict[str, str]) -> go.Figure:
    """Distribution of time to first token of streamed calls, one overlaid histogram per model."""
    groups = {label: [s.ttft_s for s in group if s.ttft_s is not None] for label, group in _by_model(spans).items()}
    groups = {label: values for label, values in groups.items() if values}
    figure = _figure(
        "Time to first token (streamed calls)", "No streamed calls in this window", bool(groups),
        barmode="overlay", xaxis_title="seconds", yaxis_title="calls",
    )
    for label, values in groups.items():
        # One bingroup: the models' histograms share bins, so their bars line up and compare.
        figure.add_trace(go.Histogram(x=values, name=label, opacity=0.6, nbinsx=40, bingroup="ttft",
                                      marker_color=colors[label]))
    return figure


def chunk_rate_over_time(spans: Sequence[SpanRecord], colors: dict[str, str]) -> go.Figure:
    """Chunks per second of each streamed call against the time it started."""
    groups = {
        label: [s for s in group if s.chunks_per_second is not None] for label, group in _by_model(spans).items()
    }
    groups = {label: group for label, group in groups.items() if group}
    figure = _figure(
        "Chunk rate over time", "No streamed calls with two or more chunks", bool(groups),
        xaxis_title="call start (local time)", yaxis_title="chunks / s",
    )
    for label, group in groups.items():
        figure.add_trace(
            go.Scatter(
                x=[datetime.fromtimestamp(s.start_ns / 1e9) for s in group],
                y=[s.chunks_per_second for s in group],
                mode="markers",
                name=label,
                marker={"size": 6, "opacity": 0.75, "color": colors[label]},
            )
        )
    return figure


def latency_by_model(spans: Sequence[SpanRecord], colors: dict[str, str]) -> go.Figure:
    """Box plot of the latency of successful calls, per model."""
    groups = {label: [s.duration_s for s in group if not s.is_error] for label, group in _by_model(spans).items()}
    groups = {label: values for label, values in groups.items() if values}
    figure = _figure(
        "Latency by model (successful calls)", "No successful calls in this window", bool(groups),
        xaxis_title="seconds", showlegend=False,
    )
    # Horizontal boxes, last label at the bottom: long model names read as they are, unrotated.
    for label, values in reversed(groups.items()):
        figure.add_trace(go.Box(x=values, name=label, boxpoints="outliers", orientation="h",
                                marker_color=colors[label]))
    figure.update_yaxes(automargin=True)
    return figure


def tokens_and_cost(summaries: Sequence[ModelSummary]) -> go.Figure:
    """Prompt and completion tokens (stacked) and cost, per model, as horizontal bars side by side."""
    # Reversed so the busiest model is on top, as in the table; horizontal bars keep long names readable.
    rows = list(reversed(summaries))
    labels = [summary.label for summary in rows]
    has_tokens = any(s.prompt_tokens is not None or s.completion_tokens is not None for s in rows)
    has_cost = any(s.cost_usd is not None for s in rows)
    if not (has_tokens or has_cost):
        return _figure("Tokens and cost by model", "No token usage or cost reported", False)
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=("tokens", "cost (USD)"),
                           horizontal_spacing=0.04)
    figure.update_layout(title={"text": "Tokens and cost by model"}, barmode="stack", **_LAYOUT)
    figure.update_layout(margin={"l": 60, "r": 20, "t": 80, "b": 40})
    for name, values in (
        ("prompt tokens", [s.prompt_tokens or 0 for s in rows]),
        ("completion tokens", [s.completion_tokens or 0 for s in rows]),
    ):
        figure.add_trace(go.Bar(y=labels, x=values, name=name, orientation="h"), 1, 1)
    costs = [s.cost_usd or 0.0 for s in rows]
    figure.add_trace(go.Bar(y=labels, x=costs, name="cost (USD)", orientation="h", marker_color="#00a676"), 1, 2)
    figure.update_xaxes(tickprefix="$", row=1, col=2)
    figure.update_yaxes(automargin=True)
    return figure


def errors_by_category(spans: Sequence[SpanRecord], colors: dict[str, str]) -> go.Figure:
    """Failed calls per error category, stacked by model."""
    failures = [span for span in spans if span.is_error]
    categories = sorted({error_category(span) for span in failures})
    figure = _figure(
        "Errors by category", "No failed calls in this window", bool(failures),
        barmode="stack", yaxis_title="calls",
    )
    for label, group in _by_model(failures).items():
        counts = [sum(1 for span in group if error_category(span) == category) for category in categories]
        figure.add_trace(go.Bar(x=categories, y=counts, name=label, marker_color=colors[label]))
    return figure


CHARTS = ("ttft-histogram", "chunk-rate", "latency-by-model", "tokens-cost", "errors-by-category")


def all_figures(spans: Sequence[SpanRecord], summaries: Sequence[ModelSummary]) -> dict[str, go.Figure]:
    """Every chart of the dashboard, by div id, in page order."""
    colors = model_colors(spans)
    return {
        "ttft-histogram": ttft_histogram(spans, colors),
        "chunk-rate": chunk_rate_over_time(spans, colors),
        "latency-by-model": latency_by_model(spans, colors),
        "tokens-cost": tokens_and_cost(summaries),
        "errors-by-category": errors_by_category(spans, colors),
    }
