"""Rerank: a query and documents in, ranked indices out (document text is never recorded)."""

from __future__ import annotations

from typing import Any

from litetrace.attributes import common
from litetrace.attributes import names as n
from litetrace.attributes.fields import as_int, as_number, field


def request(params: dict[str, Any], attrs: dict[str, Any]) -> None:
    """Query length, document count, how many results were asked for."""
    query = params.get("query")
    if isinstance(query, str):
        attrs[n.REQ_CONTENT_LENGTH] = len(query)
    documents = params.get("documents")
    if isinstance(documents, (list, tuple)):
        attrs[n.REQ_DOCUMENTS_COUNT] = len(documents)
    top_n = as_int(params.get("top_n"))
    if top_n is not None:
        attrs[n.REQ_TOP_N] = top_n


def response(result: Any, attrs: dict[str, Any]) -> None:
    """Results returned and the best relevance score; tokens when the provider billed any."""
    common.response_identity(result, attrs)
    results = field(result, "results")
    if isinstance(results, (list, tuple)):
        attrs[n.RESP_RESULTS_COUNT] = len(results)
        scores = [score for item in results if (score := as_number(field(item, "relevance_score"))) is not None]
        if scores:
            attrs[n.RESP_TOP_SCORE] = float(max(scores))
    tokens = field(field(result, "meta"), "tokens")
    if tokens is not None:
        prompt = as_int(field(tokens, "input_tokens"))
        if prompt is not None:
            attrs[n.USAGE_PROMPT] = prompt
