"""The patch table: which LiteLLM functions are wrapped, on which module bindings.

LiteLLM re-exports its entry points (``from .main import *``) and, in newer releases,
routes them through dispatch modules, so one function can be reached under several
names. Every binding that exists is wrapped; the "one span per call" guard in the
wrappers makes the nested ones (dispatch -> main) silent.
"""

from __future__ import annotations

from typing import NamedTuple


class Target(NamedTuple):
    """One LiteLLM entry point."""

    name: str
    operation: str
    is_async: bool
    # Positional parameter names, when they differ from the module function's.
    positional: tuple[str, ...] | None = None
    # The only modules that hold this name, when it is too generic to look for everywhere.
    modules: tuple[str, ...] | None = None


# litellm.anthropic.messages.create and its re-export litellm.anthropic.create.
_MESSAGES_INTERFACE = ("litellm.anthropic_interface", "litellm.anthropic_interface.messages")

TARGETS: tuple[Target, ...] = (
    Target("completion", "chat", False),
    Target("acompletion", "chat", True),
    Target("text_completion", "text_completion", False),
    Target("atext_completion", "text_completion", True),
    Target("embedding", "embedding", False),
    Target("aembedding", "embedding", True),
    Target("image_generation", "image_generation", False),
    Target("aimage_generation", "image_generation", True),
    Target("moderation", "moderation", False),
    Target("amoderation", "moderation", True),
    Target("responses", "responses", False),
    Target("aresponses", "responses", True),
    Target("rerank", "rerank", False),
    Target("arerank", "rerank", True),
    Target("transcription", "transcription", False),
    Target("atranscription", "transcription", True),
    Target("speech", "speech", False),
    Target("aspeech", "speech", True),
    # litellm.anthropic.messages.create / acreate (the module litellm.anthropic_interface.messages) and
    # the dispatch functions they call, also reachable as litellm.anthropic_messages(_handler).
    Target("create", "anthropic_messages", False, modules=_MESSAGES_INTERFACE),
    Target("acreate", "anthropic_messages", True, modules=_MESSAGES_INTERFACE),
    Target("anthropic_messages_handler", "anthropic_messages", False),
    Target("anthropic_messages", "anthropic_messages", True),
)

# Modules that may hold a binding of the entry points above (missing ones are skipped).
MODULES: tuple[str, ...] = (
    "litellm",
    "litellm.main",
    "litellm.chat_completions",
    "litellm.chat_completions.dispatch",
    "litellm.embeddings",
    "litellm.embeddings.dispatch",
    "litellm.images",
    "litellm.images.main",
    "litellm.responses",
    "litellm.responses.main",
    "litellm.responses.dispatch",
    "litellm.rerank_api.main",
    "litellm.anthropic_interface",
    "litellm.anthropic_interface.messages",
    "litellm.messages",
    "litellm.messages.dispatch",
)

# litellm.Router methods: wrapped so that a Router call (its retries and fallbacks
# included) is one span; the module functions it calls inside add none.
# The class that defines them moved: up to 1.108 the Router itself; from 1.109 the Router is a
# facade that forwards every member to its core, a PythonCore (1.109) or a RustCore (1.110).
# Each class that exists is wrapped, on the methods it defines itself (missing ones are skipped).
ROUTER_CLASSES: tuple[tuple[str, str], ...] = (
    ("litellm.router", "Router"),
    ("litellm.router_python_core", "PythonCore"),
    ("litellm.router_rust.core", "RustCore"),
)
ROUTER_TARGETS: tuple[Target, ...] = (
    Target("completion", "chat", False),
    Target("acompletion", "chat", True),
    Target("text_completion", "text_completion", False, ("model", "prompt")),
    Target("atext_completion", "text_completion", True, ("model", "prompt")),
    Target("embedding", "embedding", False),
    Target("aembedding", "embedding", True),
    Target("image_generation", "image_generation", False),
    Target("aimage_generation", "image_generation", True),
    # Defined on the RustCore (1.110) only; the proxy's /v1/messages route calls anthropic_messages.
    Target("arerank", "rerank", True),
    Target("atranscription", "transcription", True),
    Target("aspeech", "speech", True),
    Target("anthropic_messages", "anthropic_messages", True),
    Target("aanthropic_messages", "anthropic_messages", True),
)
