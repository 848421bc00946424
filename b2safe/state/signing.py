"""The signer of b2safe's pending work: HMAC-SHA256 with the zone's own key (:mod:`.keys`).

A signature reads ``<key id>.<32 hex digits>``. It is made only after the requester was
authorized, over what the record asks for (:meth:`b2safe.state.codec.Work.message`), and checked
before the work is carried out; a user who can write AVUs on her own objects therefore cannot
forge or alter work for anyone else (an administrator included). Verification never raises:
any malformed signature (wrong shape, non-ASCII, unknown or expired key) is simply invalid.

:func:`signer_for` reads the key file named by ``signing.key_file``; when it is missing, not mode
0600 or malformed, it logs why and returns None, and no record is signed or accepted. Whether a
rotated-out key is still within its grace period is judged by the clock given to it: the
catalog's (the server's time, ``msiGetSystemTime``), read once per signer, so a sandbox or a
test moves it without sleeping.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from b2safe.config import Config
from b2safe.domain import durations
from b2safe.errors import ConfigError
from b2safe.state import keys

logger = logging.getLogger("b2safe.state.signing")

_SIGNATURE = re.compile(r"^([A-Za-z0-9_-]{1,32})\.([0-9a-f]{32})$")
_cache: dict[tuple, keys.Keyring] = {}


@dataclass(frozen=True)
class Signer:
    """Signs with the current key of ``ring``; verifies with every key still accepted."""

    ring: keys.Keyring
    clock: Callable[[], float] = field(default=time.time, compare=False)

    @staticmethod
    def _mac(key: keys.Key, message: bytes) -> str:
        return hmac.new(key.secret, message, hashlib.sha256).hexdigest()[:32]

    def sign(self, message: bytes) -> str:
        """The signature of ``message`` with the current key."""
        key = self.ring.current
        return f"{key.key_id}.{self._mac(key, message)}"

    def verify(self, signature: str, message: bytes) -> bool:
        """Whether ``signature`` is a valid signature of ``message`` (never raises)."""
        match = _SIGNATURE.match(signature) if isinstance(signature, str) else None
        if match is None:
            return False
        key = self.ring.accepted(int(self.clock())).get(match.group(1))
        if key is None:
            return False
        return hmac.compare_digest(match.group(2).encode("ascii"),
                                   self._mac(key, message).encode("ascii"))

    def __repr__(self) -> str:
        return f"Signer(key={self.ring.current.key_id}, secret=***)"


def _stamp(path: str) -> Optional[tuple]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (path, st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode)


def once(clock: Callable[[], float]) -> Callable[[], float]:
    """``clock`` read on first use only (one rule run is short next to a grace period of
    days; on a server each reading costs a microservice call)."""
    seen: list[float] = []

    def read() -> float:
        if not seen:
            seen.append(clock())
        return seen[0]

    return read


def signer_for(config: Config, clock: Optional[Callable[[], float]] = None
               ) -> Optional[Signer]:
    """The zone's record signer, or None (logged) when its key file cannot be used.

    ``clock`` (epoch seconds; default the host's) decides which rotated-out keys are still
    accepted; pass the catalog's (``once(catalog.now)``)."""
    settings = config.signing
    path = settings.key_file
    grace = durations.parse(settings.grace_period, "signing.grace_period")
    stamp = _stamp(path)
    ring = _cache.get(stamp) if stamp else None
    if ring is None or ring.grace != grace:
        try:
            ring = keys.load(path, grace)
        except (ConfigError, OSError, UnicodeDecodeError) as exc:
            logger.error("pending work cannot be signed or verified: %s", exc)
            return None
        if stamp:
            _cache[stamp] = ring
    return Signer(ring, clock or time.time)
