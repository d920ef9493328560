"""Callback names: ``"agentops"`` and ``"litetrace"`` in LiteLLM's lists resolve to litetrace.

LiteLLM turns string callbacks into logger instances in
``litellm_logging._init_custom_logger_compatible_class``, for names listed in
``litellm._known_custom_logger_compatible_callbacks`` (unknown names are silently
dropped). Wrapping that one function routes both names to our instance, so LiteLLM's
built-in AgentOps logger (which dials a cloud endpoint and installs a global
TracerProvider) is never constructed while litetrace is instrumented.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import wrapt

ROUTED_NAMES = ("agentops", "litetrace")
_RESOLVER_MODULE = "litellm.litellm_core_utils.litellm_logging"
_RESOLVER = "_init_custom_logger_compatible_class"
# LiteLLM's global callback lists that may hold our instance or one of our names.
CALLBACK_LISTS = (
    "callbacks",
    "success_callback",
    "failure_callback",
    "input_callback",
    "service_callback",
    "_async_success_callback",
    "_async_failure_callback",
    "_async_input_callback",
)


class CallbackRouting:
    """Installs and removes the name routing and our callback instance."""

    def __init__(self, callback: Any) -> None:
        self.callback = callback
        self._added_name = False
        self._wrapped = False

    def install(self) -> None:
        """Route the names to ``callback`` and register it with LiteLLM."""
        import litellm

        known = litellm._known_custom_logger_compatible_callbacks
        if "litetrace" not in known:
            known.append("litetrace")
            self._added_name = True
        wrapt.wrap_function_wrapper(_RESOLVER_MODULE, _RESOLVER, self._resolve)
        self._wrapped = True
        # Strings set before instrument() are replaced now; later ones go through _resolve.
        for list_name in ("callbacks", "success_callback", "failure_callback"):
            names = getattr(litellm, list_name, None)
            if isinstance(names, list):
                names[:] = [item for item in names if item not in ROUTED_NAMES]
        litellm.logging_callback_manager.add_litellm_callback(self.callback)

    def uninstall(self) -> None:
        """Remove every trace: the resolver wrap, our name, our instance in every list."""
        import litellm
        import litellm.litellm_core_utils.litellm_logging as logging_module

        if self._wrapped:
            resolver = getattr(logging_module, _RESOLVER)
            if isinstance(resolver, wrapt.FunctionWrapper):
                setattr(logging_module, _RESOLVER, resolver.__wrapped__)
            self._wrapped = False
        if self._added_name and "litetrace" in litellm._known_custom_logger_compatible_callbacks:
            litellm._known_custom_logger_compatible_callbacks.remove("litetrace")
        self._added_name = False
        for list_name in CALLBACK_LISTS:
            items = getattr(litellm, list_name, None)
            if isinstance(items, list):
                items[:] = [item for item in items if item is not self.callback]
        in_memory = getattr(logging_module, "_in_memory_loggers", None)
        if isinstance(in_memory, list):
            in_memory[:] = [item for item in in_memory if item is not self.callback]

    def _resolve(self, wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        name = args[0] if args else kwargs.get("logging_integration")
        if name in ROUTED_NAMES:
            return self.callback
        return wrapped(*args, **kwargs)
