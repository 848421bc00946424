"""Durations as the iRODS delay queue writes them: ``30s``, ``5m``, ``1h``, ``2d``, ``1y``.

The one parser for periods in the configuration (``replication.retry_period``,
``replication.max_backoff``, sweep periods) and in delay conditions (``<PLUSET>``).
"""

from __future__ import annotations

import re

from b2safe.errors import InvalidInput

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "y": 365 * 86400}
_DURATION = re.compile(r"^([0-9]+)([smhdy])$")


def parse(text: str, what: str = "period") -> int:
    """Seconds of a duration ``<number><s|m|h|d|y>``.

    Raises:
        InvalidInput: ``text`` is not such a duration (``what`` names it in the message).
    """
    match = _DURATION.match(text.strip())
    if not match:
        raise InvalidInput(f"{what} {text[:20]!r} is not <number><s|m|h|d|y>")
    return int(match.group(1)) * UNITS[match.group(2)]
