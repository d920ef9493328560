"""The patch table: which LiteLLM functions are wrapped, on which module bindings.

LiteLLM re-exports its entry points (``from .main import *``) and, in newer releases,
routes them through dispatch modules, so one function can be reached under several
names. Every binding that exists is wrapped; the "one span per call" guard in the
wrappers makes the nested ones (dispatch -> main) silent.
"""

from __future__ import annotations

from typing import NamedTuple

from litetrace.operations import CHAT, EMBEDDING, IMAGE_GENERATION, MODERATION, RESPONSES, TEXT_COMPLETION


class Target(NamedTuple):
    """One LiteLLM entry point."""

    name: str
    operation: str
    is_async: bool
    # Its positional parameter names, to read ``completion("gpt-4o", messages)`` like keywords.
    positional: tuple[str, ...]


def both(name: str, operation: str, positional: tuple[str, ...]) -> tuple[Target, Target]:
    """An entry point and its ``a``-prefixed async twin, which LiteLLM gives the same parameters."""
    return Target(name, operation, False, positional), Target(f"a{name}", operation, True, positional)


TARGETS: tuple[Target, ...] = (
    *both("completion", CHAT, ("model", "messages")),
    *both("text_completion", TEXT_COMPLETION, ("prompt", "model")),
    *both("embedding", EMBEDDING, ("model", "input")),
    *both("image_generation", IMAGE_GENERATION, ("prompt", "model")),
    *both("moderation", MODERATION, ("input", "model")),
    *both("responses", RESPONSES, ("input", "model")),
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
)

# LiteLLM's ``call_type`` for a call is the name of the module function it entered by
# (``acompletion``, ``embedding``, ...): the callback maps it back to an operation with this.
OPERATION_BY_CALL_TYPE: dict[str, str] = {target.name: target.operation for target in TARGETS}
