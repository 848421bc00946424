"""Checksums in the string formats iRODS registers (``DATA_CHECKSUM``).

* ``SHA256`` (iRODS' default scheme): ``'sha2:'`` + base64 of the 32-byte digest (49 characters).
* ``MD5``: 32 lowercase hex characters, no prefix.
* ``SHA512`` / ``SHA1``: ``'sha512:'`` / ``'sha1:'`` + base64 of the digest.

Data is hashed in 1 MiB chunks so large vault files never sit in memory.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import BinaryIO, Optional, Union

from b2safe_sandbox.errors import SYS_INVALID_INPUT_PARAM, IrodsCallError

SHA256 = "SHA256"
MD5 = "MD5"
SHA512 = "SHA512"
SHA1 = "SHA1"

#: Read size while hashing.
CHUNK = 1024 * 1024

_PREFIXED = {SHA256: "sha2:", SHA512: "sha512:", SHA1: "sha1:"}
_HASHLIB = {SHA256: "sha256", MD5: "md5", SHA512: "sha512", SHA1: "sha1"}
_MD5_RE = re.compile(r"^[0-9a-f]{32}$")

Source = Union[bytes, bytearray, memoryview, str, Path, BinaryIO]


def normalise_scheme(scheme: str) -> str:
    """Return the canonical scheme name (``'sha256'`` -> ``'SHA256'``).

    Raises IrodsCallError(SYS_INVALID_INPUT_PARAM) for an unknown scheme.
    """
    name = str(scheme).upper().replace("-", "")
    if name == "SHA2":
        name = SHA256
    if name not in _HASHLIB:
        raise IrodsCallError(f"unknown hash scheme {scheme!r}", code=SYS_INVALID_INPUT_PARAM)
    return name


def _format(scheme: str, digest: bytes) -> str:
    if scheme == MD5:
        return digest.hex()
    return _PREFIXED[scheme] + base64.b64encode(digest).decode("ascii")


def compute(source: Source, scheme: str = SHA256, limit: Optional[int] = None) -> str:
    """Checksum of ``source`` in iRODS format.

    ``source`` is bytes, a file path (``str``/``Path``) or a readable binary stream (read from its
    current position). ``limit`` hashes at most that many bytes (iRODS hashes the catalog size).
    Raises IrodsCallError for an unknown scheme; OSError if a path cannot be read.
    """
    name = normalise_scheme(scheme)
    hasher = hashlib.new(_HASHLIB[name])
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        hasher.update(data if limit is None else data[:limit])
        return _format(name, hasher.digest())
    if isinstance(source, (str, Path)):
        with open(source, "rb") as stream:
            _feed(hasher, stream, limit)
    else:
        _feed(hasher, source, limit)
    return _format(name, hasher.digest())


def _feed(hasher: hashlib._Hash, stream: BinaryIO, limit: Optional[int]) -> None:
    remaining = limit
    while remaining is None or remaining > 0:
        size = CHUNK if remaining is None else min(CHUNK, remaining)
        chunk = stream.read(size)
        if not chunk:
            return
        hasher.update(chunk)
        if remaining is not None:
            remaining -= len(chunk)


def scheme_of(checksum: str) -> Optional[str]:
    """The scheme a registered checksum string was made with, or None if unrecognised."""
    for name, prefix in _PREFIXED.items():
        if checksum.startswith(prefix):
            return name
    if _MD5_RE.match(checksum):
        return MD5
    return None


def verify(checksum: str, source: Source, limit: Optional[int] = None) -> bool:
    """True if ``source`` hashes to ``checksum`` under the scheme the string implies.

    This is iRODS' ``match_hash_policy: compatible``. An unrecognised string never matches.
    """
    name = scheme_of(checksum)
    if name is None:
        return False
    return compute(source, name, limit) == checksum
