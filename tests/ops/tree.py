"""A realistic iRODS server config directory, and running ``b2safe`` as another Unix account.

``data/server_config.4.3.4.json`` is iRODS 4.3.4's ``packaging/server_config.json.template``
(irods/irods tag 4.3.4) with the keys ``scripts/setup_irods.py`` adds at setup (zone, ports,
keys, provider host, default resource) filled in, written as ``IrodsConfig.commit`` writes it
(``scripts/irods/configuration.py``: ``json.dump(indent=4, sort_keys=True)`` into a
``NamedTemporaryFile``, hence mode 0600, no final newline). The tree belongs to a stand-in
service account (:data:`IRODS_UID`), as ``/etc/irods`` belongs to ``irods`` on a server.

Tests run as root here; :func:`run_as` forks and drops to another uid to run the command as the
service account or as a stranger would (python is imported before the fork, since its install
directory may not be readable by that uid).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

# Imported before run_as forks (their install directory may be unreadable by the other uid).
import b2safe.adapters.handle.credentials
import b2safe.config
import b2safe.ops.doctor
import b2safe.ops.install
import b2safe.ops.uninstall
import b2safe.ruleset
from b2safe.cli import main

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]
# Validate once here, so jsonschema and its lazily imported parts are loaded before any fork.
b2safe.config.parse_config(json.loads((ROOT / "conf" / "b2safe.example.json").read_text()))
TEMPLATE = DATA / "server_config.4.3.4.json"
IRODS_UID = IRODS_GID = 4242   # the stand-in "irods" account (no passwd entry needed)
STRANGER_UID = 4343

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="changing owners needs root")


@dataclass
class Outcome:
    """Exit code and output of one ``b2safe`` run."""

    code: int
    out: str
    err: str


def owner_mode(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


def snapshot(directory: Path) -> dict[str, tuple[bytes, tuple[int, int, int]]]:
    return {p.name: (p.read_bytes(), owner_mode(p))
            for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.fixture
def etc():
    """``/etc/irods`` of a fresh iRODS 4.3 server: server_config.json irods:irods 0600."""
    base = Path(tempfile.mkdtemp(prefix="b2safe-etc-"))
    os.chmod(base, 0o755)  # noqa: S103 - reachable by the other uids, as /etc is
    directory = base / "irods"
    directory.mkdir(mode=0o755)
    target = directory / "server_config.json"
    shutil.copyfile(TEMPLATE, target)
    os.chmod(target, 0o600)
    for path in (directory, target):
        os.chown(path, IRODS_UID, IRODS_GID)
    yield directory
    shutil.rmtree(base)


def rule_engines(directory: Path) -> list[str]:
    data = json.loads((directory / "server_config.json").read_text())
    return [e["plugin_name"] for e in data["plugin_configuration"]["rule_engines"]]


def run(*argv: str) -> Outcome:
    """``b2safe ARGV`` in this process (as root), output captured."""
    return run_as(None, *argv)


def run_as(uid: int | None, *argv: str) -> Outcome:
    """``b2safe ARGV`` in a forked child running as ``uid`` (None: unchanged)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 70
            try:
                sys.stdout = io.TextIOWrapper(os.fdopen(os.dup(out.fileno()), "wb"))
                sys.stderr = io.TextIOWrapper(os.fdopen(os.dup(err.fileno()), "wb"))
                if uid is not None:
                    os.setgroups([])
                    os.setgid(uid)
                    os.setuid(uid)
                code = main(list(argv))
            except BaseException as exc:  # a traceback is a test failure, shown in err
                import traceback

                traceback.print_exception(type(exc), exc, exc.__traceback__)
                code = 99
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        return Outcome(os.waitstatus_to_exitcode(status), out.read().decode(),
                       err.read().decode())
