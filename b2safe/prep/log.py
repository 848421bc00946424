"""Logging to the iRODS server log through the current rule call's ``callback.writeLine``.

On iRODS 4.3+ ``print`` goes nowhere under PREP; the only route to the server log is
``callback.writeLine('serverLog', text)``. :class:`ServerLogHandler` is attached to the ``b2safe``
logger and writes through the callback of the rule call that is running on this thread. Records
emitted on other threads (the PID worker pool) are queued and written by the rule's own thread:
PREP forbids calling ``callback`` from any other thread.

B2SAFE levels (config ``logging.level``): 0 error, 1 info, 2 debug, 3 verbose.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections import deque
from typing import Any, Iterator, Optional

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


class RedactingFilter(logging.Filter):
    """A filter that redacts secrets from the final message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
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


_local = threading.local()
_all_calls_lock = threading.Lock()
_worker_owner: dict[int, _CallState] = {}


def _stack() -> list[_CallState]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


class ServerLogHandler(logging.Handler):
    """Write ``b2safe`` records to the server log via the running rule's callback."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.setFormatter(logging.Formatter("b2safe %(levelname)s [%(rule)s] %(message)s"))
        self.addFilter(RedactingFilter())

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stack = _stack()
            state = stack[-1] if stack else _worker_owner.get(threading.get_ident())
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
    logger.setLevel(LEVELS.get(level, logging.INFO))


@contextlib.contextmanager
def rule_call(callback: Any, rule: str) -> Iterator[None]:
    """Route ``b2safe`` log records to ``callback`` for the duration of one rule call."""
    state = _CallState(callback, rule)
    stack = _stack()
    stack.append(state)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            _flush(state)
        stack.pop()


def bind_worker(state: Optional[_CallState]) -> None:
    """Attach (or with None detach) this worker thread to a rule call's log state."""
    ident = threading.get_ident()
    with _all_calls_lock:
        if state is None:
            _worker_owner.pop(ident, None)
        else:
            _worker_owner[ident] = state


def current_call() -> Optional[_CallState]:
    """The log state of the rule call running on this thread (None outside rule calls)."""
    stack = _stack()
    return stack[-1] if stack else None


def flush_pending() -> None:
    """Write queued worker-thread records now (call from the rule's thread)."""
    state = current_call()
    if state is not None:
        _flush(state)
