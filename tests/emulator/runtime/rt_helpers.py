"""Helpers shared by the runtime tests."""

from __future__ import annotations

import re

CODE_RE = re.compile(r"\[iRods__Error__Code:(-?\d+)\]")


def code_of(exc: BaseException) -> int:
    """The embedded iRODS code of a RuntimeError raised by a callback."""
    match = CODE_RE.search(str(exc))
    assert match, f"no code in {exc!r}"
    return int(match.group(1))
