"""PID suffixes: deterministic (a retry reproduces the same handle) or random.

A deterministic suffix is the UUID version 5 of a caller's *mint key* (for example
``"<zone>:<object id>"``) in b2safe's namespace, upper-cased: Handle servers fold case and
SQL-backed ones return upper-case names from reverse lookup, so minting in capitals keeps the
name b2safe writes (AVU ``PID``, EUDAT/REPLICA) equal to the name the server reports.
"""

from __future__ import annotations

import uuid

from b2safe.errors import InvalidInput

DETERMINISTIC = "deterministic"
RANDOM = "uuid"
SUFFIX_MODES = (DETERMINISTIC, RANDOM)

#: b2safe's UUID namespace for deterministic suffixes (itself a UUID5 of a fixed URL).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://eudat.eu/services/b2safe/pid-suffix")


def deterministic_suffix(mint_key: str) -> str:
    """The suffix for ``mint_key``: the same key always gives the same suffix."""
    if not mint_key:
        raise InvalidInput("a mint key is needed for a deterministic PID")
    return str(uuid.uuid5(NAMESPACE, mint_key)).upper()


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
