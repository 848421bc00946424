"""Writing a server's config files the way the iRODS service account needs them.

``b2safe install`` and ``uninstall`` edit files the iRODS server reads (``server_config.json``,
``core.py``) and create new ones (``b2safe.json``). Run as root, a plain rewrite would leave
them owned by root (iRODS writes server_config.json with mode 0600, so the irods account could no
longer read it and the server would not start). Every write here therefore:

* keeps the owner, group and mode of a file it replaces, and gives a new file the owner and group
  of the directory's ``server_config.json`` (the service account);
* refuses, before anything is written, when it cannot do that (run as another ordinary user), or
  when the directory is not writable, naming the file, its owner and what to run instead;
* writes every file to a temporary name first and renames them only when all were written, so a
  failure leaves the directory as it was; changed files are backed up next to themselves.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from b2safe.errors import B2SafeError

#: Name of the file whose owner new files get (the server's own configuration).
OWNER_REFERENCE = "server_config.json"


class FileWriteError(B2SafeError):
    """A file could not be written as required; nothing was changed."""


@dataclass(frozen=True)
class Ownership:
    """Owner, group and permission bits a file must have."""

    uid: int
    gid: int
    mode: int

    def owners(self) -> str:
        """``irods:irods`` (numeric ids when they have no name)."""
        return f"{user_name(self.uid)}:{group_name(self.gid)}"

    def describe(self) -> str:
        """``irods:irods 0600``."""
        return f"{self.owners()} {self.mode:04o}"


@dataclass
class FileEdit:
    """One file to write (``text``) or delete (``text`` None) with the ownership it must keep."""

    path: Path
    text: Optional[str]
    ownership: Ownership


def user_name(uid: int) -> str:
    """The login name of ``uid`` (the number as text when it has none)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def group_name(gid: int) -> str:
    """The name of group ``gid`` (the number as text when it has none)."""
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def ownership_of(path: Path) -> Ownership:
    """The owner, group and mode of an existing file."""
    st = path.stat()
    return Ownership(st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode))


def ownership_for(path: Path, mode: int) -> Ownership:
    """Ownership a file at ``path`` must keep: its own when it exists, else that of the
    directory's server_config.json (or of the directory) with ``mode``."""
    if path.exists():
        return ownership_of(path)
    reference = path.parent / OWNER_REFERENCE
    st = (reference if reference.exists() else path.parent).stat()
    return Ownership(st.st_uid, st.st_gid, mode)


def _can_give(ownership: Ownership) -> bool:
    """Whether this process can create a file with ``ownership``'s owner and group."""
    euid = os.geteuid()
    if euid == 0:
        return True
    return ownership.uid == euid and (ownership.gid == os.getegid()
                                      or ownership.gid in os.getgroups())


def check_writable(edits: list[FileEdit]) -> None:
    """FileWriteError (nothing changed) when any edit cannot keep its ownership or its directory
    is not writable."""
    for edit in edits:
        if not _can_give(edit.ownership):
            owner = user_name(edit.ownership.uid)
            raise FileWriteError(
                f"{edit.path} must stay owned by {edit.ownership.owners()}, which this "
                f"user ({user_name(os.geteuid())}) cannot do: run the command as {owner} "
                f"(sudo -u {owner} ...) or as root. Nothing was changed.")
        directory = edit.path.parent
        if not os.access(directory, os.W_OK | os.X_OK):
            raise FileWriteError(
                f"cannot write in {directory} (permission denied for "
                f"{user_name(os.geteuid())}): run the command as the owner of {directory} "
                f"({user_name(directory.stat().st_uid)}) or as root. Nothing was changed.")


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.b2safe-tmp")


def _write_temp(edit: FileEdit) -> Path:
    tmp = _temp_name(edit.path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchown(fd, edit.ownership.uid, edit.ownership.gid)
        os.fchmod(fd, edit.ownership.mode)
        os.write(fd, (edit.text or "").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return tmp


def backup_name(path: Path, stamp: str) -> Path:
    """A free ``NAME.<stamp>.b2safe.bak`` next to ``path``."""
    candidate = path.with_name(f"{path.name}.{stamp}.b2safe.bak")
    counter = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{stamp}-{counter}.b2safe.bak")
        counter += 1
    return candidate


def _backup(path: Path, stamp: str) -> Path:
    target = backup_name(path, stamp)
    shutil.copy2(path, target)  # content and mode
    st = path.stat()
    os.chown(target, st.st_uid, st.st_gid)
    return target


def apply_edits(edits: list[FileEdit], stamp: str) -> list[Path]:
    """Write or delete every edit, keeping ownership, with backups; returns the backup paths.

    Raises FileWriteError, with nothing changed, when a file cannot be written as required.
    """
    check_writable(edits)
    temps: list[tuple[Path, FileEdit]] = []
    try:
        for edit in edits:
            if edit.text is not None:
                temps.append((_write_temp(edit), edit))
    except OSError as exc:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        _temp_name(edit.path).unlink(missing_ok=True)
        raise FileWriteError(f"cannot write {edit.path}: {exc.strerror}. Nothing was "
                             "changed.") from None
    backups = [_backup(e.path, stamp) for e in edits if e.path.exists()]
    for tmp, edit in temps:
        os.replace(tmp, edit.path)
    for edit in edits:
        if edit.text is None and edit.path.exists():
            edit.path.unlink()
    return backups
