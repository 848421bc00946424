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

The delay server is a long-running process whose executor threads exist before the rules
come due (``irods::thread_pool`` built at start, L881-896). The emulator's executors are fresh
Python processes instead; importing the zone's ``core.py`` with b2safe and parsing its native
rule base cost each of them seconds of CPU (more where bytecode caching is off): the
emulator's start-up, not the delay server's work. So :class:`ExecutorPool` starts the
processes, lets each load its zones' rule bases and run the warm-up rules its caller gives
(:func:`warm_up`: what a rule loads on its first call, such as b2safe's PID client and its
libraries, about 420 modules, and the attachment to the Handle servers) and only then releases
them all at once (``go`` on their stdin); a benchmark times :meth:`ExecutorPool.run` alone, the same
way for one executor as for K, so the speed-up compares like with like. Not modelled: the
delay server runs each rule over a new agent connection (``get_new_connection``, L606 and
L652), whose Python rule engine imports ``core.py`` again; an executor process here keeps its
rule bases from one rule to the next.

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
from typing import Any, Iterator, Sequence

from b2safe_sandbox.runtime import delayq

#: What an executor process prints when warmed up, and the line that releases it.
READY = "ready"
GO = "go"
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


#: A rule an executor runs while warming up: (zone, rule text for the Python engine, user).
WarmRule = tuple[str, str, str]


def warm_up(sandbox: Any, rules: Sequence[WarmRule] = ()) -> None:
    """Load each zone's rule bases in this process as a running server has them: its Python
    rule base (``core.py``, importing b2safe) and its native rule base (parsed, by asking the
    rule-language engine whether it has a rule). A rule base that fails to load is left for
    the rule run to report. Then run ``rules`` (their outcome is not looked at): what a rule
    loads on its first call (b2safe's PID client and its libraries, the connection to the
    Handle servers) is loaded before the executor is released, too."""
    from b2safe_sandbox.runtime import engine, engines
    from b2safe_sandbox.runtime.context import ExecContext
    from b2safe_sandbox.runtime.zoneenv import CoreImportError

    for name in sandbox.zone_names:
        zone = sandbox.zone(name)
        with zone.env.active():
            try:
                zone.env.core()
            except CoreImportError:
                pass
        ctx = ExecContext(sandbox=sandbox, zone=name, client_user=f"rods#{name}",
                          kind="delay")
        engines.native().rule_exists(ctx, "acPostProcForPut")  # False on a parse error
    for zone_name, text, user in rules:
        with sandbox.toplevel():
            engine.exec_rule_expression(ExecContext(sandbox=sandbox, zone=zone_name,
                                                    client_user=user, kind="delay"), text)


class ExecutorPool:
    """``executors`` delay-executor processes of ``sandbox``, started and warmed up (each has
    answered ``ready``, after :func:`warm_up` with ``warm_rules``); :meth:`run` releases them
    together and collects what they ran.

    Raises:
        RuntimeError: an executor process ended before it was ready.
    """

    def __init__(self, sandbox: Any, executors: int, warm_rules: Sequence[WarmRule] = ()
                 ) -> None:
        #: CPU seconds the executors spent running rules (after ``go``), set by :meth:`run`.
        self.cpu_seconds = 0.0
        sandbox.start_services()  # the executors use this process's Handle servers
        sandbox.counters.flush()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        self._procs = [subprocess.Popen([sys.executable, "-m", "b2safe_sandbox.delay_executor",
                                         str(sandbox.directory), json.dumps(list(warm_rules))],
                                        stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env=env)
                       for _ in range(max(1, executors))]
        for proc in self._procs:
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != READY:
                self._fail(proc)

    def run(self) -> list[delayq.DelayRunResult]:
        """Let every executor take and run the due rules; returns what ran (once only).

        Raises:
            RuntimeError: an executor process failed (its error output is in the message).
        """
        for proc in self._procs:
            assert proc.stdin is not None
            proc.stdin.write(GO + "\n")
            proc.stdin.flush()
        results: list[delayq.DelayRunResult] = []
        for proc in self._procs:
            out, err = proc.communicate()
            if proc.returncode != 0:
                raise RuntimeError(f"delay executor failed ({proc.returncode}): {err[-2000:]}")
            report = json.loads(out.strip().splitlines()[-1])
            self.cpu_seconds += float(report["cpu_seconds"])
            results += [delayq.DelayRunResult(**item) for item in report["results"]]
        return results

    def _fail(self, proc: subprocess.Popen) -> None:
        for other in self._procs:
            if other.poll() is None:
                other.kill()
        _, err = proc.communicate()
        for other in self._procs:
            other.wait()
        raise RuntimeError(f"delay executor did not start ({proc.returncode}): {err[-2000:]}")


def run_concurrently(sandbox: Any, executors: int) -> list[delayq.DelayRunResult]:
    """Run every due rule with ``executors`` processes (see the module doc); returns what ran.

    Raises:
        RuntimeError: an executor process failed (its error output is in the message).
    """
    return ExecutorPool(sandbox, executors).run()
