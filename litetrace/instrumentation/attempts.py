"""Router attempts: retries and fallbacks inside one Router call, as events on its one span.

Each attempt is a ``litellm.acompletion`` nested in the Router call, so it adds no span
(one span per user request). LiteLLM's failure callback reports every failed attempt
before the Router tries the next one: each becomes an ``llm.router.attempt`` event
(number, deployment, api_base, model group, error type and category, duration), and at
the end the span gets ``llm.router.attempts`` and ``llm.router.fallback_model``, and the
``llm.router.retries`` / ``llm.router.fallbacks`` counters count them. Events rather than
child spans: an attempt has no request/response attributes of its own worth a span, its
timing comes after the fact from the callback, and a span per attempt would break "one
LLM span per request" for every query that counts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from litetrace.attributes import errors
from litetrace.attributes import names as n
from litetrace.attributes.common import clean_api_base

if TYPE_CHECKING:
    from litetrace.instrumentation.calls import Call, CallRecorder

ATTEMPT_EVENT = "llm.router.attempt"
ATTEMPT_NUMBER = "llm.router.attempt.number"
ATTEMPT_DURATION = "llm.router.attempt.duration"


def router_metadata(kwargs: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The Router's metadata of an attempt (it always names the model group), else None."""
    litellm_params = kwargs.get("litellm_params")
    for holder in (litellm_params if isinstance(litellm_params, Mapping) else {}, kwargs):
        for key in ("metadata", "litellm_metadata"):
            metadata = holder.get(key)
            if isinstance(metadata, Mapping) and isinstance(metadata.get("model_group"), str):
                return metadata
    return None


def failed_attempt(call: Call, kwargs: Mapping[str, Any], metadata: Mapping[str, Any], start: Any, end: Any) -> None:
    """One failed attempt of a Router call: an event on its span."""
    group = metadata.get("model_group")
    if call.attempts is None:
        call.attempts = []
    call.attempts.append(group if isinstance(group, str) else None)
    if not call.recording:
        return
    attrs: dict[str, Any] = {ATTEMPT_NUMBER: len(call.attempts)}
    if isinstance(group, str):
        attrs[n.MODEL_GROUP] = group
    logged = kwargs.get("standard_logging_object")
    if isinstance(logged, Mapping):
        if isinstance(logged.get("model_id"), str):
            attrs[n.MODEL_ID] = logged["model_id"]
        api_base = clean_api_base(logged["api_base"]) if isinstance(logged.get("api_base"), str) else None
        if api_base:
            attrs[n.API_BASE] = api_base
    error = kwargs.get("exception")
    if isinstance(error, BaseException):
        # LiteLLM's record of the attempt holds its secrets (litellm_params, headers): scrub them all.
        found = errors.failure(error, kwargs, recording=False).attributes
        for key in (n.ERROR_TYPE, n.ERROR_CATEGORY, n.ERROR_STATUS_CODE):
            if key in found:
                attrs[key] = found[key]
    if isinstance(start, datetime) and isinstance(end, datetime):
        attrs[ATTEMPT_DURATION] = (end - start).total_seconds()
    call.span.add_event(ATTEMPT_EVENT, attrs)


def finish(recorder: CallRecorder, call: Call, failed: bool) -> None:
    """At the end of a Router call that had failed attempts: totals on the span, the counters."""
    groups = list(call.attempts or [])
    served = call.attrs.get(n.ROUTER_FALLBACK_MODEL)
    if not failed:
        groups.append(served if isinstance(served, str) else (groups[-1] if groups else None))
    fallbacks = sum(1 for before, after in zip(groups, groups[1:], strict=False) if before != after)
    retries = len(groups) - 1 - fallbacks
    attrs: dict[str, Any] = {n.ROUTER_ATTEMPTS: len(groups)}
    if fallbacks and not isinstance(served, str) and isinstance(groups[-1], str):
        attrs[n.ROUTER_FALLBACK_MODEL] = groups[-1]
    if call.recording:
        recorder.write(call, attrs)
    else:
        call.attrs.update(attrs)
    recorder.instruments.record_router(retries, fallbacks, call.attrs, call.context)
