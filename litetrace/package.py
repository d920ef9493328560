"""What litetrace instruments: the LiteLLM versions it supports (for BaseInstrumentor)."""

INSTRUMENTS = ("litellm >= 1.80, < 1.110",)
