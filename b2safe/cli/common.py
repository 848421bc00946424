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


def report_error(args: Any, message: str, code: Optional[int], exit_code: int) -> int:
    """Report a failure (JSON on stdout with ``--json``, else one line on stderr); returns
    ``exit_code``."""
    if getattr(args, "json", False):
        print_json({"error": {"message": message, "code": code, "name": error_name(code) or None,
                              "exit_code": exit_code}})
    else:
        print(f"ERROR: {message} {describe_code(code)}".rstrip(), file=sys.stderr)
    return exit_code


def configure_logging(verbosity: int = 0, level: Optional[str] = None) -> None:
    """Log to stderr: WARNING by default, INFO with ``-v``, DEBUG with ``-vv``; ``level`` (a
    logging level name) wins. Secrets never reach the log (b2safe.adapters.handle.logsafe)."""
    import logging

    chosen = level.upper() if level else ("DEBUG" if verbosity > 1 else
                                          "INFO" if verbosity == 1 else "WARNING")
    logging.basicConfig(level=chosen, stream=sys.stderr, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def add_logging_options(parser: Any) -> None:
    """``-v``/``--verbose`` (repeatable) and ``--log-level`` on a (sub-)parser."""
    import argparse

    try:
        parser.add_argument("-v", "--verbose", action="count", default=0,
                            help="log more (-v: info, -vv: debug) to stderr")
        parser.add_argument("--log-level", default=None, type=str.upper,
                            choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
                            help="log level on stderr (default WARNING)")
    except argparse.ArgumentError:  # a plugin command that defines its own -v
        pass


def print_json(data: Any, stream: Optional[TextIO] = None) -> None:
    """Print ``data`` as indented, key-sorted JSON."""
    print(json.dumps(data, indent=2, sort_keys=True, default=str), file=stream or sys.stdout)


class Progress:
    """Progress of long work on stderr: count, rate and ETA (tqdm), redrawn in place.

    Silent when ``quiet`` or when the stream is not a terminal, so scripts and logs never see
    it. ``total`` may be set later (work whose size the server reports first).
    """

    def __init__(self, label: str, total: Optional[int] = None, *, quiet: bool = False,
                 stream: Optional[TextIO] = None, min_interval: float = 0.1,
                 unit: str = "it") -> None:
        from tqdm import tqdm

        self.stream = stream or sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = not quiet and bool(isatty and isatty())
        self.done = 0
        self._bar = tqdm(total=total, desc=label, file=self.stream, unit=unit,
                         mininterval=min_interval, disable=not self.enabled, leave=False,
                         dynamic_ncols=True)

    @property
    def total(self) -> Optional[int]:
        """The expected number of items (None while unknown)."""
        return self._bar.total

    def set_total(self, total: int) -> None:
        """Announce how many items the work has."""
        self._bar.total = total
        self._bar.refresh()

    def update(self, done: Optional[int] = None, note: str = "") -> None:
        """Advance to ``done`` items (or by one); ``note`` is shown after the count."""
        target = self.done + 1 if done is None else done
        if note:
            self._bar.set_postfix_str(note, refresh=False)
        if target != self.done:
            self._bar.update(target - self.done)
        else:
            self._bar.refresh()
        self.done = target

    def finish(self) -> None:
        """Clear the progress line."""
        self._bar.close()
