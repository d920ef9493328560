"""The OpenTelemetry GenAI vocabulary (``gen_ai.*``), derived from the ``llm.*`` extraction.

Names come from ``opentelemetry-semantic-conventions``; nothing here invents a key.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv.attributes import error_attributes
from opentelemetry.semconv.attributes import server_attributes as server

from litetrace import operations as op
from litetrace.attributes import names as n

OPERATION_NAME = gen_ai.GEN_AI_OPERATION_NAME
PROVIDER_NAME = gen_ai.GEN_AI_PROVIDER_NAME
REQUEST_MODEL = gen_ai.GEN_AI_REQUEST_MODEL
RESPONSE_MODEL = gen_ai.GEN_AI_RESPONSE_MODEL
TOKEN_TYPE = gen_ai.GEN_AI_TOKEN_TYPE
ERROR_TYPE = error_attributes.ERROR_TYPE
INPUT_MESSAGES = gen_ai.GEN_AI_INPUT_MESSAGES
OUTPUT_MESSAGES = gen_ai.GEN_AI_OUTPUT_MESSAGES

# litetrace operation -> gen_ai.operation.name (semconv's well-known values where one fits).
OPERATIONS = {
    op.CHAT: gen_ai.GenAiOperationNameValues.CHAT.value,
    op.TEXT_COMPLETION: gen_ai.GenAiOperationNameValues.TEXT_COMPLETION.value,
    op.EMBEDDING: gen_ai.GenAiOperationNameValues.EMBEDDINGS.value,
    op.IMAGE_GENERATION: "image_generation",  # no well-known value for these two: our own name
    op.MODERATION: "moderation",
    op.RESPONSES: gen_ai.GenAiOperationNameValues.CHAT.value,
    op.ANTHROPIC_MESSAGES: gen_ai.GenAiOperationNameValues.CHAT.value,
    # No well-known value fits these: the conventions allow the operation's own name.
    op.RERANK: "rerank",
    op.TRANSCRIPTION: "transcription",
    op.SPEECH: "speech",
}
# Operations whose requests ask for a number of choices (gen_ai.request.choice.count).
CHOICE_OPERATIONS = frozenset({op.CHAT, op.TEXT_COMPLETION, op.RESPONSES})

# LiteLLM provider id -> gen_ai.provider.name well-known value; others pass through.
PROVIDERS = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "anthropic": "anthropic",
    "azure": "azure.ai.openai",
    "azure_ai": "azure.ai.inference",
    "bedrock": "aws.bedrock",
    "vertex_ai": "gcp.vertex_ai",
    "vertex_ai_beta": "gcp.vertex_ai",
    "gemini": "gcp.gemini",
    "groq": "groq",
    "mistral": "mistral_ai",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "deepseek": "deepseek",
    "perplexity": "perplexity",
    "xai": "x_ai",
    "watsonx": "ibm.watsonx.ai",
}

# llm.* key -> gen_ai.* (or error.*) key with the same value.
TWINS: dict[str, str] = {
    n.REQUEST_MODEL: REQUEST_MODEL,
    n.RESPONSE_MODEL: RESPONSE_MODEL,
    n.RESP_ID: gen_ai.GEN_AI_RESPONSE_ID,
    n.RESP_FINISH_REASONS: gen_ai.GEN_AI_RESPONSE_FINISH_REASONS,
    n.USAGE_PROMPT: gen_ai.GEN_AI_USAGE_INPUT_TOKENS,
    n.USAGE_COMPLETION: gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS,
    n.USAGE_CACHED: gen_ai.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    n.USAGE_CACHE_WRITE: gen_ai.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    n.USAGE_REASONING: gen_ai.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
    n.REQ_TEMPERATURE: gen_ai.GEN_AI_REQUEST_TEMPERATURE,
    n.REQ_TOP_P: gen_ai.GEN_AI_REQUEST_TOP_P,
    n.REQ_TOP_K: gen_ai.GEN_AI_REQUEST_TOP_K,
    n.REQ_MAX_TOKENS: gen_ai.GEN_AI_REQUEST_MAX_TOKENS,
    n.REQ_PRESENCE_PENALTY: gen_ai.GEN_AI_REQUEST_PRESENCE_PENALTY,
    n.REQ_FREQUENCY_PENALTY: gen_ai.GEN_AI_REQUEST_FREQUENCY_PENALTY,
    n.REQ_SEED: gen_ai.GEN_AI_REQUEST_SEED,
    n.REQ_STOP: gen_ai.GEN_AI_REQUEST_STOP_SEQUENCES,
    n.REQ_STREAM: gen_ai.GEN_AI_REQUEST_STREAM,
    n.RESP_EMBEDDING_DIMENSIONS: gen_ai.GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
    n.TTFT: gen_ai.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
    n.RESP_SYSTEM_FINGERPRINT: gen_ai.GEN_AI_OPENAI_RESPONSE_SYSTEM_FINGERPRINT,
    n.ERROR_TYPE: ERROR_TYPE,
}


def operation_name(operation: str) -> str:
    """gen_ai.operation.name for a litetrace operation."""
    return OPERATIONS.get(operation, operation)


def provider_name(provider: str) -> str:
    """gen_ai.provider.name for a LiteLLM provider id."""
    return PROVIDERS.get(provider, provider)


def add(attrs: dict[str, Any], twins: dict[str, str] = TWINS) -> None:
    """Add the gen_ai.* twins of the llm.* keys present in ``attrs`` (``twins``: the mode's table)."""
    # Only the keys present (a set intersection, in C): most of the table's two dozen keys
    # are absent from any one phase, and a lookup per absent key cost more than the rest.
    for key in attrs.keys() & twins.keys():
        value = attrs[key]
        if value is not None:
            attrs[twins[key]] = value
    operation = attrs.get(n.REQUEST_TYPE)
    if operation:
        attrs[OPERATION_NAME] = operation_name(operation)
    provider = attrs.get(n.PROVIDER)
    if provider:
        attrs[PROVIDER_NAME] = provider_name(provider)
    choices = attrs.get(n.REQ_N)
    if isinstance(choices, int) and choices != 1 and operation in CHOICE_OPERATIONS:
        attrs[gen_ai.GEN_AI_REQUEST_CHOICE_COUNT] = choices
    encoding = attrs.get(n.REQ_ENCODING_FORMAT)
    if encoding:
        attrs[gen_ai.GEN_AI_REQUEST_ENCODING_FORMATS] = [encoding]
    api_base = attrs.get(n.API_BASE)
    if api_base:
        _server(api_base, attrs)


def _server(api_base: str, attrs: dict[str, Any]) -> None:
    address, port = server_of(api_base)
    if address:
        attrs[server.SERVER_ADDRESS] = address
        if port:
            attrs[server.SERVER_PORT] = port


@lru_cache(maxsize=256)
def server_of(api_base: str) -> tuple[str | None, int | None]:
    """Host and port of an endpoint (cached: an app talks to a handful of them)."""
    try:
        parts = urlsplit(api_base)
        return parts.hostname, parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:  # a malformed port, say: no server keys rather than a wrong one
        return None, None
