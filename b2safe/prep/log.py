"""Logging to the iRODS server log through the current rule call's ``callback.writeLine``.

On iRODS 4.3+ ``print`` goes nowhere under PREP; the only route to the server log is
``callback.writeLine('serverLog', text)``. :class:`ServerLogHandler` is attached to the ``b2safe``
logger and writes through the callback of the rule call in whose context the record is emitted:
the call's state is held in a :class:`contextvars.ContextVar`, which work run in a copy of the
rule's context sees too (the PID service's worker pool submits its work with
``contextvars.copy_context().run``). Records emitted on such other threads are queued and written
by the rule's own thread: PREP forbids calling ``callback`` from any other thread.

B2SAFE levels (config ``logging.level``): 0 error, 1 info, 2 debug, 3 verbose.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import threading
from collections import deque
from typing import Any, Optional

VERBOSE = 5
logging.addLevelName(VERBOSE, "VERBOSE")

LOGGER_NAME = "b2safe"
logger = logging.getLogger(LOGGER_NAME)

#: B2SAFE level -> lowest Python logging level written.
LEVELS = {0: logging.ERROR, 1: logging.INFO, 2: logging.DEBUG, 3: VERBOSE}

_SECRET_PATTERNS = [
    (re.compile(r"(?i)(authorization\s*[:=]\s*)(basic|bearer|handle)\s+\S+"), r"\1\2 ***"),
    (re.compile(r"(?i)\bbasic\s+[A-Za-z0-9+/=%]{8,}"), "Basic ***"),
    (
        re.compile(r"(?i)([\"']?(?:password|passphrase|secret|private_key)[\"']?\s*[:=]\s*)"
                   r"(\"[^\"]*\"|'[^']*'|[^\s,;}]+)"),
        r"\1***",
    ),
    (re.compile(r"(://[^/\s:@]+:)[^@\s/]+@"), r"\1***@"),
]


def redact(text: str) -> str:
    """Remove passwords, Basic credentials and URL user-info secrets from ``text``."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def escape_controls(text: str) -> str:
    """``text`` with every control or line-breaking character written as an escape (``\\n``,
    ``\\x1b``, ...), so that user text (rule arguments, paths, AVUs) cannot start a forged
    line in the server log."""
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text)


class RedactingFilter(logging.Filter):
    """A filter that redacts secrets from the final message of every record and escapes its
    control characters (one record, one log line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = escape_controls(redact(message))
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class _CallState:
    __slots__ = ("callback", "pending", "rule", "thread")

    def __init__(self, callback: Any, rule: str) -> None:
        self.callback = callback
        self.rule = rule
        self.thread = threading.get_ident()
        self.pending: deque[str] = deque()


#: The log state of the rule call this context belongs to (copied into worker threads' work).
_current: contextvars.ContextVar[Optional[_CallState]] = contextvars.ContextVar(
    "b2safe_rule_call", default=None)


class ServerLogHandler(logging.Handler):
    """Write ``b2safe`` records to the server log via the running rule's callback."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.setFormatter(logging.Formatter("b2safe %(levelname)s [%(rule)s] %(message)s"))
        self.addFilter(RedactingFilter())

    def emit(self, record: logging.LogRecord) -> None:
        try:
            state = _current.get()
            if state is None:
                return
            record.rule = state.rule
            line = self.format(record)
            if state.thread == threading.get_ident():
                _flush(state)
                state.callback.writeLine("serverLog", line)
            else:
                state.pending.append(line)
        except Exception:
            self.handleError(record)


def _flush(state: _CallState) -> None:
    while state.pending:
        state.callback.writeLine("serverLog", state.pending.popleft())


_handler: Optional[ServerLogHandler] = None


def install_handler(level: int = 1) -> None:
    """Attach the server-log handler once per process and set the B2SAFE ``level`` (0..3)."""
    global _handler
    if _handler is None:
        _handler = ServerLogHandler()
        logger.addHandler(_handler)
    wanted = LEVELS.get(level, logging.INFO)
    if logger.level != wanted:  # setLevel clears every logger's cache: not once per call
        logger.setLevel(wanted)


class _RuleCall:
    """The context manager of :func:`rule_call` (a class, not a generator: every PEP call of
    the agent enters one; issue 19)."""

    __slots__ = ("_state", "_token")

    def __init__(self, callback: Any, rule: str) -> None:
        self._state = _CallState(callback, rule)
        self._token: Optional[contextvars.Token] = None

    def __enter__(self) -> None:
        self._token = _current.set(self._state)

    def __exit__(self, *exc: object) -> None:
        if self._state.pending:  # the server log is best effort; the rule's outcome stands
            with contextlib.suppress(Exception):
                _flush(self._state)
        if self._token is not None:
            _current.reset(self._token)


def rule_call(callback: Any, rule: str) -> _RuleCall:
    """Route ``b2safe`` log records to ``callback`` for the duration of one rule call (a
    context manager)."""
    return _RuleCall(callback, rule)


def current_call() -> Optional[_CallState]:
    """The log state of the rule call of this context (None outside rule calls)."""
    return _current.get()


def flush_pending() -> None:
    """Write queued worker-thread records now (call from the rule's thread)."""
    state = current_call()
    if state is not None:
        _flush(state)
