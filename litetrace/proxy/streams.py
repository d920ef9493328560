"""Stream facts as the proxy's client sees them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Set by the proxy when it asked the provider for a usage chunk the client did not ask for:
# it strips that chunk before sending the stream on (litellm/proxy/common_request_processing.py).
STRIP_USAGE_KEY = "_litellm_strip_stream_usage"


def chunks_sent_to_client(params: dict[str, Any], chunks: Sequence[Any], count: int) -> int:
    """``count`` less the usage-only chunks the proxy injected and will not forward."""
    if params.get(STRIP_USAGE_KEY) is not True:
        return count
    try:
        from litellm.litellm_core_utils.stream_usage_chunks import is_injected_stream_usage_artifact
    except ImportError:  # LiteLLM before the proxy stripped its own usage chunk
        return count
    return count - sum(1 for chunk in chunks if is_injected_stream_usage_artifact(chunk))
