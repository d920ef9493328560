"""What litetrace instruments: the LiteLLM versions it supports (for BaseInstrumentor).

The same range as pyproject's litellm dependency: outside it, instrument() patches nothing.
"""

INSTRUMENTS = ("litellm >= 1.108, < 1.111, != 1.82.7, != 1.82.8, != 1.107.*",)
