"""Which provider LiteLLM will route a model to, asked of LiteLLM itself (never a regex)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=2048)
def _resolve(model: str, custom_llm_provider: str | None, api_base: str | None) -> str | None:
    import litellm

    try:
        _, provider, _, _ = litellm.get_llm_provider(
            model=model, custom_llm_provider=custom_llm_provider, api_base=api_base
        )
    except Exception:
        # LiteLLM does not know the model: the provider stays unknown (unset), and the
        # call itself will raise LiteLLM's own error.
        return None
    return provider if isinstance(provider, str) and provider else None


def provider_for(model: object, custom_llm_provider: object = None, api_base: object = None) -> str | None:
    """LiteLLM's provider id for a requested model, or None when LiteLLM cannot tell."""
    if not isinstance(model, str) or not model:
        return None
    # _resolve() turns LiteLLM's own errors into None; anything else is the caller's guard's.
    return _resolve(
        model,
        custom_llm_provider if isinstance(custom_llm_provider, str) else None,
        api_base if isinstance(api_base, str) else None,
    )
