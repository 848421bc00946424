"""Keep Handle credentials out of logs, including pyhandle's own debug output.

pyhandle logs request headers (``Authorization: Basic ...``) at DEBUG level. A filter on its
loggers rewrites such records before any handler sees them: Basic/Handle authorization values
and every registered secret become ``***``.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from typing import Iterable
from urllib.parse import quote

_AUTH = re.compile(r"((?:Basic|Bearer)\s+)[A-Za-z0-9+/=._-]+")
LOGGER_NAMES = (
    "pyhandle",
    "pyhandle.handlesystemconnector",
    "pyhandle.client.resthandleclient",
    "pyhandle.searcher",
    "pyhandle.clientcredentials",
    "pyhandle.handleclient",
    "pyhandle.pyhandleclient",
    "pyhandle.util.logutils",
    "log_all_requests_of_testcases_to_file",
    "b2safe.adapters.handle",
)


class RedactingFilter(logging.Filter):
    """Replaces authorization tokens and registered secrets in a record's message."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: set[str] = set()

    def add_secrets(self, secrets: Iterable[str], users: Iterable[str] = ()) -> None:
        """Register secrets (and the Basic tokens built from them with ``users``)."""
        with self._lock:
            for secret in secrets:
                if not secret:
                    continue
                self._secrets.add(secret)
                for user in users:
                    if user:
                        token = f"{quote(user)}:{secret}".encode()
                        self._secrets.add(base64.b64encode(token).decode("ascii"))

    def redact(self, text: str) -> str:
        """``text`` with tokens and secrets masked."""
        text = _AUTH.sub(r"\1***", text)
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler's error path
            return True
        cleaned = self.redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, ()
        return True


REDACTOR = RedactingFilter()
_installed = False
_install_lock = threading.Lock()


def install() -> RedactingFilter:
    """Attach :data:`REDACTOR` to pyhandle's and b2safe's Handle loggers (once)."""
    global _installed
    with _install_lock:
        if not _installed:
            for name in LOGGER_NAMES:
                logging.getLogger(name).addFilter(REDACTOR)
            _installed = True
    return REDACTOR
