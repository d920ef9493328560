"""``python -m litetrace.demo [options]``: the same as ``litetrace demo [options]``."""

from __future__ import annotations

import sys

from litetrace.cli import main

sys.exit(main(["demo", *sys.argv[1:]]))
