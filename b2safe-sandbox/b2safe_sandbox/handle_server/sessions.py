"""Authenticated sessions of the sandbox Handle server (Handle REST API ``/api/sessions``).

As the Handle.Net server's servlet container does (net.handle.server.servletcontainer.auth,
``HandleAuthorizationHeader`` and ``StandardHandleAuthenticator``; Handle Technical Manual,
REST API "Sessions", summarised in the reference pid-service.md section 3):

* ``POST /api/sessions`` opens a session: ``{"sessionId", "nonce"}`` (nonce base64);
* the client proves a user with ``Authorization: Handle version="0", sessionId="...",
  id="300%3APFX/USER", type="HS_SECKEY", cnonce="<b64>", alg="HMAC-SHA256",
  signature="<b64>"`` (on ``PUT /api/sessions/this`` or any request); for HS_SECKEY the
  signature is the MAC of nonce + cnonce keyed with the secret (hdllib
  ``SecretKeyAuthenticationInfo.authenticate``: ``Util.doMac(alg, nonce + requestDigest,
  secretKey)``; ``StandardHandleAuthenticator`` takes the client's cnonce as the request
  digest). Guess: only the HMAC-SHA256 algorithm is accepted here; the real server also takes
  SHA-1 variants and PBKDF2;
* later requests send only ``Authorization: Handle version="0", sessionId="..."`` and act as
  that user; a session id the server does not know (expired, deleted) is refused with 401
  (``badSessionInHandleAuthorizationHeader``);
* ``DELETE /api/sessions/this`` ends it (204).

Guess: sessions expire after 30 idle minutes (the servlet container's usual default), and at
most 10,000 are kept (the oldest idle one goes first).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Optional
from urllib.parse import unquote

IDLE_SECONDS = 30 * 60
MAX_SESSIONS = 10_000
_PARAM = re.compile(r'\s*([-A-Za-z0-9!#$%&\'*+.`^_|~]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)\s*,?')


class SessionError(Exception):
    """A session header that cannot be accepted (unknown session, bad proof)."""


@dataclass
class Session:
    """One session: its nonce, the user it proved (None until then), when it was last used."""

    nonce: bytes
    user: Optional[str] = None
    used: float = 0.0


def parse_handle_header(header: str) -> Optional[dict[str, str]]:
    """The parameters of an ``Authorization: Handle ...`` header (keys lower-cased, ``id``
    percent-decoded), or None when the header is of another scheme."""
    params = _parse_handle_header(header)
    return None if params is None else dict(params)


@functools.lru_cache(maxsize=256)
def _parse_handle_header(header: str) -> Optional[tuple[tuple[str, str], ...]]:
    """:func:`parse_handle_header`, remembered: a session's client sends the same header on
    every request."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "handle":
        return None
    params: dict[str, str] = {}
    for match in _PARAM.finditer(rest):
        key, value = match.group(1).lower(), match.group(2)
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params[key] = unquote(value) if key == "id" else value
    return tuple(params.items())


def signature(secret: bytes, nonce: bytes, cnonce: bytes) -> bytes:
    """The HS_SECKEY proof of a session: HMAC-SHA256 of nonce + cnonce keyed with the secret."""
    return hmac.new(secret, nonce + cnonce, hashlib.sha256).digest()


class Sessions:
    """The server's open sessions (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._open: OrderedDict[str, Session] = OrderedDict()
        self._clock = clock

    def open(self) -> tuple[str, str]:
        """A new session: (sessionId, nonce as base64)."""
        session_id = secrets.token_urlsafe(24)
        nonce = secrets.token_bytes(16)
        with self._lock:
            self._expire()
            while len(self._open) >= MAX_SESSIONS:
                self._open.popitem(last=False)
            self._open[session_id] = Session(nonce, used=self._clock())
        return session_id, base64.b64encode(nonce).decode("ascii")

    def get(self, session_id: str) -> Session:
        """The live session ``session_id`` (its idle time restarts); SessionError if none."""
        with self._lock:
            self._expire()
            session = self._open.get(session_id)
            if session is None:
                raise SessionError("unknown or expired session")
            session.used = self._clock()
            self._open.move_to_end(session_id)
            return session

    def close(self, session_id: str) -> None:
        """End ``session_id`` (nothing when unknown)."""
        with self._lock:
            self._open.pop(session_id, None)

    def prove(self, session_id: str, params: dict[str, str],
              secret_of: Callable[[str], Optional[str]]) -> str:
        """Check the HS_SECKEY proof in ``params`` and bind its user to the session; returns
        the user (``index:prefix/suffix``). ``secret_of(user)`` is the stored HS_SECKEY or None.
        Raises SessionError."""
        session = self.get(session_id)
        missing = [k for k in ("id", "type", "cnonce", "alg", "signature") if not params.get(k)]
        if missing:
            raise SessionError(f"missing fields in authentication data: {', '.join(missing)}")
        if params["type"] != "HS_SECKEY" or params["alg"].upper().replace("-", "") != \
                "HMACSHA256":
            raise SessionError("the sandbox accepts HS_SECKEY with alg HMAC-SHA256 only")
        try:
            cnonce = base64.b64decode(params["cnonce"], validate=True)
            given = base64.b64decode(params["signature"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SessionError("malformed cnonce or signature") from exc
        secret = secret_of(params["id"])
        if secret is None or not hmac.compare_digest(
                signature(secret.encode("utf-8"), session.nonce, cnonce), given):
            raise SessionError("identity not verified")
        with self._lock:
            session.user = params["id"]
        return params["id"]

    def _expire(self) -> None:
        cutoff = self._clock() - IDLE_SECONDS
        while self._open:
            oldest = next(iter(self._open.values()))
            if oldest.used >= cutoff:
                return
            self._open.popitem(last=False)
