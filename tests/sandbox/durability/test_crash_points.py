"""Crash-point harness: each state-changing workflow killed at each of its steps in turn.

For every workflow below, the agent is killed before its first step, then before its second,
and so on until a run completes (:mod:`crashpoints`: a step is a microservice call or a Handle
request). After each crash the recovery path runs (the fail-log retry run by the zone's
rodsadmin; the requester's re-run only where the crash came before the workflow's first
change, or for PID creation, whose re-run is its recovery) and the invariants are checked for
that trial's objects:

* every object and replica has exactly one PID AVU, its record points at it, and no other
  handle points at it;
* a parent's EUDAT/REPLICA (record and catalog mirror) lists each child exactly once;
* the replica holds the source's bytes (nothing overwritten or lost);
* no fail-log record is left behind.

The table (workflow x crash point -> invariants held) is printed (``pytest -s``).
"""

from __future__ import annotations

from tests.sandbox.durability.crashpoints import assert_all_held, sweep
from tests.sandbox.durability.invariants import ADMIN, no_pending, one_pid, replica_ok, retry
from tests.sandbox.replication.repl_helpers import fail_log


def test_every_workflow_survives_a_crash_at_every_step(fed, capsys):
    for zone in ("zoneA", "zoneB"):
        fed.configure(zone, pid={"workers": 1})
    alice = fed.client("alice#zoneA")
    alice.imkdir("/zoneA/home/alice/crash")
    base = "/zoneA/home/alice/crash"
    results = {}

    # --- PID creation (EUDATCreatePID), recovered by the requester's re-run
    def create_prepare(t):
        alice.iput(f"{base}/c{t}.dat", b"create")

    def create_run(t):
        fed.call("EUDATCreatePID", "None", f"{base}/c{t}.dat", "None", "None", "false", "")

    def create_check(t):
        problems: list[str] = []
        one_pid(fed, f"{base}/c{t}.dat", problems)
        return problems

    results["PID creation"] = sweep(create_prepare, create_run, create_run, create_check)

    # --- bulk PIDs (EUDATPidsForColl), recovered by re-running it
    def bulk_paths(t):
        root = f"{base}/bulk{t}"
        return root, [root, f"{root}/sub", f"{root}/a.dat", f"{root}/sub/b.dat"]

    def bulk_prepare(t):
        root, _ = bulk_paths(t)
        alice.imkdir(f"{root}/sub", parents=True)
        alice.iput(f"{root}/a.dat", b"a")
        alice.iput(f"{root}/sub/b.dat", b"b")

    def bulk_run(t):
        fed.call("EUDATPidsForColl", bulk_paths(t)[0], "false", "")

    def bulk_check(t):
        problems: list[str] = []
        for path in bulk_paths(t)[1]:
            one_pid(fed, path, problems)
        return problems

    results["bulk PIDs"] = sweep(bulk_prepare, bulk_run, bulk_run, bulk_check)

    # --- registered replication of an object, recovered by the fail-log retry
    def obj_prepare(t):
        alice.iput(f"{base}/o{t}.dat", f"object {t}".encode())

    def obj_run(t):
        fed.call("EUDATReplication", f"{base}/o{t}.dat", f"/zoneB/replicas/o{t}.dat", "true",
                 "false", "", user=ADMIN)

    def obj_recover(t):
        retry(fed)
        if not fed.sb.zone("zoneB").catalog.data_exists(f"/zoneB/replicas/o{t}.dat"):
            obj_run(t)  # nothing was copied: the requester saw the error and runs it again

    def obj_check(t):
        problems: list[str] = []
        replica_ok(fed, f"{base}/o{t}.dat", f"/zoneB/replicas/o{t}.dat", problems)
        no_pending(fed, problems)
        return problems

    results["replication (object)"] = sweep(obj_prepare, obj_run, obj_recover, obj_check)

    # --- registered replication of a collection, recovered by the fail-log retry
    def coll_items(t):
        root, target = f"{base}/tree{t}", f"/zoneB/replicas/tree{t}"
        names = ["", "/x.dat", "/in", "/in/y.dat"]
        return root, target, [(root + n, target + n) for n in names]

    def coll_prepare(t):
        root, _, _ = coll_items(t)
        alice.imkdir(f"{root}/in", parents=True)
        alice.iput(f"{root}/x.dat", b"x")
        alice.iput(f"{root}/in/y.dat", b"y")

    def coll_run(t):
        root, target, _ = coll_items(t)
        fed.call("EUDATReplication", root, target, "true", "true", "", user=ADMIN)

    def coll_recover(t):
        retry(fed)
        if fed.sb.zone("zoneB").catalog.coll_get(coll_items(t)[1]) is None:
            coll_run(t)  # nothing was copied: the requester saw the error and runs it again

    def coll_check(t):
        problems: list[str] = []
        for source, target in coll_items(t)[2]:
            if source.endswith(".dat"):
                replica_ok(fed, source, target, problems)
            else:
                one_pid(fed, source, problems)
                one_pid(fed, target, problems)
        no_pending(fed, problems)
        return problems

    results["replication (collection)"] = sweep(coll_prepare, coll_run, coll_recover,
                                                coll_check)

    # --- the fail-log retry itself, killed at each step, then run again
    def retry_prepare(t):
        obj_prepare(1000 + t)
        fed.sb.faults.set_unreachable("zoneB", True)
        fed.fails("EUDATReplication", f"{base}/o{1000 + t}.dat",
                  f"/zoneB/replicas/o{1000 + t}.dat", "true", "false", "", user=ADMIN)
        fed.sb.faults.set_unreachable("zoneB", False)
        fed.sb.clock.advance(3 * 3600)

    def retry_run(t):
        fed.call("EUDATTransferUsingFailLog", "100", "", user=ADMIN)

    results["fail-log retry"] = sweep(retry_prepare, retry_run, lambda t: retry(fed),
                                      lambda t: obj_check(1000 + t))

    # --- registration of an unregistered replica (EUDATPIDRegistration), re-run
    def reg_prepare(t):
        obj_prepare(2000 + t)
        fed.call("EUDATReplication", f"{base}/o{2000 + t}.dat",
                 f"/zoneB/replicas/o{2000 + t}.dat", "false", "false", "", user=ADMIN)

    def reg_run(t):
        fed.call("EUDATPIDRegistration", f"{base}/o{2000 + t}.dat",
                 f"/zoneB/replicas/o{2000 + t}.dat", "0", "", user=ADMIN)

    def reg_recover(t):
        # The fail-log record written before the first PID request is the commit point: the
        # retry finishes the work. Without it nothing happened yet (no PID anywhere), and
        # only then does the requester, who saw the error, run it again.
        source, replica = f"{base}/o{2000 + t}.dat", f"/zoneB/replicas/o{2000 + t}.dat"
        if fail_log(fed):
            retry(fed)
        elif not fed.avus(source).get("PID") and not fed.avus(replica).get("PID"):
            reg_run(t)

    results["registration"] = sweep(reg_prepare, reg_run, reg_recover,
                                    lambda t: obj_check(2000 + t))

    assert_all_held(results, capsys)
