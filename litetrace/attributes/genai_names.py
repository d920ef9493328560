"""Names from the newest GenAI conventions (semantic-conventions-genai) that the installed
``opentelemetry-semantic-conventions`` does not have yet.

Checked against open-telemetry/semantic-conventions-genai (see the README's conventions
table for the revisions). When the semconv package ships them, these become its constants.
"""

from __future__ import annotations

# Span attributes.
REQUEST_REASONING_LEVEL = "gen_ai.request.reasoning.level"
REQUEST_PREVIOUS_RESPONSE_ID = "gen_ai.request.previous_response.id"
USAGE_CACHE_WRITE_INPUT_TOKENS = "gen_ai.usage.cache_write.input_tokens"
TOKEN_MODALITY = "gen_ai.token.modality"
# The modalities providers break token usage down by (besides the conventions' "unknown").
MODALITIES = ("text", "audio", "image")
# gen_ai.usage.<modality>.<input|output>_tokens
MODALITY_TOKENS = {
    (modality, side): f"gen_ai.usage.{modality}.{side}_tokens" for modality in MODALITIES for side in ("input", "output")
}

# The open cost proposal (semantic-conventions-genai pull request #443): experimental.
USAGE_COST_AMOUNT = "gen_ai.usage.cost.amount"
USAGE_COST_CURRENCY = "gen_ai.usage.cost.currency"
USAGE_COST_SOURCE = "gen_ai.usage.cost.source"

# Metrics (client-inference.md, client-embeddings.md, gen-ai-token-metrics.md).
INFERENCE_DURATION = "gen_ai.client.inference.duration"
INFERENCE_TIME_TO_FIRST_CHUNK = "gen_ai.client.inference.time_to_first_chunk"
INFERENCE_TIME_PER_OUTPUT_CHUNK = "gen_ai.client.inference.time_per_output_chunk"
EMBEDDINGS_DURATION = "gen_ai.client.embeddings.duration"
EMBEDDINGS_INPUT_TOKENS = "gen_ai.client.embeddings.operation.input_tokens"
USAGE_INPUT_TOKENS = "gen_ai.client.inference.usage.input_tokens"
USAGE_OUTPUT_TOKENS = "gen_ai.client.inference.usage.output_tokens"
USAGE_CACHE_READ_TOKENS = "gen_ai.client.inference.usage.cache_read.input_tokens"
USAGE_CACHE_WRITE_TOKENS = "gen_ai.client.inference.usage.cache_write.input_tokens"
USAGE_REASONING_TOKENS = "gen_ai.client.inference.usage.reasoning.output_tokens"
OPERATION_INPUT_TOKENS = "gen_ai.client.inference.operation.input_tokens"
OPERATION_OUTPUT_TOKENS = "gen_ai.client.inference.operation.output_tokens"

# Bucket advice of the newest conventions.
DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
TOKEN_BUCKETS = (
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
)  # fmt: skip

# The opt-in event carrying a call's content (client-inference.md, "Events").
DETAILS_EVENT = "gen_ai.client.inference.operation.details"
