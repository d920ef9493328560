"""The patch table: which LiteLLM functions are wrapped, on which module bindings.

LiteLLM re-exports its entry points (``from .main import *``) and, in newer releases,
routes them through dispatch modules, so one function can be reached under several
names. Every binding that exists is wrapped; the "one span per call" guard in the
wrappers makes the nested ones (dispatch -> main) silent.
"""

from __future__ import annotations

from typing import NamedTuple

from litetrace.operations import (
    ANTHROPIC_MESSAGES,
    CHAT,
    EMBEDDING,
    IMAGE_GENERATION,
    MODERATION,
    RERANK,
    RESPONSES,
    SPEECH,
    TEXT_COMPLETION,
    TRANSCRIPTION,
)


class Target(NamedTuple):
    """One LiteLLM entry point."""

    name: str
    operation: str
    is_async: bool
    # Its positional parameter names, to read ``completion("gpt-4o", messages)`` like keywords.
    positional: tuple[str, ...]
    # The only modules that hold this name, when it is too generic to look for everywhere.
    modules: tuple[str, ...] | None = None


def both(name: str, operation: str, positional: tuple[str, ...]) -> tuple[Target, Target]:
    """An entry point and its ``a``-prefixed async twin, which LiteLLM gives the same parameters."""
    return Target(name, operation, False, positional), Target(f"a{name}", operation, True, positional)


# litellm.anthropic.messages.create and its re-export litellm.anthropic.create.
_MESSAGES_INTERFACE = ("litellm.anthropic_interface", "litellm.anthropic_interface.messages")
_MESSAGES_POSITIONAL = ("max_tokens", "messages", "model")

TARGETS: tuple[Target, ...] = (
    *both("completion", CHAT, ("model", "messages")),
    *both("text_completion", TEXT_COMPLETION, ("prompt", "model")),
    *both("embedding", EMBEDDING, ("model", "input")),
    *both("image_generation", IMAGE_GENERATION, ("prompt", "model")),
    *both("moderation", MODERATION, ("input", "model")),
    *both("responses", RESPONSES, ("input", "model")),
    *both("rerank", RERANK, ("model", "query", "documents", "custom_llm_provider", "top_n")),
    *both("transcription", TRANSCRIPTION, ("model", "file", "language", "prompt", "response_format")),
    *both("speech", SPEECH, ("model", "input", "voice")),
    # litellm.anthropic.messages.create / acreate (the module litellm.anthropic_interface.messages) and
    # the dispatch functions they call, also reachable as litellm.anthropic_messages(_handler).
    Target("create", ANTHROPIC_MESSAGES, False, _MESSAGES_POSITIONAL, modules=_MESSAGES_INTERFACE),
    Target("acreate", ANTHROPIC_MESSAGES, True, _MESSAGES_POSITIONAL, modules=_MESSAGES_INTERFACE),
    Target("anthropic_messages_handler", ANTHROPIC_MESSAGES, False, _MESSAGES_POSITIONAL),
    Target("anthropic_messages", ANTHROPIC_MESSAGES, True, _MESSAGES_POSITIONAL),
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
    *both("completion", CHAT, ("model", "messages")),
    *both("text_completion", TEXT_COMPLETION, ("model", "prompt")),
    *both("embedding", EMBEDDING, ("model", "input")),
    *both("image_generation", IMAGE_GENERATION, ("prompt", "model")),
    # Defined on the RustCore (1.110) only; the proxy's /v1/messages route calls anthropic_messages.
    Target("arerank", RERANK, True, ("model", "query", "documents")),
    Target("atranscription", TRANSCRIPTION, True, ("model", "file")),
    Target("aspeech", SPEECH, True, ("model", "input", "voice")),
    Target("anthropic_messages", ANTHROPIC_MESSAGES, True, _MESSAGES_POSITIONAL),
    Target("aanthropic_messages", ANTHROPIC_MESSAGES, True, _MESSAGES_POSITIONAL),
)

# LiteLLM's ``call_type`` for a call is the name of the module function it entered by
# (``acompletion``, ``embedding``, ...): the callback maps it back to an operation with this.
# The Anthropic interface's bindings all log LiteLLM's own two call types for it.
OPERATION_BY_CALL_TYPE: dict[str, str] = {
    **{target.name: target.operation for target in TARGETS if target.operation != ANTHROPIC_MESSAGES},
    "anthropic_messages": ANTHROPIC_MESSAGES,
    "aanthropic_messages": ANTHROPIC_MESSAGES,
}
