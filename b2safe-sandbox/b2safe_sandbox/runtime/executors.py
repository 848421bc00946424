"""Several delay-rule executors at once: iRODS 5's ``number_of_concurrent_delay_rule_executors``.

The iRODS delay server fetches the due rules and hands each to a thread pool of
``number_of_concurrent_delay_rule_executors`` (irods/irods
server/delay_server/src/irodsDelayServer.cpp L885-896); before running a rule it locks it with
``rc_delay_rule_lock`` (lock host and pid on the rule, L613-622), so that several delay servers
(executors on several servers) never run one rule twice. Here ``K`` executor *processes* (the
emulator is Python: processes, not threads, run rules in parallel) open the same sandbox and
take due rules in the delay queue's order, each rule locked by a row in the zone's
``rule_exec_lock`` table (an INSERT that only one process can make). The zones' Handle servers
stay in the calling process, which serves them to the executors over their fixed ports.

Guess: the lock row is removed when the rule finished (iRODS clears the lock columns when it
reschedules a repeating rule and deletes the row of a finished one). Counters of the executors
(microservice calls, GenQuery trips) are merged into the zones' ``stats.json`` under a file
lock (:mod:`.counters`).
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from b2safe_sandbox.runtime import delayq

LOCK_TABLE = ("CREATE TABLE IF NOT EXISTS rule_exec_lock (rule_exec_id INTEGER PRIMARY KEY, "
              "lock_host TEXT NOT NULL, lock_host_pid INTEGER NOT NULL)")


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (created) for the block, across processes."""
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def claim(sandbox: Any, zone: str, rule_id: Any) -> bool:
    """Lock delayed rule ``rule_id`` of ``zone`` for this process; False if another has it."""
    db = sandbox.zone(zone).catalog.db
    db.exec(LOCK_TABLE)
    try:
        db.exec("INSERT INTO rule_exec_lock VALUES (?, ?, ?)",
                (int(rule_id), "localhost", os.getpid()))
    except Exception as exc:  # sqlite3.IntegrityError: locked by another executor
        if "UNIQUE" in str(exc) or "constraint" in str(exc).lower():
            return False
        raise
    return True


def release(sandbox: Any, zone: str, rule_id: Any) -> None:
    """Remove this process's lock of ``rule_id``."""
    sandbox.zone(zone).catalog.db.exec(
        "DELETE FROM rule_exec_lock WHERE rule_exec_id = ? AND lock_host_pid = ?",
        (int(rule_id), os.getpid()))


def run_claiming(sandbox: Any) -> list[delayq.DelayRunResult]:
    """What one executor process does: take and run due rules (each locked first) until
    none is left."""
    directory = Path(sandbox.directory)
    return delayq.run_due(sandbox, claim=lambda zone, row: claim(sandbox, zone, row.id),
                          release=lambda zone, row: release(sandbox, zone, row.id),
                          runs_lock=lambda: file_lock(directory / "delay_runs.lock"))


def run_concurrently(sandbox: Any, executors: int) -> list[delayq.DelayRunResult]:
    """Run every due rule with ``executors`` processes (see the module doc); returns what ran.

    Raises:
        RuntimeError: an executor process failed (its error output is in the message).
    """
    sandbox.start_services()  # the executors use this process's Handle servers
    sandbox.counters.flush()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    procs = [subprocess.Popen([sys.executable, "-m", "b2safe_sandbox.delay_executor",
                               str(sandbox.directory)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(max(1, executors))]
    results: list[delayq.DelayRunResult] = []
    for proc in procs:
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"delay executor failed ({proc.returncode}): {err[-2000:]}")
        lines = out.strip().splitlines()
        results += [delayq.DelayRunResult(**item) for item in json.loads(lines[-1])]
    return results
