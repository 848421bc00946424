"""Crash-point harness: each state-changing workflow killed at each of its steps in turn.

For every workflow below, the agent is killed before its first step, then before its second,
and so on until a run completes (:mod:`crashpoints`: a step is a microservice call or a Handle
request). After each crash the recovery path runs (the requester's re-run, or the fail-log
retry run by the zone's rodsadmin) and the invariants are checked for that trial's objects:

* every object and replica has exactly one PID AVU, its record points at it, and no other
  handle points at it;
* a parent's EUDAT/REPLICA (record and catalog mirror) lists each child exactly once;
* the replica holds the source's bytes (nothing overwritten or lost);
* no fail-log record is left behind.

The table (workflow x crash point -> invariants held) is printed (``pytest -s``).
"""

from __future__ import annotations

from b2safe.domain.profile import object_url, parse_replicas
from tests.sandbox.durability.crashpoints import sweep, table
from tests.sandbox.replication.repl_helpers import fail_log

SERVER = {"zoneA": "irods://zonea.sandbox:1247", "zoneB": "irods://zoneb.sandbox:1247"}
ADMIN = "rods#zoneA"


def _one_pid(world, path, problems):
    """The path's single PID (its record pointing at it, no other handle for it), or None."""
    zone = path.split("/")[1]
    pids = world.avus(path).get("PID", [])
    if len(pids) != 1:
        problems.append(f"{path} has {len(pids)} PID AVUs")
        return None
    url = object_url(path, server_id=SERVER[zone])
    record = world.record(pids[0])
    if record.url != url:
        problems.append(f"PID {pids[0]} of {path} points at {record.url}")
    handles = world.reader(zone).search({"URL": url})
    if [h.upper() for h in handles] != [pids[0].upper()]:
        problems.append(f"handles for {path}: {handles}")
    return pids[0]


def _replica_ok(world, source, target, problems):
    parent = _one_pid(world, source, problems)
    child = _one_pid(world, target, problems)
    if parent is None or child is None:
        return
    if world.record(child).parent != parent:
        problems.append(f"{target}: EUDAT/PARENT is not {parent}")
    listed = [p.upper() for p in world.record(parent).replicas]
    if listed != [child.upper()]:
        problems.append(f"{source}: EUDAT/REPLICA {listed}")
    mirrored = [p.upper() for v in world.avus(source).get("EUDAT/REPLICA", [])
                for p in parse_replicas(v)]
    if mirrored != [child.upper()]:
        problems.append(f"{source}: mirror {mirrored}")
    zone = source.split("/")[1]
    if world.client(f"rods#{zone}").iget(source) != \
            world.client("rods#zoneB").iget(target):
        problems.append(f"{target} does not hold the bytes of {source}")


def _no_pending(world, problems):
    left = fail_log(world)
    if left:
        problems.append(f"fail log not empty: {left}")


def _retry(world):
    world.sb.clock.advance(3 * 3600)
    world.call("EUDATTransferUsingFailLog", "100", "", user=ADMIN)


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
        _one_pid(fed, f"{base}/c{t}.dat", problems)
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
            _one_pid(fed, path, problems)
        return problems

    results["bulk PIDs"] = sweep(bulk_prepare, bulk_run, bulk_run, bulk_check)

    # --- registered replication of an object, recovered by the fail-log retry
    def obj_prepare(t):
        alice.iput(f"{base}/o{t}.dat", f"object {t}".encode())

    def obj_run(t):
        fed.call("EUDATReplication", f"{base}/o{t}.dat", f"/zoneB/replicas/o{t}.dat", "true",
                 "false", "", user=ADMIN)

    def obj_recover(t):
        _retry(fed)
        if not fed.sb.zone("zoneB").catalog.data_exists(f"/zoneB/replicas/o{t}.dat"):
            obj_run(t)  # nothing was copied: the requester saw the error and runs it again

    def obj_check(t):
        problems: list[str] = []
        _replica_ok(fed, f"{base}/o{t}.dat", f"/zoneB/replicas/o{t}.dat", problems)
        _no_pending(fed, problems)
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
        _retry(fed)
        if fed.sb.zone("zoneB").catalog.coll_get(coll_items(t)[1]) is None:
            coll_run(t)  # nothing was copied: the requester saw the error and runs it again

    def coll_check(t):
        problems: list[str] = []
        for source, target in coll_items(t)[2]:
            if source.endswith(".dat"):
                _replica_ok(fed, source, target, problems)
            else:
                _one_pid(fed, source, problems)
                _one_pid(fed, target, problems)
        _no_pending(fed, problems)
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

    results["fail-log retry"] = sweep(retry_prepare, retry_run, lambda t: _retry(fed),
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
        # EUDATPIDRegistration called on its own leaves no pending record: the requester saw
        # it fail and runs it again (it is idempotent).
        _retry(fed)
        reg_run(t)

    results["registration"] = sweep(reg_prepare, reg_run, reg_recover,
                                    lambda t: obj_check(2000 + t))

    text = table(results)
    with capsys.disabled():
        print("\n" + text)
    failed = [line for line in text.splitlines()[1:] if not line.endswith(" held")]
    assert all(results.values()), "a workflow ran without a single step"
    assert failed == []
