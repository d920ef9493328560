"""``python -m litetrace.store`` prints the store's schema as Markdown (docs/store-schema.md)."""

from __future__ import annotations

from litetrace.store.schema import markdown

print(markdown(), end="")
