"""Extractors of the newer entry points, on small fakes: Anthropic Messages (and its SSE stream), rerank, audio."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from litellm.types.utils import CallTypes

from litetrace.attributes import EXTRACTORS, anthropic_messages, rerank, semconv, speech, transcription
from litetrace.attributes import names as n
from litetrace.instrumentation.callback import OPERATION_BY_CALL_TYPE
from litetrace.instrumentation.targets import TARGETS
from litetrace.stream import anthropic_events


def sse(kind: str, **fields: Any) -> bytes:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **fields})}\n\n".encode()


STREAM = b"".join([
    sse("message_start", message={"id": "msg_1", "model": "claude-x", "usage": {"input_tokens": 10, "cache_read_input_tokens": 4, "cache_creation_input_tokens": 2, "output_tokens": 1}}),
    sse("content_block_start", index=0, content_block={"type": "text", "text": ""}),
    sse("content_block_delta", index=0, delta={"type": "text_delta", "text": "Hello "}),
    sse("content_block_delta", index=0, delta={"type": "text_delta", "text": "world"}),
    sse("content_block_stop", index=0),
    sse("content_block_start", index=1, content_block={"type": "tool_use", "id": "t1", "name": "lookup", "input": {}}),
    sse("content_block_delta", index=1, delta={"type": "input_json_delta", "partial_json": "{}"}),
    sse("message_delta", delta={"stop_reason": "tool_use"}, usage={"output_tokens": 9}),
    sse("message_stop"),
])


@pytest.mark.parametrize("piece", [len(STREAM), 50, 7, 1])
def test_a_messages_stream_folds_the_same_however_its_bytes_were_cut(piece):
    chunks = [STREAM[i : i + piece] for i in range(0, len(STREAM), piece)]
    attrs: dict[str, Any] = {}
    anthropic_events.fold(chunks, attrs, None)
    assert attrs[n.RESP_ID] == "msg_1"
    assert attrs[n.RESPONSE_MODEL] == "claude-x"
    assert attrs[n.RESP_CONTENT_LENGTH] == len("Hello world")
    assert attrs[n.RESP_FINISH_REASONS] == ["tool_use"]
    assert attrs[n.RESP_TOOL_CALLS_COUNT] == 1
    assert attrs[n.RESP_TOOL_NAMES] == ["lookup"]
    assert attrs[n.USAGE_PROMPT] == 10 + 4 + 2
    assert attrs[n.USAGE_COMPLETION] == 9  # message_delta's count replaces message_start's
    assert attrs[n.USAGE_CACHED] == 4
    assert attrs[n.USAGE_CACHE_WRITE] == 2


def test_a_messages_stream_of_event_dicts_folds_too():
    events = anthropic_events.events([STREAM])
    attrs: dict[str, Any] = {}
    anthropic_events.fold(events, attrs, 100)
    assert attrs[n.RESP_CONTENT_LENGTH] == len("Hello world")
    assert "Hello world" in attrs[semconv.OUTPUT_MESSAGES]


def test_a_broken_messages_stream_records_what_arrived():
    attrs: dict[str, Any] = {}
    anthropic_events.fold([STREAM[:300], b"data: {not json\n\n"], attrs, None)
    assert attrs[n.RESP_ID] == "msg_1"
    assert n.RESP_FINISH_REASONS not in attrs


def test_messages_request_counts_the_system_prompt_as_a_message():
    attrs: dict[str, Any] = {}
    system = [{"type": "text", "text": "Be brief."}]
    anthropic_messages.request({"messages": [{"role": "user", "content": "hi"}], "system": system, "max_tokens": 9, "top_k": 3,
                                "stop_sequences": ["X"], "tool_choice": {"type": "tool", "name": "lookup"}}, attrs)
    assert attrs[n.REQ_MESSAGES_COUNT] == 2
    assert attrs[n.REQ_ROLE_COUNT.format(role="system")] == 1
    assert attrs[n.REQ_CONTENT_LENGTH] == len("hi") + len("Be brief.")
    assert attrs[n.REQ_MAX_TOKENS] == 9
    assert attrs[n.REQ_TOP_K] == 3
    assert attrs[n.REQ_STOP] == ["X"]
    assert attrs[n.REQ_TOOL_CHOICE] == "lookup"


def test_messages_usage_without_cache_fields_leaves_cache_keys_unset():
    attrs: dict[str, Any] = {}
    anthropic_messages.usage({"input_tokens": 5, "output_tokens": 2}, attrs)
    assert attrs == {n.USAGE_PROMPT: 5, n.USAGE_COMPLETION: 2, n.USAGE_TOTAL: 7}


def test_rerank_records_counts_and_scores_never_documents():
    attrs: dict[str, Any] = {}
    rerank.request({"query": "fox", "documents": ["secret a", "secret b"], "top_n": 1}, attrs)
    rerank.response({"id": "r1", "results": [{"index": 1, "relevance_score": 0.25}, {"index": 0, "relevance_score": 0.75}]}, attrs)
    assert attrs == {n.REQ_CONTENT_LENGTH: 3, n.REQ_DOCUMENTS_COUNT: 2, n.REQ_TOP_N: 1, n.RESP_ID: "r1",
                     n.RESP_RESULTS_COUNT: 2, n.RESP_TOP_SCORE: 0.75}


def test_transcription_reads_token_usage_but_not_whispers_duration_usage():
    attrs: dict[str, Any] = {}
    transcription.response({"text": "abc", "usage": {"type": "duration", "seconds": 3}}, attrs)
    assert attrs == {n.RESP_CONTENT_LENGTH: 3}
    transcription.response({"text": "abc", "usage": {"type": "tokens", "input_tokens": 4, "output_tokens": 2}}, attrs)
    assert attrs[n.USAGE_PROMPT] == 4 and attrs[n.USAGE_COMPLETION] == 2


def test_speech_counts_audio_bytes_only_of_a_read_body():
    attrs: dict[str, Any] = {}
    speech.request({"input": "hello", "voice": {"id": "v-1"}, "response_format": "mp3", "speed": 1.5}, attrs)
    speech.response(SimpleNamespace(response=SimpleNamespace(_content=b"1234")), attrs)
    assert attrs == {n.REQ_CONTENT_LENGTH: 5, n.REQ_VOICE: "v-1", n.REQ_AUDIO_FORMAT: "mp3", n.REQ_SPEED: 1.5, n.RESP_AUDIO_BYTES: 4}
    unread: dict[str, Any] = {}
    speech.response(SimpleNamespace(response=SimpleNamespace(_content=None)), unread)
    assert unread == {}


@pytest.mark.parametrize("operation", ["anthropic_messages", "rerank", "transcription", "speech"])
def test_every_new_operation_is_wired_through(operation):
    assert operation in EXTRACTORS and operation in semconv.OPERATIONS
    assert {t.name for t in TARGETS if t.operation == operation}
    assert all(t.positional for t in TARGETS if t.operation == operation)
    call_types = {value for value, op in OPERATION_BY_CALL_TYPE.items() if op == operation}
    assert call_types and call_types <= {c.value for c in CallTypes}
