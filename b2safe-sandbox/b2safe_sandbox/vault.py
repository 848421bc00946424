"""The vault: real files that hold replica bytes, under ``zone_dir/vault/<resc>/...``.

A replica of ``/zone/home/alice/x`` on resource ``demoResc`` lives at
``<resc vault path>/home/alice/x`` (the logical path without its ``/zone`` prefix), as on a
unixfilesystem resource. These helpers know nothing about the catalog.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import BinaryIO, NamedTuple, Union

from b2safe_sandbox.errors import SYS_INVALID_INPUT_PARAM, IrodsCallError

#: Copy size for streaming.
CHUNK = 1024 * 1024


class LocalFile(NamedTuple):
    """A file whose bytes are the content to write, named by text (see :func:`physical_path`
    for why not a Path)."""

    path: str


Content = Union[bytes, bytearray, memoryview, Path, LocalFile]


def physical_path(vault_root: Union[str, Path], logical_path: str) -> str:
    """The file that holds ``logical_path`` on a resource whose vault is ``vault_root``.

    ``logical_path`` is ``/zone/rest...``; the zone component is dropped. Text, not a Path,
    as the helpers below take it: pathlib interns every part of every path it parses, so a
    Path per replica grows the interpreter's table of interned strings with the zone.
    """
    parts = logical_path.strip("/").split("/", 1)
    rest = parts[1] if len(parts) > 1 else ""
    return os.path.join(vault_root, rest) if rest else os.fspath(vault_root)


def write(phys: Union[str, Path], content: Content) -> int:
    """Replace file ``phys`` with ``content`` (bytes or a local file to stream); returns size."""
    if isinstance(content, (Path, LocalFile)):
        return copy(content.path if isinstance(content, LocalFile) else content, phys)
    os.makedirs(os.path.dirname(phys), exist_ok=True)
    with open(phys, "wb") as dst:
        dst.write(bytes(content))
    return os.stat(phys).st_size


def create_empty(phys: Union[str, Path]) -> None:
    """Create (or truncate) ``phys`` as an empty file."""
    write(phys, b"")


def write_at(phys: Union[str, Path], offset: int, data: bytes) -> int:
    """Write ``data`` at byte ``offset`` of an existing file (gaps become zero bytes).

    Returns the number of bytes written.
    """
    if offset < 0:
        raise IrodsCallError(f"negative offset {offset}", code=SYS_INVALID_INPUT_PARAM)
    with open(phys, "r+b") as stream:
        stream.seek(offset)
        stream.write(data)
    return len(data)


def read(phys: Union[str, Path], offset: int = 0, length: int = -1) -> bytes:
    """Bytes of ``phys`` from ``offset``; ``length < 0`` means to the end."""
    with open(phys, "rb") as stream:
        stream.seek(offset)
        return stream.read() if length < 0 else stream.read(length)


def open_stream(phys: Union[str, Path]) -> BinaryIO:
    """A binary read stream on ``phys`` (caller closes it)."""
    return open(phys, "rb")


def size(phys: Union[str, Path]) -> int:
    """Size of ``phys`` on disk, or -1 when the file is missing."""
    try:
        return os.stat(phys).st_size  # not Path(): it interns every part of every vault path
    except FileNotFoundError:
        return -1


def copy(src: Union[str, Path], dst: Union[str, Path]) -> int:
    """Copy file ``src`` to ``dst`` (created or replaced). Returns the size copied."""
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(src, "rb") as source, open(dst, "wb") as target:
        shutil.copyfileobj(source, target, CHUNK)
    return os.stat(dst).st_size


def move(src: Union[str, Path], dst: Union[str, Path]) -> None:
    """Move file or directory ``src`` to ``dst`` (parents created); a missing ``src`` is ignored."""
    source = Path(src)
    if not source.exists():
        return
    target = Path(dst)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


def remove(phys: Union[str, Path]) -> None:
    """Delete ``phys`` if it exists."""
    try:
        Path(phys).unlink()
    except FileNotFoundError:
        pass


def corrupt(phys: Union[str, Path], mode: str = "flip", offset: int = 0) -> None:
    """Damage the bytes of ``phys`` without telling anyone (fault injection).

    ``flip`` inverts the byte at ``offset`` (appends one byte to an empty file or past the end);
    ``truncate`` cuts the file to ``offset`` bytes (to one byte less when ``offset`` is not below
    the current size, so the content always changes unless the file is empty).
    Raises IrodsCallError(SYS_INVALID_INPUT_PARAM) for an unknown mode.
    """
    current = size(phys)
    if current < 0:
        raise FileNotFoundError(str(phys))
    if mode == "flip":
        with open(phys, "r+b") as stream:
            if offset < current:
                stream.seek(offset)
                byte = stream.read(1)
                stream.seek(offset)
                stream.write(bytes([byte[0] ^ 0xFF]))
            else:
                stream.seek(current)
                stream.write(b"\x00")
    elif mode == "truncate":
        new_size = offset if offset < current else max(current - 1, 0)
        with open(phys, "r+b") as stream:
            stream.truncate(new_size)
    else:
        raise IrodsCallError(f"unknown corruption mode {mode!r}", code=SYS_INVALID_INPUT_PARAM)
