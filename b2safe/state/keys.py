"""b2safe's record-signing keys: a secret of its own, mode 0600, rotatable with a grace period.

Pending work that a rodsadmin carries out later is signed (:mod:`b2safe.state.codec`) with a key
only the servers of the zone hold. The key file is created by ``b2safe install`` (copy it to
every server of the zone), owned by the iRODS service account, mode 0600; any other mode makes
b2safe refuse to use it (no signatures are made or accepted: pending work waits, fail closed).
One key per line, newest first::

    # b2safe record-signing keys
    <key id> <64 hex digits> <retired at: epoch seconds, 0 for the current key>

``b2safe keys rotate`` puts a new current key first and stamps the previous one's retirement; a
retired key still verifies records for ``signing.grace_period`` after it was retired (work queued
before the rotation still runs), and is dropped by the next rotation after that.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import stat
import time
from dataclasses import dataclass
from typing import Optional

from b2safe.errors import ConfigError

logger = logging.getLogger("b2safe.state.keys")

_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_SECRET = re.compile(r"^[0-9a-f]{64}$")
HEADER = "# b2safe record-signing keys: <key id> <secret, 64 hex> <retired at epoch, 0 = current>"


@dataclass(frozen=True)
class Key:
    """One signing key (``retired``: when it stopped being the current key, 0 if current)."""

    key_id: str
    secret: bytes
    retired: int = 0

    def __repr__(self) -> str:
        return f"Key({self.key_id!r}, secret=***, retired={self.retired})"


@dataclass(frozen=True)
class Keyring:
    """The keys of a key file, newest first; ``grace``: seconds a retired key stays valid."""

    keys: tuple[Key, ...]
    grace: int = 0

    @property
    def current(self) -> Key:
        """The key new signatures are made with."""
        return self.keys[0]

    def accepted(self, now: int) -> dict[str, Key]:
        """Keys that verify signatures at ``now``, by id."""
        return {k.key_id: k for k in self.keys
                if k.retired == 0 or now <= k.retired + self.grace}


def parse(text: str, grace: int = 0, where: str = "signing key file") -> Keyring:
    """A keyring from a key file's text.

    Raises:
        ConfigError: a malformed line, a duplicate key id, or no key at all.
    """
    keys: list[Key] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 3 or not _KEY_ID.match(parts[0]) or not _SECRET.match(parts[1]) or \
                not parts[2].isdigit():
            raise ConfigError(f"{where} line {number}: expected '<key id> <64 hex digits> "
                              "<retired epoch>'")
        if any(k.key_id == parts[0] for k in keys):
            raise ConfigError(f"{where} line {number}: key id {parts[0]} appears twice")
        keys.append(Key(parts[0], bytes.fromhex(parts[1]), int(parts[2])))
    if not keys:
        raise ConfigError(f"{where} holds no key: run 'b2safe keys rotate' to create one")
    if keys[0].retired:
        raise ConfigError(f"{where}: the first (current) key is marked retired")
    return Keyring(tuple(keys), grace)


def render(ring: Keyring) -> str:
    """The key file text of ``ring``."""
    lines = [HEADER] + [f"{k.key_id} {k.secret.hex()} {k.retired}" for k in ring.keys]
    return "\n".join(lines) + "\n"


def check_private(path: str) -> None:
    """Raise ConfigError unless ``path`` is a regular file readable by its owner only."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ConfigError(f"signing key file {path} does not exist: run 'b2safe install' or "
                          "'b2safe keys rotate' as the iRODS service account") from None
    except OSError as exc:
        raise ConfigError(f"signing key file {path} cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(f"signing key file {path} is not a regular file")
    if st.st_mode & 0o077:
        raise ConfigError(f"signing key file {path} has mode {stat.S_IMODE(st.st_mode):04o}; "
                          "it must be 0600 (chmod 600)")


def load(path: str, grace: int = 0) -> Keyring:
    """Read and check the key file at ``path``.

    Raises:
        ConfigError: missing, not 0600, or malformed.
    """
    check_private(path)
    with open(path, encoding="ascii") as handle:
        return parse(handle.read(), grace, f"signing key file {path}")


def _write_private(path: str, text: str) -> None:
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, mode=0o700, exist_ok=True)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def new_key(now: int) -> Key:
    """A fresh random key (id: ``k<epoch>-<4 hex>``)."""
    return Key(f"k{now}-{secrets.token_hex(2)}", secrets.token_bytes(32))


def create(path: str, now: Optional[int] = None) -> bool:
    """Create the key file with one key unless it exists; True when created."""
    if os.path.exists(path):
        return False
    _write_private(path, render(Keyring((new_key(int(now or time.time())),))))
    return True


def rotate(path: str, grace: int, now: Optional[int] = None) -> Keyring:
    """Make a new current key; the previous one is retired now and keeps verifying for
    ``grace`` seconds; keys past their grace are dropped. Creates the file when missing."""
    stamp = int(now or time.time())
    if not os.path.exists(path):
        create(path, stamp)
        return load(path, grace)
    ring = load(path, grace)
    kept = [Key(k.key_id, k.secret, k.retired or stamp) for k in ring.keys
            if k.retired == 0 or stamp <= k.retired + grace]
    rotated = Keyring((new_key(stamp), *kept), grace)
    _write_private(path, render(rotated))
    return rotated
