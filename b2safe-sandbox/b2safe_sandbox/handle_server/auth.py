"""Authentication and authorization of the sandbox Handle server.

Authentication (Tech Manual 14): ``Authorization: Basic b64(pct(user) ":" secret)`` where
``user`` is ``index:prefix/suffix`` with the colon percent-encoded (``300%3A21.T1/USER``);
the secret must equal the HS_SECKEY value at that index of that handle. Or a Handle session
(``Authorization: Handle ... sessionId=...``), see :mod:`b2safe_sandbox.handle_server.sessions`.

Authorization: a caller may change a record when one of its HS_ADMIN values grants the needed
permission to the caller, either directly (``index:handle`` equal to the caller) or through an
HS_VLIST value (a group) that lists the caller. A new handle needs ``add handle`` on the prefix
handle ``0.NA/<prefix>``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass
from typing import Callable, Optional
from urllib.parse import unquote

from b2safe_sandbox.handle_server.sessions import SessionError, Sessions, parse_handle_header
from b2safe_sandbox.handle_server.values import admin_value

# Bits of the 12-bit admin permission mask, most significant first (see pid-service.md 3).
ADD_HANDLE = 11
DELETE_HANDLE = 10
MODIFY_VALUE = 7
REMOVE_VALUE = 6
ADD_VALUE = 5
LIST_HANDLES = 0

_MAX_GROUP_DEPTH = 4


class AuthFailed(Exception):
    """Credentials were sent but are wrong (or of an unsupported kind)."""


@dataclass(frozen=True)
class Caller:
    """An authenticated caller ``index:handle``."""

    index: int
    handle: str

    def __str__(self) -> str:
        return f"{self.index}:{self.handle}"


def parse_user(user: str) -> Optional[Caller]:
    """``"300:PFX/USER"`` (or percent-encoded) -> Caller, or None when malformed."""
    index, sep, handle = unquote(user).partition(":")
    if not sep or not index.isdigit() or "/" not in handle:
        return None
    return Caller(int(index), handle)


def basic_credentials(header: Optional[str]) -> Optional[tuple[str, str]]:
    """(user, secret) from an ``Authorization: Basic`` header; None when there is no header.

    Raises AuthFailed for another scheme or a malformed Basic header.
    """
    if not header:
        return None
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "basic":
        # Guess: client-certificate authentication ("Handle clientCert") is not implemented; a
        # real server would negotiate TLS client authentication, the sandbox refuses.
        raise AuthFailed(f"authentication scheme {scheme!r} not supported by the sandbox")
    try:
        decoded = base64.b64decode(rest.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise AuthFailed("malformed Basic credentials") from exc
    user, sep, secret = decoded.partition(":")
    if not sep:
        raise AuthFailed("malformed Basic credentials")
    return user, secret


ValuesOf = Callable[[str], Optional[list]]


def secret_of(user: str, values_of: ValuesOf) -> Optional[str]:
    """The HS_SECKEY value that authenticates ``user`` (``index:prefix/suffix``), or None."""
    caller = parse_user(user)
    if caller is None:
        return None
    for value in values_of(caller.handle) or []:
        if value["index"] == caller.index and value["type"] == "HS_SECKEY":
            return str(value["data"].get("value", ""))
    return None


def _session_caller(header: str, sessions: Sessions, values_of: ValuesOf
                    ) -> tuple[bool, Optional[Caller]]:
    """(whether ``header`` is of the Handle scheme, the caller of its session)."""
    params = parse_handle_header(header)
    if params is None:
        return False, None
    session_id = params.get("sessionid")
    if not session_id:
        raise AuthFailed("a Handle authorization without a session is not supported by the "
                         "sandbox (client certificates are not implemented)")
    try:
        if any(key in params for key in ("id", "type", "alg", "signature")):
            user: Optional[str] = sessions.prove(session_id, params,
                                                 lambda name: secret_of(name, values_of))
        else:
            user = sessions.get(session_id).user
    except SessionError as exc:
        raise AuthFailed(str(exc)) from None
    return True, (parse_user(user) if user else None)


def authenticate(header: Optional[str], values_of: ValuesOf,
                 sessions: Optional[Sessions] = None) -> Optional[Caller]:
    """The caller named by ``header``, checked against its HS_SECKEY (Basic, or the proof of a
    Handle session, see :mod:`~b2safe_sandbox.handle_server.sessions`), or the user a session
    in ``sessions`` proved; None when anonymous.

    ``values_of(handle)`` returns a record's values (or None). Raises AuthFailed.
    """
    if header and sessions is not None:
        handled, caller = _session_caller(header, sessions, values_of)
        if handled:
            return caller
    credentials = basic_credentials(header)
    if credentials is None:
        return None
    user, secret = credentials
    caller = parse_user(user)
    if caller is None:
        raise AuthFailed("user is not of the form index:prefix/suffix")
    for value in values_of(caller.handle) or []:
        if value["index"] == caller.index and value["type"] == "HS_SECKEY":
            stored = str(value["data"].get("value", ""))
            if hmac.compare_digest(stored.encode("utf-8"), secret.encode("utf-8")):
                return caller
    raise AuthFailed("authentication failed")


def _refers_to(caller: Caller, handle: str, index: int, values_of: ValuesOf, depth: int) -> bool:
    if index == caller.index and handle.upper() == caller.handle.upper():
        return True
    if depth >= _MAX_GROUP_DEPTH:
        return False
    for value in values_of(handle) or []:
        if value["index"] == index and value["type"] == "HS_VLIST":
            for member in value["data"].get("value", []):
                if _refers_to(caller, member["handle"], int(member["index"]), values_of,
                              depth + 1):
                    return True
    return False


def is_authorized(caller: Optional[Caller], record: Optional[list], bit: int,
                  values_of: ValuesOf) -> bool:
    """Whether ``caller`` holds permission ``bit`` through an HS_ADMIN value of ``record``."""
    if caller is None or not record:
        return False
    for value in record:
        admin = admin_value(value)
        if admin is None or admin["permissions"][bit] != "1":
            continue
        if _refers_to(caller, admin["handle"], int(admin["index"]), values_of, 0):
            return True
    return False
