"""Handle REST API sessions (HS_SESSION): prove the HS_SECKEY once, then send only the session.

The Handle.Net server (v9 REST API, Technical Manual "Sessions"; servlet classes
``HandleAuthorizationHeader`` and ``StandardHandleAuthenticator``; pid-service.md section 3):

1. ``POST /api/sessions`` -> ``{"sessionId": ..., "nonce": <base64>}``;
2. ``PUT /api/sessions/this`` with ``Authorization: Handle version="0", sessionId="...",
   id="<percent-encoded index:prefix/suffix>", type="HS_SECKEY", cnonce="<base64>",
   alg="HMAC-SHA256", signature="<base64 HMAC-SHA256(secret, nonce + cnonce)>"`` (hdllib
   ``SecretKeyAuthenticationInfo.authenticate`` MACs nonce + request digest with the secret;
   over REST the client's cnonce is that digest) -> ``{"authenticated": true, ...}``;
3. every later request: ``Authorization: Handle version="0", sessionId="..."``.

The server then checks the secret once per session instead of once per request (Basic). A
server that does not offer sessions (no ``/api/sessions``, or the proof is not accepted) gets
Basic authentication, as pyhandle sends it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Callable, Optional
from urllib.parse import quote

#: (method, url, headers, body) -> (HTTP status, body bytes): one request on the transport.
Send = Callable[[str, str, dict[str, str], Optional[bytes]], tuple[int, bytes]]


def proof(secret: bytes, nonce: bytes, cnonce: bytes) -> bytes:
    """The HS_SECKEY answer to a session's challenge: HMAC-SHA256(secret, nonce + cnonce)."""
    return hmac.new(secret, nonce + cnonce, hashlib.sha256).digest()


def session_header(session_id: str) -> str:
    """The Authorization of a request in session ``session_id``."""
    return f'Handle version="0", sessionId="{session_id}"'


def open_session(send: Send, base_url: str, username: str, password: str) -> Optional[str]:
    """Open and authenticate a session as ``username`` (``index:prefix/suffix``) with its
    HS_SECKEY ``password``; returns the session id, or None when the server offers no sessions
    or does not accept the proof (the caller then uses Basic). Transport errors propagate."""
    root = base_url.rstrip("/") + "/api/sessions"
    status, data = send("POST", root, {"Accept": "application/json"}, None)
    opened = _json(data) if status in (200, 201) else None
    session_id = opened.get("sessionId") if opened else None
    nonce_text = opened.get("nonce") if opened else None
    if not isinstance(session_id, str) or not isinstance(nonce_text, str) or \
            not session_id.replace("-", "").replace("_", "").isalnum():
        return None
    try:
        nonce = base64.b64decode(nonce_text, validate=True)
    except ValueError:
        return None
    cnonce = secrets.token_bytes(16)
    signature = proof(password.encode("utf-8"), nonce, cnonce)
    header = (f'Handle version="0", sessionId="{session_id}", id="{quote(username, safe="")}", '
              f'type="HS_SECKEY", cnonce="{base64.b64encode(cnonce).decode()}", '
              f'alg="HMAC-SHA256", signature="{base64.b64encode(signature).decode()}"')
    status, data = send("PUT", root + "/this", {"Accept": "application/json",
                                                 "Authorization": header}, None)
    answer = _json(data) if status == 200 else None
    if not answer or answer.get("authenticated") is not True:
        return None
    return session_id


def _json(data: bytes) -> Optional[dict]:
    try:
        value = json.loads(data)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
