"""Internal-error policy: telemetry failures cost telemetry, never the user's call.

Outside tests an internal failure is logged at debug level and swallowed. Under pytest
(``PYTEST_VERSION`` is set) it is re-raised instead, so bugs are not hidden; tests that
prove the swallowing switch ``STRICT`` off.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger("litetrace")

STRICT: bool = "PYTEST_VERSION" in os.environ


def internal_error(where: str) -> None:
    """Handle the exception being handled now, raised by litetrace itself in ``where``."""
    if STRICT:
        raise
    logger.debug("litetrace: internal error in %s; the call goes on with less telemetry", where, exc_info=True)
