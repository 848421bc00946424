"""The catalog's writer queue: processes writing one zone catalog take turns at a lock that
wakes the next writer when the current one commits.

SQLite lets one connection write at a time; a connection that finds the write lock taken
retries from its busy handler, which *sleeps* between attempts (1, 2, 5, 10, 15, 20, 25 ms,
then up to 100 ms: ``sqliteDefaultBusyCallback`` in SQLite's main.c; Python's ``timeout``
installs it, https://www.sqlite.org/c3ref/busy_timeout.html) and is not woken when the lock is
released. With several delay-rule executors writing one catalog (:mod:`b2safe_sandbox.runtime.
executors`) a writer waited about 9 ms on average for a lock held well under 1 ms, about 15% of
each executor's rule thread (measured on the PID batches of ``scripts/bench_executors.py``).
An iRODS zone's catalog is a PostgreSQL (or MySQL/Oracle) database whose sessions lock the rows
they change and wait in the lock manager, woken when the holder commits (PostgreSQL
documentation, "Explicit Locking", 13.3.2 Row-Level Locks): agents writing different objects do
not wait for each other at all. The queue brings the sandbox closer to that: a writer blocks in
``fcntl(F_SETLKW)`` on ``catalog.sqlite-writers`` and runs as soon as the holder's transaction
ends.

SQLite's own lock still decides what is safe; the queue only orders the waiting. So it is
skipped whenever it could hang instead of helping: a thread that holds a queue (a transaction
in one zone that opens one in another) does not queue for a second one (no cycle of processes
waiting for each other's queues), a writer goes without when the kernel refuses the lock
(EDEADLK) or the directory is not writable, and POSIX record locks belong to the process, so
threads of one process never wait for each other here (they share a connection behind the
catalog's own lock).
"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

SUFFIX = "-writers"

#: Per thread: whether it holds some catalog's queue now.
_holding = threading.local()


class WriterQueue:
    """The writer queue of the catalog file ``db_path`` (its lock file beside it, 0600)."""

    def __init__(self, db_path: Path) -> None:
        try:
            self._fd = os.open(f"{db_path}{SUFFIX}", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:  # a read-only place: writers wait in SQLite's busy handler instead
            self._fd = -1

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for this process's turn to write (see the module doc for when it does not)."""
        if self._fd < 0 or getattr(_holding, "queue", False):
            yield
            return
        try:
            fcntl.lockf(self._fd, fcntl.LOCK_EX)
        except OSError:  # EDEADLK or a closed queue: SQLite's own lock decides alone
            yield
            return
        _holding.queue = True
        try:
            yield
        finally:
            _holding.queue = False
            try:
                fcntl.lockf(self._fd, fcntl.LOCK_UN)
            except OSError:
                pass

    def close(self) -> None:
        """Close the lock file (turns taken afterwards do not queue)."""
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)
