"""The catalog's writer queue (b2safe_sandbox/catalog/writers.py): a process writing a zone
catalog holds the queue for its transaction, so writers in other processes wait in the kernel
and are woken at its end instead of sleeping in SQLite's busy handler; a transaction opened
inside another zone's does not queue a second time (no processes waiting for each other's
queues). Another process probes the queue, as a waiting executor would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from b2safe_sandbox.catalog.base import DB_NAME
from b2safe_sandbox.catalog.writers import SUFFIX
from cat_helpers import make_zone

PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except OSError:
    print("taken")
else:
    print("free")
"""


def queue_state(catalog) -> str:
    """'taken' or 'free': whether another process would have to wait its turn to write."""
    path = Path(catalog.db.zone_dir) / f"{DB_NAME}{SUFFIX}"
    return subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True,
                          text=True, check=True, timeout=60).stdout.strip()


def test_a_transaction_holds_the_writer_queue_until_it_ends(cat):
    assert queue_state(cat) == "free"
    with cat.db.batch():
        cat.db.set_setting("probe", "1")
        assert queue_state(cat) == "taken"
    assert queue_state(cat) == "free"


def test_a_failed_transaction_gives_the_queue_back(cat):
    try:
        with cat.db.batch():
            raise KeyError("undone")
    except KeyError:
        pass
    assert queue_state(cat) == "free"


def test_a_transaction_inside_another_zones_does_not_queue_again(cat, tmp_path, clock):
    other = make_zone(tmp_path / "other", clock)
    try:
        with cat.db.batch(), other.db.batch():
            other.db.set_setting("probe", "1")
            assert (queue_state(cat), queue_state(other)) == ("taken", "free")
        with other.db.batch():
            assert queue_state(other) == "taken"
    finally:
        other.close()
