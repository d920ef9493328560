"""Embeddings: inputs in, vectors out (vectors are never recorded)."""

from __future__ import annotations

from typing import Any

from litetrace.attributes import common
from litetrace.attributes import names as n
from litetrace.attributes.fields import as_int, as_str, field, inputs_of


def request(params: dict[str, Any], attrs: dict[str, Any]) -> None:
    """Input count and size, encoding format, dimensions."""
    inputs = inputs_of(params.get("input"))
    attrs[n.REQ_INPUT_COUNT] = len(inputs)
    attrs[n.REQ_CONTENT_LENGTH] = sum(len(item) for item in inputs if isinstance(item, str))
    encoding = as_str(params.get("encoding_format"))
    if encoding:
        attrs[n.REQ_ENCODING_FORMAT] = encoding
    dimensions = as_int(params.get("dimensions"))
    if dimensions is not None:
        attrs[n.REQ_DIMENSIONS] = dimensions


def response(result: Any, attrs: dict[str, Any]) -> None:
    """Vector count and the first vector's length."""
    common.response_identity(result, attrs)
    common.usage(field(result, "usage"), attrs)
    data = field(result, "data")
    if not isinstance(data, (list, tuple)):
        return
    attrs[n.RESP_EMBEDDING_COUNT] = len(data)
    if data:
        vector = field(data[0], "embedding")
        if isinstance(vector, (list, tuple)):
            attrs[n.RESP_EMBEDDING_DIMENSIONS] = len(vector)
