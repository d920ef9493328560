"""The ``llm.*`` attribute names: litetrace's public telemetry contract, in one table.

The README's attribute table is generated from ``CONTRACT`` (``python -m litetrace.attributes.names``;
tests/test_contract_docs.py keeps it in step), so the names and their meanings are written down exactly once.
"""

from __future__ import annotations

from typing import NamedTuple

from litetrace.operations import ALL as OPERATIONS


class Key(NamedTuple):
    """One span attribute of the contract."""

    name: str
    group: str
    meaning: str


CONTRACT: tuple[Key, ...] = (
    # Every operation
    Key("llm.vendor", "every operation", 'always "litellm"'),
    Key("llm.request.type", "every operation", ", ".join(OPERATIONS)),
    Key("llm.provider", "every operation", "LiteLLM's provider id (openai, anthropic, bedrock, ...), from LiteLLM itself"),
    Key("llm.request.model", "every operation", "model as requested"),
    Key("llm.response.model", "every operation", "model the provider reports"),
    Key("llm.litellm.call_id", "every operation", "LiteLLM's call id (the pairing key with the callback)"),
    Key("llm.litellm.model_id", "every operation", "LiteLLM deployment id (Router), when known"),
    Key("llm.api_base", "every operation", "endpoint host/path with credentials and query removed"),
    Key("llm.usage.prompt_tokens", "every operation", "prompt tokens from the provider's usage"),
    Key("llm.usage.completion_tokens", "every operation", "completion tokens from the provider's usage"),
    Key("llm.usage.total_tokens", "every operation", "total tokens from the provider's usage; for a stream without usage chunks, the count LiteLLM priced it on"),
    Key("llm.usage.cached_tokens", "every operation", "cached prompt tokens, when reported"),
    Key("llm.usage.reasoning_tokens", "every operation", "reasoning tokens, when reported"),
    Key("llm.usage.cost", "every operation", "USD, from LiteLLM's own cost map (response_cost)"),
    Key("llm.cache_hit", "every operation", "LiteLLM cache hit, when known"),
    # Chat / text completion / responses: request
    Key("llm.request.messages_count", "chat request", "number of input messages"),
    Key("llm.request.content_length", "chat request", "characters of text content in the input"),
    Key("llm.request.multimodal", "chat request", "true when any input part is not text"),
    Key("llm.request.image_count", "chat request", "number of image parts in the input"),
    Key("llm.request.temperature", "chat request", "sampling temperature"),
    Key("llm.request.max_tokens", "chat request", "max_tokens / max_completion_tokens / max_output_tokens"),
    Key("llm.request.top_p", "chat request", "nucleus sampling"),
    Key("llm.request.n", "chat request", "number of choices asked for (also image count for images)"),
    Key("llm.request.stop", "chat request", "stop sequences (string array)"),
    Key("llm.request.presence_penalty", "chat request", "presence penalty"),
    Key("llm.request.frequency_penalty", "chat request", "frequency penalty"),
    Key("llm.request.seed", "chat request", "seed"),
    Key("llm.request.stream", "chat request", "stream=True was asked"),
    Key("llm.request.tools_count", "chat request", "number of tools offered"),
    Key("llm.request.tool_names", "chat request", "names of the tools offered (array)"),
    Key("llm.request.tool_choice", "chat request", "tool_choice (mode or forced tool name)"),
    Key("llm.request.functions_count", "chat request", "number of legacy functions offered"),
    Key("llm.request.response_format", "chat request", "response_format type (text, json_object, json_schema)"),
    Key("llm.request.user", "chat request", "the end-user id passed as user="),
    # Chat / text completion / responses: response
    Key("llm.response.id", "chat response", "provider's response id"),
    Key("llm.response.choices_count", "chat response", "number of choices returned"),
    Key("llm.response.finish_reason", "chat response", "finish reason of the first choice"),
    Key("llm.response.finish_reasons", "chat response", "finish reasons of all choices (array)"),
    Key("llm.response.content_length", "chat response", "characters of text in the output"),
    Key("llm.response.tool_calls_count", "chat response", "tool calls in the output"),
    Key("llm.response.tool_names", "chat response", "names of the tools called (array)"),
    Key("llm.response.system_fingerprint", "chat response", "provider's system fingerprint"),
    # Streaming
    Key("llm.response.is_streaming", "streaming", "true for streamed responses"),
    Key("llm.response.time_to_first_token", "streaming", "s, from the call's start to the first chunk handed to the caller"),
    Key("llm.response.chunk_count", "streaming", "chunks handed to the caller"),
    Key("llm.response.chunks_per_second", "streaming", "(chunk_count - 1) / (last - first chunk time); unset for < 2 chunks"),
    Key("llm.response.stream_duration", "streaming", "s, call start to stream end"),
    Key("llm.response.max_chunk_gap", "streaming", "s, largest time between consecutive chunks"),
    Key("llm.response.tokens_per_second", "streaming", "completion tokens / (last - first chunk time), when usage is known"),
    Key("llm.response.stream_outcome", "streaming", "completed, closed_early, abandoned, error, cancelled"),
    # Embedding
    Key("llm.request.input_count", "embedding / moderation", "number of inputs"),
    Key("llm.request.encoding_format", "embedding", "float or base64"),
    Key("llm.request.dimensions", "embedding", "dimensions asked for"),
    Key("llm.response.embedding_count", "embedding", "vectors returned (vectors are never recorded)"),
    Key("llm.response.embedding_dimensions", "embedding", "length of the first vector"),
    # Image generation
    Key("llm.request.prompt_length", "image generation", "characters of the prompt"),
    Key("llm.request.image_size", "image generation", "size asked for, e.g. 1024x1024"),
    Key("llm.request.image_quality", "image generation", "quality asked for"),
    Key("llm.response.image_count", "image generation", "images returned"),
    # Moderation
    Key("llm.response.results_count", "moderation", "results returned"),
    Key("llm.response.flagged_count", "moderation", "results flagged"),
    Key("llm.response.flagged_categories", "moderation", "categories flagged in any result (array)"),
    # Errors
    Key("llm.error.type", "errors", "exception class name (LiteLLM's mapped exception)"),
    Key("llm.error.message", "errors", "message with secrets scrubbed, size-capped"),
    Key("llm.error.category", "errors", "authentication, permission, rate_limit, timeout, connection, "
        "context_window_exceeded, content_policy, bad_request, not_found, budget_exceeded, server_error, "
        "service_unavailable, cancelled, unknown"),
    Key("llm.error.provider", "errors", "provider that failed"),
    Key("llm.error.status_code", "errors", "HTTP status, when there is one"),
)

# Constants for the code, so names are never scattered as literals.
VENDOR = "llm.vendor"
REQUEST_TYPE = "llm.request.type"
PROVIDER = "llm.provider"
REQUEST_MODEL = "llm.request.model"
RESPONSE_MODEL = "llm.response.model"
CALL_ID = "llm.litellm.call_id"
MODEL_ID = "llm.litellm.model_id"
API_BASE = "llm.api_base"
USAGE_PROMPT = "llm.usage.prompt_tokens"
USAGE_COMPLETION = "llm.usage.completion_tokens"
USAGE_TOTAL = "llm.usage.total_tokens"
USAGE_CACHED = "llm.usage.cached_tokens"
USAGE_REASONING = "llm.usage.reasoning_tokens"
COST = "llm.usage.cost"
CACHE_HIT = "llm.cache_hit"

REQ_MESSAGES_COUNT = "llm.request.messages_count"
REQ_ROLE_COUNT = "llm.request.messages.{role}_count"
REQ_CONTENT_LENGTH = "llm.request.content_length"
REQ_MULTIMODAL = "llm.request.multimodal"
REQ_IMAGE_COUNT = "llm.request.image_count"
REQ_STREAM = "llm.request.stream"
REQ_TOOLS_COUNT = "llm.request.tools_count"
REQ_TOOL_NAMES = "llm.request.tool_names"
REQ_TOOL_CHOICE = "llm.request.tool_choice"
REQ_FUNCTIONS_COUNT = "llm.request.functions_count"
REQ_RESPONSE_FORMAT = "llm.request.response_format"
REQ_USER = "llm.request.user"
REQ_TEMPERATURE = "llm.request.temperature"
REQ_TOP_P = "llm.request.top_p"
REQ_PRESENCE_PENALTY = "llm.request.presence_penalty"
REQ_FREQUENCY_PENALTY = "llm.request.frequency_penalty"
REQ_SEED = "llm.request.seed"
REQ_STOP = "llm.request.stop"
REQ_N = "llm.request.n"
REQ_MAX_TOKENS = "llm.request.max_tokens"
REQ_INPUT_COUNT = "llm.request.input_count"
REQ_ENCODING_FORMAT = "llm.request.encoding_format"
REQ_DIMENSIONS = "llm.request.dimensions"
REQ_PROMPT_LENGTH = "llm.request.prompt_length"
REQ_IMAGE_SIZE = "llm.request.image_size"
REQ_IMAGE_QUALITY = "llm.request.image_quality"

RESP_ID = "llm.response.id"
RESP_CHOICES_COUNT = "llm.response.choices_count"
RESP_FINISH_REASON = "llm.response.finish_reason"
RESP_FINISH_REASONS = "llm.response.finish_reasons"
RESP_CONTENT_LENGTH = "llm.response.content_length"
RESP_TOOL_CALLS_COUNT = "llm.response.tool_calls_count"
RESP_TOOL_NAMES = "llm.response.tool_names"
RESP_SYSTEM_FINGERPRINT = "llm.response.system_fingerprint"
RESP_EMBEDDING_COUNT = "llm.response.embedding_count"
RESP_EMBEDDING_DIMENSIONS = "llm.response.embedding_dimensions"
RESP_IMAGE_COUNT = "llm.response.image_count"
RESP_RESULTS_COUNT = "llm.response.results_count"
RESP_FLAGGED_COUNT = "llm.response.flagged_count"
RESP_FLAGGED_CATEGORIES = "llm.response.flagged_categories"

STREAMING = "llm.response.is_streaming"
TTFT = "llm.response.time_to_first_token"
CHUNK_COUNT = "llm.response.chunk_count"
CHUNKS_PER_SECOND = "llm.response.chunks_per_second"
STREAM_DURATION = "llm.response.stream_duration"
MAX_CHUNK_GAP = "llm.response.max_chunk_gap"
TOKENS_PER_SECOND = "llm.response.tokens_per_second"
STREAM_OUTCOME = "llm.response.stream_outcome"

ERROR_TYPE = "llm.error.type"
ERROR_MESSAGE = "llm.error.message"
ERROR_CATEGORY = "llm.error.category"
ERROR_PROVIDER = "llm.error.provider"
ERROR_STATUS_CODE = "llm.error.status_code"

# Request parameters copied as they are: (kwarg, attribute).
SCALAR_PARAMS: tuple[tuple[str, str], ...] = (
    ("temperature", REQ_TEMPERATURE),
    ("top_p", REQ_TOP_P),
    ("n", REQ_N),
    ("presence_penalty", REQ_PRESENCE_PENALTY),
    ("frequency_penalty", REQ_FREQUENCY_PENALTY),
    ("seed", REQ_SEED),
    ("user", REQ_USER),
)


def contract_markdown() -> str:
    """The README's attribute table, generated from ``CONTRACT``."""
    lines = ["| attribute | set on | meaning |", "|---|---|---|"]
    for key in CONTRACT:
        lines.append(f"| `{key.name}` | {key.group} | {key.meaning} |")
    lines.append("| `llm.request.messages.<role>_count` | chat request | messages per role, e.g. `llm.request.messages.user_count` |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(contract_markdown())
