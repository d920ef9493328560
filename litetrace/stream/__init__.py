"""Streaming: proxies that time chunks and end the span exactly once."""

from __future__ import annotations

from litetrace.stream.timing import StreamState
from litetrace.stream.wrapper import AsyncStreamWrapper, StreamWrapper, stream_kinds

__all__ = ["AsyncStreamWrapper", "StreamState", "StreamWrapper", "stream_kinds"]
