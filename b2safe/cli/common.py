"""Shared pieces of the ``b2safe`` command: exit codes, the CLI error, output and progress.

Exit codes (documented in docs/installation.md; scripts may rely on them):

====  ==========================================================================================
0     success
1     a rule or iRODS operation failed; the iRODS error code is printed (``[code NAME]``)
2     usage or configuration error (bad arguments, unknown rule, invalid b2safe.json, missing
      irods_environment.json, python-irodsclient not installed)
3     connection / unavailable: the iRODS server, a federated zone or the PID service could not be
      reached (retrying later may help)
====  ==========================================================================================
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Optional, TextIO

from b2safe.errors import (
    SYS_SOCK_CONNECT_ERR,
    PidServiceUnavailable,
    ZoneUnreachable,
)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3

#: iRODS codes (rounded to thousands) that mean "could not reach something": exit code 3.
UNAVAILABLE_CODES = frozenset({SYS_SOCK_CONNECT_ERR})


class CliError(Exception):
    """A failure the command reports as one line and turns into an exit code.

    ``code`` is the iRODS error code when there is one (printed with the message).
    """

    def __init__(self, message: str, exit_code: int = EXIT_ERROR,
                 code: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.code = code


def rounded(code: int) -> int:
    """``code`` without its errno part (-162113 -> -162000)."""
    return -((-code // 1000) * 1000) if code < 0 else code


def exit_code_for(code: Optional[int]) -> int:
    """Exit code for a failed rule/iRODS call with iRODS ``code``: 3 when unavailable, else 1."""
    if code is not None and rounded(code) in UNAVAILABLE_CODES:
        return EXIT_UNAVAILABLE
    return EXIT_ERROR


def error_name(code: Optional[int]) -> str:
    """The iRODS symbolic name of ``code`` ("" when unknown)."""
    if code is None:
        return ""
    try:  # python-irodsclient keeps the server's error table (irods/exception.py)
        from irods.exception import get_exception_class_by_code
    except ImportError:  # the 'client' extra is not installed: no names, codes only
        return ""
    for candidate in (code, rounded(code)):
        cls = get_exception_class_by_code(candidate)
        if cls is not None:
            return str(cls.__name__)
    return ""


def describe_code(code: Optional[int]) -> str:
    """``[-310000 USER_FILE_DOES_NOT_EXIST]`` (or "" without a code)."""
    if code is None:
        return ""
    name = error_name(code)
    return f"[{code}{' ' + name if name else ''}]"


def is_unavailable_error(exc: BaseException) -> bool:
    """Whether a b2safe error means "could not reach" (PID service or zone down)."""
    return isinstance(exc, (PidServiceUnavailable, ZoneUnreachable))


def print_json(data: Any, stream: Optional[TextIO] = None) -> None:
    """Print ``data`` as indented, key-sorted JSON."""
    print(json.dumps(data, indent=2, sort_keys=True, default=str), file=stream or sys.stdout)


class Progress:
    """A one-line progress display on stderr, redrawn in place.

    Silent when ``quiet`` or when stderr is not a terminal, so scripts and logs never see it.
    """

    def __init__(self, label: str, total: Optional[int] = None, *, quiet: bool = False,
                 stream: Optional[TextIO] = None, min_interval: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = not quiet and bool(isatty and isatty())
        self.label = label
        self.total = total
        self.done = 0
        self._last = 0.0
        self._min_interval = min_interval
        self._width = 0

    def update(self, done: Optional[int] = None, note: str = "") -> None:
        """Advance to ``done`` items (or by one) and redraw at most every ``min_interval``."""
        self.done = self.done + 1 if done is None else done
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self._min_interval and (self.total is None
                                                        or self.done < self.total):
            return
        self._last = now
        count = f"{self.done}/{self.total}" if self.total else str(self.done)
        text = f"{self.label}: {count}" + (f" {note}" if note else "")
        pad = max(0, self._width - len(text))
        self._width = len(text)
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()

    def finish(self) -> None:
        """Clear the progress line."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
