"""Instructions litetrace's metric recording costs per call under each ``semconv`` mode.

Run under callgrind at two repetition counts; the difference over the extra repetitions is the
per-call (one finished call plus one stream's end) count, free of the machine's load:

    for mode in stable current current+histograms both; do for n in 50 250; do
      valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        python benchmarks/metric_modes.py $mode $n 1 2>&1 | grep Collected
    done; done

A third argument above 1 adds chunk gaps per stream (the cost of one point per gap).
``current+histograms``: ``current`` with ``token_histograms`` on.
"""

from __future__ import annotations

import sys
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from litetrace.metrics import Instruments
mode, n, gaps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
tp = TracerProvider()
span = tp.get_tracer("t").start_span("s")
ctx = trace.set_span_in_context(span)
mode, _, histograms = mode.partition("+")
ins = Instruments(MeterProvider(metric_readers=[InMemoryMetricReader()]).get_meter("m"), mode, token_histograms=bool(histograms))
attrs = {"llm.request.type": "chat", "llm.provider": "openai", "llm.request.model": "gpt-4o-mini", "llm.usage.prompt_tokens": 10, "llm.usage.completion_tokens": 5, "llm.request.multimodal": False}
dims = ins.dimensions(attrs, None, True)
for _ in range(20):
    ins.record_call(0.5, attrs, None, False, ctx)
    ins.record_stream(0.1, [0.01] * gaps, 20.0, dims, ctx)
for _ in range(n):
    ins.record_call(0.5, attrs, None, False, ctx)
    ins.record_stream(0.1, [0.01] * gaps, 20.0, dims, ctx)
