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
    Key("llm.usage.cached_tokens", "every operation", "cached prompt tokens (cache reads), when reported"),
    Key("llm.usage.cache_write_tokens", "every operation", "prompt tokens written to the provider's prompt cache (Anthropic's cache_creation_input_tokens), when reported"),
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
    Key("llm.response.chunk_count", "streaming", "chunks handed to the caller (through the LiteLLM proxy: chunks sent to its client)"),
    Key("llm.response.chunks_per_second", "streaming", "(chunk_count - 1) / (last - first chunk time); unset for < 2 chunks"),
    Key("llm.response.stream_duration", "streaming", "s, call start to stream end"),
    Key("llm.response.max_chunk_gap", "streaming", "s, largest time between consecutive chunks"),
    Key("llm.response.tokens_per_second", "streaming", "completion tokens / (last - first chunk time), when usage is known"),
    Key("llm.response.stream_outcome", "streaming", "completed, closed_early (also a client leaving the LiteLLM proxy mid-stream), abandoned, error, cancelled"),
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
    Key("llm.response.results_count", "moderation / rerank", "results returned"),
    Key("llm.response.flagged_count", "moderation", "results flagged"),
    Key("llm.response.flagged_categories", "moderation", "categories flagged in any result (array)"),
    # Anthropic Messages (chat request/response keys apply too)
    Key("llm.request.top_k", "anthropic messages", "top_k asked for"),
    # Rerank
    Key("llm.request.documents_count", "rerank", "documents to rank (their text is never recorded)"),
    Key("llm.request.top_n", "rerank", "results asked for"),
    Key("llm.response.top_score", "rerank", "highest relevance score returned"),
    # Audio
    Key("llm.request.language", "transcription", "language given for the audio"),
    Key("llm.response.language", "transcription", "language the provider reports"),
    Key("llm.response.audio_duration", "transcription", "s, audio duration the provider reports"),
    Key("llm.request.voice", "speech", "voice asked for"),
    Key("llm.request.audio_format", "speech", "audio format asked for (mp3, wav, ...)"),
    Key("llm.request.speed", "speech", "speech speed asked for"),
    Key("llm.response.audio_bytes", "speech", "bytes of audio returned"),
    # LiteLLM proxy: who asked (never the key itself; none of the user_api_key_* values with redact_user_api_key_info)
    Key("llm.proxy.key_alias", "proxy", "alias of the virtual key that made the request"),
    Key("llm.proxy.team_id", "proxy", "team of the virtual key"),
    Key("llm.proxy.team_alias", "proxy", "team alias of the virtual key"),
    Key("llm.proxy.user_id", "proxy", "internal user the virtual key belongs to"),
    Key("llm.litellm.model_group", "proxy", "the model name the client asked the proxy / Router for"),
    Key("llm.router.attempts", "proxy", "Router attempts this request took (set when an attempt failed); each failed one is an llm.router.attempt event"),
    Key("llm.router.fallback_model", "proxy", "the model group that answered (or was tried last) after a fallback"),
    # Errors
    Key("llm.error.type", "errors", "exception class name (LiteLLM's mapped exception)"),
    Key("llm.error.message", "errors", "message with secrets scrubbed, size-capped"),
    Key("llm.error.category", "errors", "authentication, permission, rate_limit, timeout, connection, "
        "context_window_exceeded, content_policy, bad_request, not_found, budget_exceeded, server_error, "
        "service_unavailable, cancelled, unknown"),
    Key("llm.error.provider", "errors", "provider that failed"),
    Key("llm.error.status_code", "errors", "HTTP status, when there is one"),
    # Workflows, sessions, users (decorators, litetrace.context, per-call metadata)
    Key("llm.span.kind", "workflows", "workflow, task, agent or tool (decorator spans)"),
    Key("llm.workflow.name", "workflows", "the enclosing workflow's name (also on every LLM span inside it)"),
    Key("llm.task.name", "workflows", "the enclosing task's name (also on every LLM span inside it)"),
    Key("llm.customer_id", "workflows", "customer id from litetrace.context or metadata customer_identifier"),
    Key("llm.tags", "workflows / proxy", "tags from litetrace.context, metadata tags or the proxy request (x-litellm-tags, key and team tags); string array"),
    Key("llm.generation.name", "workflows", "metadata generation_name (or span_name): the name of this LLM step"),
    Key("llm.trace.name", "workflows", "metadata trace_name"),
    Key("llm.span.input", "workflows", "decorated function's arguments as JSON (content capture on only; capped, scrubbed)"),
    Key("llm.span.output", "workflows", "decorated function's return value as JSON (content capture on only; capped, scrubbed)"),
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
USAGE_CACHE_WRITE = "llm.usage.cache_write_tokens"
COST = "llm.usage.cost"
CACHE_HIT = "llm.cache_hit"
PROXY_KEY_ALIAS = "llm.proxy.key_alias"
PROXY_TEAM_ID = "llm.proxy.team_id"
PROXY_TEAM_ALIAS = "llm.proxy.team_alias"
PROXY_USER_ID = "llm.proxy.user_id"
MODEL_GROUP = "llm.litellm.model_group"
ROUTER_ATTEMPTS = "llm.router.attempts"
ROUTER_FALLBACK_MODEL = "llm.router.fallback_model"
ROUTER_RETRIES = "llm.router.retries"
ROUTER_FALLBACKS = "llm.router.fallbacks"

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
REQ_TOP_K = "llm.request.top_k"
REQ_DOCUMENTS_COUNT = "llm.request.documents_count"
REQ_TOP_N = "llm.request.top_n"
REQ_LANGUAGE = "llm.request.language"
REQ_VOICE = "llm.request.voice"
REQ_AUDIO_FORMAT = "llm.request.audio_format"
REQ_SPEED = "llm.request.speed"

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
RESP_TOP_SCORE = "llm.response.top_score"
RESP_LANGUAGE = "llm.response.language"
RESP_AUDIO_DURATION = "llm.response.audio_duration"
RESP_AUDIO_BYTES = "llm.response.audio_bytes"

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

SPAN_KIND = "llm.span.kind"
WORKFLOW_NAME = "llm.workflow.name"
TASK_NAME = "llm.task.name"
CUSTOMER_ID = "llm.customer_id"
TAGS = "llm.tags"
METADATA_PREFIX = "llm.metadata."
GENERATION_NAME = "llm.generation.name"
TRACE_NAME = "llm.trace.name"
SPAN_INPUT = "llm.span.input"
SPAN_OUTPUT = "llm.span.output"

# Request parameters copied as they are: kwarg -> attribute.
SCALAR_PARAMS: dict[str, str] = {
    "temperature": REQ_TEMPERATURE,
    "top_p": REQ_TOP_P,
    "n": REQ_N,
    "presence_penalty": REQ_PRESENCE_PENALTY,
    "frequency_penalty": REQ_FREQUENCY_PENALTY,
    "seed": REQ_SEED,
    "user": REQ_USER,
}


def contract_markdown() -> str:
    """The README's attribute table, generated from ``CONTRACT``."""
    lines = ["| attribute | set on | meaning |", "|---|---|---|"]
    for key in CONTRACT:
        lines.append(f"| `{key.name}` | {key.group} | {key.meaning} |")
    lines.append("| `llm.request.messages.<role>_count` | chat request | messages per role, e.g. `llm.request.messages.user_count` |")
    lines.append("| `llm.metadata.<key>` | workflows | other scalar metadata keys (litetrace.context metadata, per-call metadata) |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(contract_markdown())
