"""Signatures on b2safe's pending-work records, so nobody can forge work for a rodsadmin to do.

Pending work lives in AVUs (the fail log, integrity problems) that any user with write access
to an object can also write. A rodsadmin's retry acts on them with administrator rights, so a
forged record could make it copy data over a destination the forger may not write. Records
written by b2safe therefore carry ``sig=<hmac>`` over their fields, keyed by a secret only the
servers have; an administrator's retry acts only on records whose signature verifies (a user's
own retry acts with the user's own rights and needs none).

The key comes from, in order: the PID credentials file (``pid.credentials_file``, mode 0600,
the same on every server of a zone), else ``server_config.json``'s ``zone_key`` and
``negotiation_key`` beside the b2safe configuration. Without either, records are unsigned and
an administrator's retry skips records it cannot verify (logged).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from typing import Optional

from b2safe.config import Config

logger = logging.getLogger("b2safe.state.signing")

_cache: dict[tuple, Optional[bytes]] = {}


@dataclass(frozen=True)
class Signer:
    """HMAC-SHA256 of a record's fields with the zone's secret (hex, 32 characters)."""

    key: bytes

    def sign(self, *fields: str) -> str:
        """The signature of ``fields`` (joined unambiguously)."""
        message = json.dumps(list(fields), ensure_ascii=False).encode("utf-8")
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:32]

    def verify(self, signature: str, *fields: str) -> bool:
        """Whether ``signature`` is that of ``fields``."""
        return bool(signature) and hmac.compare_digest(signature, self.sign(*fields))

    def __repr__(self) -> str:
        return "Signer(key=***)"


def _stamp(path: str) -> Optional[tuple]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (path, st.st_ino, st.st_size, st.st_mtime_ns)


def _read_key(config: Config) -> Optional[bytes]:
    credentials = config.pid.credentials_file
    if config.pid.enabled and credentials:
        stamp = _stamp(credentials)
        if stamp is not None:
            if stamp not in _cache:
                try:
                    with open(credentials, "rb") as handle:
                        _cache[stamp] = hashlib.sha256(b"b2safe-records:" + handle.read()).digest()
                except OSError:
                    _cache[stamp] = None
            if _cache[stamp] is not None:
                return _cache[stamp]
    server_config = os.path.join(os.path.dirname(config.source or ""), "server_config.json")
    stamp = _stamp(server_config)
    if stamp is None:
        return None
    if stamp not in _cache:
        try:
            with open(server_config, encoding="utf-8") as handle:
                data = json.load(handle)
            material = [str(data.get(k) or "") for k in ("zone_key", "negotiation_key")]
            _cache[stamp] = hashlib.sha256(
                b"b2safe-records:" + "|".join(material).encode()).digest() \
                if any(material) else None
        except (OSError, ValueError):
            _cache[stamp] = None
    return _cache[stamp]


def signer_for(config: Config) -> Optional[Signer]:
    """The zone's record signer, or None when no server secret is available."""
    key = _read_key(config)
    return Signer(key) if key else None
