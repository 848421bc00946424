"""PID suffixes: deterministic (a retry reproduces the same handle) or random.

A deterministic suffix is the UUID version 5 of a caller's *mint key* (for example
``"<zone>:<object id>"``) in b2safe's namespace, upper-cased: Handle servers fold case and
SQL-backed ones return upper-case names from reverse lookup, so minting in capitals keeps the
name b2safe writes (AVU ``PID``, EUDAT/REPLICA) equal to the name the server reports.
"""

from __future__ import annotations

import hashlib
import uuid

from b2safe.errors import InvalidInput

DETERMINISTIC = "deterministic"
RANDOM = "uuid"
SUFFIX_MODES = (DETERMINISTIC, RANDOM)

#: b2safe's UUID namespace for deterministic suffixes (itself a UUID5 of a fixed URL).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://eudat.eu/services/b2safe/pid-suffix")


def deterministic_suffix(mint_key: str) -> str:
    """The suffix for ``mint_key``: the same key always gives the same suffix.

    It is ``str(uuid.uuid5(NAMESPACE, mint_key)).upper()`` (RFC 4122 section 4.3: the SHA-1
    of namespace and name, version 5, RFC 4122 variant), computed from the digest without
    building UUID objects, which cost three times the hash (issue 19: once per new PID).
    """
    if not mint_key:
        raise InvalidInput("a mint key is needed for a deterministic PID")
    name = NAMESPACE.bytes + mint_key.encode("utf-8")
    digest = bytearray(hashlib.sha1(name, usedforsecurity=False).digest()[:16])
    digest[6] = 0x50 | (digest[6] & 0x0F)  # version 5
    digest[8] = 0x80 | (digest[8] & 0x3F)  # variant RFC 4122
    text = digest.hex().upper()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def random_suffix() -> str:
    """A random (UUID4) suffix, upper-cased."""
    return str(uuid.uuid4()).upper()


def mint_handle(prefix: str, mint_key: str, mode: str = DETERMINISTIC) -> str:
    """``prefix/suffix`` for ``mint_key`` under ``mode`` (``deterministic`` or ``uuid``)."""
    if mode == DETERMINISTIC:
        return f"{prefix}/{deterministic_suffix(mint_key)}"
    if mode == RANDOM:
        return f"{prefix}/{random_suffix()}"
    raise InvalidInput(f"PID suffix mode {mode!r} is not one of {', '.join(SUFFIX_MODES)}")
