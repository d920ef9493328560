"""Local HTTP server speaking the OpenAI and Anthropic wire formats, for offline tests and demos."""

from __future__ import annotations

import base64
import dataclasses
import email.parser
import email.policy
import hashlib
import itertools
import json
import re
import socket
import struct
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import Self

OVERRIDE_HEADER = "x-local-provider"
_FINGERPRINT = "fp_local0001"
_MAX_RECORDED = 1000
# Smallest valid PNG (1x1), so image responses decode as real images.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
_MODERATION_CATEGORIES = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent", "self-harm",
    "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors", "violence", "violence/graphic",
)
# (type, code) by status. Not "invalid_request_error" for 401/403: LiteLLM maps any body containing it to BadRequestError.
_OPENAI_ERRORS = {
    400: ("invalid_request_error", None), 401: ("authentication_error", "invalid_api_key"),
    403: ("permission_error", None), 404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}
_ANTHROPIC_ERRORS = {
    400: "invalid_request_error", 401: "authentication_error", 403: "permission_error", 404: "not_found_error",
    413: "request_too_large", 429: "rate_limit_error", 529: "overloaded_error",
}

Frame = tuple[str, bool]  # (SSE text, whether it is a content chunk: paced, and counted by break_after_chunks)
Json = dict[str, Any]


@dataclass
class Behavior:
    """How the provider answers; a request can override fields with a JSON x-local-provider header."""

    first_chunk_delay: float = 0.0  # seconds from response headers to the first chunk (or to a non-stream body)
    chunk_delay: float = 0.0  # seconds between content chunks
    chunk_count: int = 5  # content chunks per stream: the text (or each tool call's arguments) split this many ways
    text: str = "Hello from the local provider."
    tool_calls: list[dict[str, Any]] | None = None  # [{"name": ..., "arguments": JSON text or dict}], replace the text
    error_status: int | None = None  # answer with this status and a provider-shaped error body
    error_message: str = "simulated error"
    hang: float = 0.0  # seconds before answering at all (client timeouts)
    break_after_chunks: int | None = None  # cut the stream after this many content chunks
    prompt_tokens: int = 12
    completion_tokens: int | None = None  # default: chunk_count, so streamed and non-streamed usage agree
    fail_first: int = 0  # the first N requests get error_status (or 500), later ones succeed
    cache_read_tokens: int = 0  # Anthropic usage: prompt tokens read from the prompt cache
    cache_creation_tokens: int = 0  # Anthropic usage: prompt tokens written to the prompt cache
    echo_status: int | None = None  # answer with this status, the error message quoting the whole request


class _Stopped(Exception):
    """The server is stopping; abandon the request."""


class LocalProvider:
    """OpenAI/Anthropic-compatible HTTP server on loopback, serving from a daemon thread."""

    def __init__(self, behavior: Behavior | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self._behavior = behavior or Behavior()
        self._host, self._port = host, port
        self.requests: list[Json] = []
        self._lock = threading.Lock()
        self._failures: dict[str, int] = {}  # fail_first counts, per override header ("" = server behavior)
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def behavior(self) -> Behavior:
        """The server-wide behavior."""
        return self._behavior

    @behavior.setter
    def behavior(self, value: Behavior) -> None:
        # A new behavior restarts the fail_first count; otherwise earlier requests would have used it up.
        with self._lock:
            self._behavior, self._failures = value, {}

    @contextmanager
    def configure(self, **changes: Any) -> Iterator[Behavior]:
        """Temporarily replace fields of the server behavior."""
        previous = self.behavior
        self.behavior = dataclasses.replace(previous, **changes)
        try:
            yield self.behavior
        finally:
            self.behavior = previous

    def start(self) -> Self:
        """Bind and serve in a daemon thread."""
        if self._server is None:
            self._stopping.clear()
            self._server = _Server((self._host, self._port), _Handler)
            self._server.provider = self
            # A short poll interval lets stop() return in milliseconds instead of half a second.
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                            name="local-provider", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, interrupt delays and cut open connections, so no client is left waiting."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """Root URL, http://127.0.0.1:PORT: the api_base for Anthropic."""
        if self._server is None:
            raise RuntimeError("LocalProvider is not started")
        return f"http://{self._host}:{self._server.server_address[1]}"

    @property
    def openai_base(self) -> str:
        """base_url + /v1: the api_base for OpenAI."""
        return self.base_url + "/v1"

    def _record(self, entry: Json) -> None:
        with self._lock:
            self.requests.append(entry)
            del self.requests[:-_MAX_RECORDED]

    def _resolve(self, override: str | None) -> Behavior:
        """Behavior for one request: server behavior, header override, then fail_first."""
        behavior = self._behavior
        if override:
            behavior = dataclasses.replace(behavior, **json.loads(override))
        if behavior.fail_first:
            with self._lock:  # counted per distinct override, so clients asking different things do not interfere
                seen = self._failures[override or ""] = self._failures.get(override or "", 0) + 1
            failing = seen <= behavior.fail_first
            behavior = dataclasses.replace(behavior, error_status=(behavior.error_status or 500) if failing else None)
        return behavior


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # bursts of concurrent clients must not overflow the listen backlog
    provider: LocalProvider

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up (timeouts, broken streams) and stop() are expected; only real bugs get a traceback.
        if not isinstance(sys.exc_info()[1], (OSError, _Stopped)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # for chunked encoding: a stream cut short is then detectable by the client
    timeout = 60.0  # idle or stuck client sockets do not pin a thread forever
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Without TCP_NODELAY, Nagle + delayed ACK can hold a small SSE chunk back by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.provider._lock:
            self.server.provider._connections.add(self.connection)

    def finish(self) -> None:
        with self.server.provider._lock:
            self.server.provider._connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no request log on stderr

    def do_GET(self) -> None:
        if re.fullmatch(r"/images/[\w-]+\.png", self.path):  # the URLs handed out by image generation
            self._send(200, _PNG, "image/png")
        else:
            self._error(404, "openai", f"Unknown path {self.path}")

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = _request_body(raw, self.headers.get("Content-Type") or "")
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.server.provider._record({"method": "POST", "path": path, "headers": headers, "body": body})
        # Matched by suffix, so whatever prefix a client puts before the endpoint (/v1, /openai/v1) works.
        route = next(((dialect, fn) for suffix, dialect, fn in _ROUTES if path.endswith(suffix)), None)
        if _echoed(self, route[0] if route else "openai", headers, raw):
            return None
        if route is None:
            return self._error(404, "openai", f"Unknown path {path}")
        dialect, respond = route
        if not isinstance(body, dict):
            return self._error(400, dialect, "Request body must be a JSON object")
        try:
            behavior = self.server.provider._resolve(headers.get(OVERRIDE_HEADER))
        except (TypeError, ValueError) as exc:
            return self._error(400, dialect, f"Bad {OVERRIDE_HEADER} header: {exc}")
        self._sleep_until(time.perf_counter() + behavior.hang)
        if behavior.error_status:
            return self._error(behavior.error_status, dialect, behavior.error_message)
        respond(self, body, behavior)

    def _sleep_until(self, deadline: float) -> None:
        # Waiting on the stop event is as precise as time.sleep, and lets stop() cut long hangs short.
        while (remaining := deadline - time.perf_counter()) > 0:
            if self.server.provider._stopping.wait(remaining):
                raise _Stopped

    def _send(self, status: int, payload: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = {"Content-Type": content_type, "Content-Length": str(len(payload)), **(extra or {})}
        for name, value in {**headers, "x-request-id": _new_id("req_"), "Connection": "close"}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _json(self, obj: Json, behavior: Behavior) -> None:
        self._sleep_until(time.perf_counter() + behavior.first_chunk_delay)
        self._send(200, json.dumps(obj).encode(), "application/json")

    def _error(self, status: int, dialect: str, message: str) -> None:
        if dialect == "anthropic":
            body: Json = {"type": "error", "error": {"type": _ANTHROPIC_ERRORS.get(status, "api_error"), "message": message}}
        else:
            kind, code = _OPENAI_ERRORS.get(status, ("server_error", None))
            body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
        extra = {"retry-after": "1", "retry-after-ms": "1000"} if status == 429 else None
        self._send(status, json.dumps(body).encode(), "application/json", extra)

    def _stream(self, frames: list[Frame], behavior: Behavior) -> None:
        """Send SSE frames, one HTTP chunk each, pacing content chunks against absolute deadlines."""
        self.send_response(200)
        for name, value in (("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-cache"),
                            ("Transfer-Encoding", "chunked"), ("x-request-id", _new_id("req_")), ("Connection", "close")):
            self.send_header(name, value)
        self.end_headers()
        start, sent = time.perf_counter(), 0
        for text, counted in frames:
            if counted and behavior.break_after_chunks is not None and sent >= behavior.break_after_chunks:
                return  # no terminating zero-length chunk: the client sees an incomplete body
            # Deadlines from one start do not drift; frames around content go out with the chunk before them.
            self._sleep_until(start + behavior.first_chunk_delay + max(sent - (not counted), 0) * behavior.chunk_delay)
            sent += counted
            data = text.encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))  # one unbuffered write: on the wire at once
        self.wfile.write(b"0\r\n\r\n")


def _echoed(h: _Handler, dialect: str, headers: dict[str, str], raw: bytes) -> bool:
    """With ``echo_status`` asked for, answer an error quoting the request as a careless server
    would (URL as sent, every header, the body), whatever the path: for secret-leak tests."""
    try:
        status = json.loads(headers.get(OVERRIDE_HEADER) or "{}").get("echo_status", h.server.provider.behavior.echo_status)
    except (ValueError, AttributeError):
        return False
    if not isinstance(status, int):
        return False
    h._error(status, dialect, f"rejected {h.command} {h.path} headers={headers} body={raw.decode(errors='replace')}")
    return True


def _new_id(prefix: str, length: int = 24) -> str:
    return prefix + uuid.uuid4().hex[:length]


def _sse(obj: Json, event: str | None = None) -> str:
    return (f"event: {event}\n" if event else "") + f"data: {json.dumps(obj)}\n\n"


def _split(text: str, pieces: int) -> list[str]:
    """Split text into exactly `pieces` contiguous parts, on word boundaries when there are enough words."""
    if pieces <= 1:
        return [text]
    units = re.findall(r"^\s+|\S+\s*", text)
    units = units if len(units) >= pieces else list(text)
    return ["".join(units[len(units) * i // pieces : len(units) * (i + 1) // pieces]) for i in range(pieces)]


def _calls(behavior: Behavior) -> list[tuple[str, str, str]]:
    """Tool calls as (id suffix, name, arguments as JSON text)."""
    return [(uuid.uuid4().hex[:24], call["name"], args if isinstance(args := call.get("arguments", "{}"), str)
             else json.dumps(args)) for call in behavior.tool_calls or []]


def _tokens(behavior: Behavior) -> tuple[int, int]:
    # One token per streamed chunk by default, so streamed and non-streamed usage agree.
    completion = behavior.completion_tokens if behavior.completion_tokens is not None else behavior.chunk_count
    return behavior.prompt_tokens, completion


def _openai_usage(behavior: Behavior) -> Json:
    prompt, completion = _tokens(behavior)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0}, "completion_tokens_details": {"reasoning_tokens": 0}}


def _chat(h: _Handler, body: Json, b: Behavior) -> None:
    """OpenAI Chat Completions."""
    calls, usage = _calls(b), _openai_usage(b)
    finish = "tool_calls" if calls else "stop"
    head = {"id": _new_id("chatcmpl-"), "created": int(time.time()), "model": body.get("model", ""),
            "system_fingerprint": _FINGERPRINT}
    if not body.get("stream"):
        message: Json = {"role": "assistant", "content": None if calls else b.text, "refusal": None}
        if calls:
            message["tool_calls"] = [{"id": "call_" + i, "type": "function", "function": {"name": n, "arguments": a}}
                                     for i, n, a in calls]
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
        return h._json({**head, "object": "chat.completion", "choices": [choice], "usage": usage}, b)
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

    def chunk(delta: Json, counted: bool = True, finish_reason: str | None = None) -> Frame:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        extra = {"usage": None} if include_usage else {}  # as OpenAI does: usage null until the usage chunk
        return _sse({**head, "object": "chat.completion.chunk", "choices": [choice], **extra}), counted

    frames = [chunk({"role": "assistant", "content": None if calls else "", "refusal": None}, False)]
    for index, (call_id, name, arguments) in enumerate(calls):
        function = {"name": name, "arguments": ""}
        frames.append(chunk({"tool_calls": [{"index": index, "id": "call_" + call_id, "type": "function", "function": function}]}, False))
        frames += [chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
                   for piece in _split(arguments, b.chunk_count)]
    if not calls:
        frames += [chunk({"content": piece}) for piece in _split(b.text, b.chunk_count)]
    frames.append(chunk({}, False, finish))
    if include_usage:
        frames.append((_sse({**head, "object": "chat.completion.chunk", "choices": [], "usage": usage}), False))
    h._stream([*frames, ("data: [DONE]\n\n", False)], b)


def _text_completion(h: _Handler, body: Json, b: Behavior) -> None:
    """OpenAI (legacy) Completions."""
    head = {"id": _new_id("cmpl-"), "object": "text_completion", "created": int(time.time()),
            "model": body.get("model", ""), "system_fingerprint": _FINGERPRINT}

    def choices(text: str, finish_reason: str | None) -> list[Json]:
        return [{"text": text, "index": 0, "logprobs": None, "finish_reason": finish_reason}]

    if not body.get("stream"):
        return h._json({**head, "choices": choices(b.text, "stop"), "usage": _openai_usage(b)}, b)
    frames: list[Frame] = [(_sse({**head, "choices": choices(p, None)}), True) for p in _split(b.text, b.chunk_count)]
    frames.append((_sse({**head, "choices": choices("", "stop")}), False))
    if (body.get("stream_options") or {}).get("include_usage"):
        frames.append((_sse({**head, "choices": [], "usage": _openai_usage(b)}), False))
    h._stream([*frames, ("data: [DONE]\n\n", False)], b)


def _vector(seed: str, dimensions: int) -> list[float]:
    """Unit vector derived from the input: equal inputs embed equally."""
    raw = b"".join(hashlib.sha256(f"{k}:{seed}".encode()).digest() for k in range(dimensions // 16 + 1))
    values = [int.from_bytes(raw[2 * k : 2 * k + 2], "little") / 32767.5 - 1.0 for k in range(dimensions)]
    norm = sum(v * v for v in values) ** 0.5 or 1.0
    return [v / norm for v in values]


def _embeddings(h: _Handler, body: Json, b: Behavior) -> None:
    """OpenAI Embeddings: one vector per input."""
    inputs = body.get("input", "")
    if not isinstance(inputs, list) or not inputs or isinstance(inputs[0], int):  # a string or one token list
        inputs = [inputs]
    dimensions = int(body.get("dimensions") or 8)
    data = []
    for index, item in enumerate(inputs):
        vector: Any = _vector(json.dumps(item), dimensions)
        if body.get("encoding_format") == "base64":  # what the OpenAI SDK asks for unless told otherwise
            vector = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": vector})
    usage = {"prompt_tokens": b.prompt_tokens, "total_tokens": b.prompt_tokens}
    h._json({"object": "list", "data": data, "model": body.get("model", ""), "usage": usage}, b)


def _images(h: _Handler, body: Json, b: Behavior) -> None:
    """OpenAI Images: n images, as b64_json or as URLs this server serves.

    gpt-image models always answer with b64_json (they take no response_format); DALL-E
    models answer with URLs unless asked for b64_json.
    """
    inline = body.get("response_format") == "b64_json" or str(body.get("model", "")).startswith("gpt-image")
    base = h.server.provider.base_url
    data = [{"b64_json": base64.b64encode(_PNG).decode()} if inline else {"url": f"{base}/images/{_new_id('img-')}.png"}
            for _ in range(int(body.get("n") or 1))]
    h._json({"created": int(time.time()), "data": [{**item, "revised_prompt": body.get("prompt", "")} for item in data]}, b)


def _moderations(h: _Handler, body: Json, b: Behavior) -> None:
    """OpenAI Moderations: words starting with "kill" flag violence, with "hate" flag hate."""
    inputs = body.get("input", "")
    results = []
    for item in inputs if isinstance(inputs, list) else [inputs]:
        text = item.get("text", "") if isinstance(item, dict) else str(item)
        flags = {"violence": bool(re.search(r"\bkill", text, re.IGNORECASE)), "hate": bool(re.search(r"\bhate", text, re.IGNORECASE))}
        categories = {c: flags.get(c, False) for c in _MODERATION_CATEGORIES}
        results.append({"flagged": any(flags.values()), "categories": categories,
                        "category_scores": {c: 0.97 if hit else 1e-05 for c, hit in categories.items()},
                        "category_applied_input_types": {c: ["text"] for c in categories}})
    h._json({"id": _new_id("modr-"), "model": body.get("model") or "omni-moderation-latest", "results": results}, b)


def _responses(h: _Handler, body: Json, b: Behavior) -> None:
    """OpenAI Responses: a message or function calls; streamed as typed events with sequence numbers."""
    prompt, completion = _tokens(b)
    usage = {"input_tokens": prompt, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": completion,
             "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": prompt + completion}
    part = {"type": "output_text", "text": b.text, "annotations": [], "logprobs": []}
    output: list[Json] = [
        {"type": "function_call", "id": "fc_" + i, "call_id": "call_" + i, "name": n, "arguments": a, "status": "completed"}
        for i, n, a in _calls(b)
    ] or [{"type": "message", "id": _new_id("msg_"), "status": "completed", "role": "assistant", "content": [part]}]
    rid, created = _new_id("resp_", 32), int(time.time())

    def response(status: str, items: list[Json], used: Json | None) -> Json:
        return {"id": rid, "object": "response", "created_at": created, "status": status, "error": None,
                "incomplete_details": None, "instructions": body.get("instructions"),
                "max_output_tokens": body.get("max_output_tokens"), "model": body.get("model", ""), "output": items,
                "parallel_tool_calls": True, "previous_response_id": body.get("previous_response_id"),
                "reasoning": {"effort": None, "summary": None}, "store": True, "temperature": 1.0,
                "text": {"format": {"type": "text"}}, "tool_choice": "auto", "tools": body.get("tools") or [],
                "top_p": 1.0, "truncation": "disabled", "usage": used, "user": None, "metadata": {}}

    if not body.get("stream"):
        return h._json(response("completed", output, usage), b)
    sequence = itertools.count()

    def event(kind: str, counted: bool = False, **fields: Any) -> Frame:
        return _sse({"type": kind, "sequence_number": next(sequence), **fields}, kind), counted

    frames = [event("response.created", response=response("in_progress", [], None)),
              event("response.in_progress", response=response("in_progress", [], None))]
    for index, item in enumerate(output):
        at = {"item_id": item["id"], "output_index": index}
        if item["type"] == "message":
            frames += [event("response.output_item.added", output_index=index, item={**item, "status": "in_progress", "content": []}),
                       event("response.content_part.added", **at, content_index=0, part={**part, "text": ""})]
            frames += [event("response.output_text.delta", True, **at, content_index=0, delta=piece, logprobs=[])
                       for piece in _split(b.text, b.chunk_count)]
            frames += [event("response.output_text.done", **at, content_index=0, text=b.text, logprobs=[]),
                       event("response.content_part.done", **at, content_index=0, part=part)]
        else:
            frames.append(event("response.output_item.added", output_index=index, item={**item, "status": "in_progress", "arguments": ""}))
            frames += [event("response.function_call_arguments.delta", True, **at, delta=piece)
                       for piece in _split(item["arguments"], b.chunk_count)]
            frames.append(event("response.function_call_arguments.done", **at, arguments=item["arguments"]))
        frames.append(event("response.output_item.done", output_index=index, item=item))
    h._stream([*frames, event("response.completed", response=response("completed", output, usage))], b)


def _messages(h: _Handler, body: Json, b: Behavior) -> None:
    """Anthropic Messages: a text block or tool_use blocks; streamed as Anthropic's named events."""
    prompt, completion = _tokens(b)
    calls = _calls(b)
    stop_reason = "tool_use" if calls else "end_turn"
    blocks: list[tuple[Json, str]] = [  # (final block, the text or JSON streamed for it)
        ({"type": "tool_use", "id": "toolu_01" + i, "name": n, "input": _object(a)}, a) for i, n, a in calls
    ] or [({"type": "text", "text": b.text}, b.text)]
    usage = {"input_tokens": prompt, "cache_creation_input_tokens": b.cache_creation_tokens,
             "cache_read_input_tokens": b.cache_read_tokens, "output_tokens": completion}
    message = {"id": _new_id("msg_01"), "type": "message", "role": "assistant", "model": body.get("model", ""),
               "content": [block for block, _ in blocks], "stop_reason": stop_reason, "stop_sequence": None, "usage": usage}
    if not body.get("stream"):
        return h._json(message, b)

    def event(kind: str, counted: bool = False, **fields: Any) -> Frame:
        return _sse({"type": kind, **fields}, kind), counted

    start = {**message, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}
    frames = [event("message_start", message=start)]
    for index, (block, streamed) in enumerate(blocks):
        text = block["type"] == "text"
        frames.append(event("content_block_start", index=index, content_block={**block, "text": ""} if text else {**block, "input": {}}))
        frames += [event("ping")] if index == 0 else []
        frames += [event("content_block_delta", True, index=index, delta={"type": "text_delta", "text": piece} if text
                         else {"type": "input_json_delta", "partial_json": piece}) for piece in _split(streamed, b.chunk_count)]
        frames.append(event("content_block_stop", index=index))
    frames.append(event("message_delta", delta={"stop_reason": stop_reason, "stop_sequence": None}, usage={"output_tokens": completion}))
    h._stream([*frames, event("message_stop")], b)


def _object(text: str) -> Json:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _request_body(raw: bytes, content_type: str) -> Json | None:
    """A JSON body, or a multipart form's fields (files as their name and size); None when unreadable."""
    if content_type.startswith("multipart/form-data"):
        return _multipart(raw, content_type)
    try:
        return json.loads(raw or b"{}")  # type: ignore[no-any-return]  # checked by the caller
    except ValueError:
        return None


def _multipart(raw: bytes, content_type: str) -> Json:
    """Fields of a multipart/form-data body (what the OpenAI SDK sends for audio uploads)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw
    )
    fields: Json = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        fields[str(name)] = {"filename": filename, "size": len(payload)} if filename else payload.decode()
    return fields


def _rerank(h: _Handler, body: Json, b: Behavior) -> None:
    """Cohere-style rerank: documents sharing more words with the query rank higher."""
    query = set(str(body.get("query", "")).lower().split())
    documents = body.get("documents") or []
    texts = [d.get("text", "") if isinstance(d, dict) else str(d) for d in documents]
    scores = [len(query & set(t.lower().split())) / (len(query) or 1) for t in texts]
    order = sorted(range(len(texts)), key=lambda i: -scores[i])[: body.get("top_n") or len(texts)]
    results: list[Json] = [{"index": i, "relevance_score": scores[i]} for i in order]
    if body.get("return_documents"):
        results = [{**r, "document": {"text": texts[r["index"]]}} for r in results]
    meta = {"api_version": {"version": "1"}, "billed_units": {"search_units": 1}}
    h._json({"id": _new_id("rerank-"), "results": results, "meta": meta}, b)


def _transcriptions(h: _Handler, body: Json, b: Behavior) -> None:
    """OpenAI audio transcription (multipart upload): the behavior's text, as JSON, verbose JSON or text."""
    audio = body.get("file") if isinstance(body.get("file"), dict) else {"size": 0}
    seconds = round(audio["size"] / 32000, 3)  # as if 16 kHz, 16-bit mono
    kind = body.get("response_format") or "json"
    if kind == "text":
        return h._send(200, b.text.encode(), "text/plain")
    answer: Json = {"text": b.text}
    if kind == "verbose_json":
        answer = {"task": "transcribe", "language": body.get("language") or "english", "duration": seconds,
                  "text": b.text, "segments": []}
    if str(body.get("model", "")).startswith("gpt-4o"):  # token-billed models report usage
        prompt, completion = _tokens(b)
        # OpenAI's shape, input_token_details included (LiteLLM before 1.109 rejects the usage without it).
        answer["usage"] = {"type": "tokens", "input_tokens": prompt, "output_tokens": completion,
                           "total_tokens": prompt + completion,
                           "input_token_details": {"text_tokens": 0, "audio_tokens": prompt}}
    h._json(answer, b)


def _speech(h: _Handler, body: Json, b: Behavior) -> None:
    """OpenAI text to speech: a silent 16 kHz mono WAV, 1 ms per input character."""
    samples = 16 * len(str(body.get("input", "")))
    data = bytes(2 * samples)
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)
    h._sleep_until(time.perf_counter() + b.first_chunk_delay)
    h._send(200, header + b"data" + struct.pack("<I", len(data)) + data, "audio/wav")


# Checked in order: /chat/completions must win over /completions.
_ROUTES: tuple[tuple[str, str, Callable[[_Handler, Json, Behavior], None]], ...] = (
    ("/chat/completions", "openai", _chat),
    ("/completions", "openai", _text_completion),
    ("/embeddings", "openai", _embeddings),
    ("/images/generations", "openai", _images),
    ("/moderations", "openai", _moderations),
    ("/responses", "openai", _responses),
    ("/messages", "anthropic", _messages),
    ("/rerank", "openai", _rerank),
    ("/audio/transcriptions", "openai", _transcriptions),
    ("/audio/speech", "openai", _speech),
)
