"""Crash-point harness, second part: the removal policies (every ``deletion.mode``), the rename
policy (``pid.update_url_on_rename``) and the integrity sweep with repair.

As in :mod:`test_crash_points`, the agent is killed before each step in turn (microservice call,
Handle request, PEP entry); after each crash the recovery runs and the invariants are checked:

* removal: a removed object's PID record is kept and (``keep_and_mark``) marked EUDAT/DELETED,
  never "neither marked nor pending" (issue 15); an object not removed keeps its one PID; a
  FIXED_CONTENT object is never removed by its owner (``refuse_fixed``);
* rename: the PID of a moved object points at where it is now;
* sweep with repair: the replica holds the source's bytes again, every replica of the object
  verifies, and no open problem is left;
* no pending record is left behind.

Recovery is what the zone does after a crash: the requester sees the error and runs the command
again (when nothing happened), and the rodsadmin's pending-work rule (``EUDATPolicyPending``) or
the next sweep run finishes what was left.
"""

from __future__ import annotations

import json

from b2safe_sandbox.errors import SandboxError

from b2safe.workflows.removal import DELETED_KEY
from tests.sandbox.conftest import RuleError
from tests.sandbox.durability.crashpoints import assert_all_held, sweep
from tests.sandbox.durability.invariants import ADMIN, no_pending, one_pid

BASE = "/zoneA/home/alice/crash"


def pending_run(world):
    """The rodsadmin's run of the pending-work rule (it fails while work remains)."""
    try:
        world.call("EUDATPolicyPending", "256", "", user=ADMIN)
    except RuleError:
        pass


def removal(world, mode, fixed="false"):
    """prepare/run/recover/check of removing one registered object under ``mode``."""
    alice = world.client("alice#zoneA")
    pids: dict[int, str] = {}

    def path(t):
        return f"{BASE}/{mode}-{t}.dat"

    def prepare(t):
        alice.iput(path(t), f"{mode} {t}".encode())
        pids[t] = world.call("EUDATCreatePID", "None", path(t), "None", "None", fixed, "")[-1]

    def run(t):
        try:
            alice.irm(path(t), force=True)
        except SandboxError:
            pass  # refused (refuse_fixed)

    def recover(t):
        if world.sb.zone("zoneA").catalog.data_exists(path(t)):
            run(t)  # the removal did not happen: the requester saw the error and runs it again
        pending_run(world)

    def check(t):
        problems: list[str] = []
        exists = world.sb.zone("zoneA").catalog.data_exists(path(t))
        record = world.record(pids[t])  # kept in every mode
        deleted = world.reader("zoneA").get_value(pids[t], DELETED_KEY)
        if mode == "refuse_fixed":
            if not exists:
                problems.append("FIXED_CONTENT object removed by its owner")
        elif exists:
            problems.append("not removed")
        if exists:
            one_pid(world, path(t), problems)
        elif not record.url.endswith(path(t)):
            problems.append(f"record of the removed object points at {record.url}")
        if (mode == "keep_and_mark") != (deleted is not None) and not exists:
            problems.append(f"EUDAT/DELETED is {deleted!r} under {mode}")
        no_pending(world, problems)
        return problems

    return prepare, run, recover, check


def test_removal_policies_survive_a_crash_at_every_step(fed, capsys):
    fed.configure("zoneA", pid={"workers": 1})
    fed.client("alice#zoneA").imkdir(BASE)
    results = {}
    for mode, fixed in (("keep_and_mark", "false"), ("refuse_fixed", "true"),
                        ("ignore", "false")):
        fed.configure("zoneA", deletion={"mode": mode})
        results[f"removal {mode}"] = sweep(*removal(fed, mode, fixed))
    assert_all_held(results, capsys)


def collection_removal(world):
    """prepare/run/recover/check of ``irm -r`` of a registered tree under keep_and_mark."""
    alice = world.client("alice#zoneA")
    pids: dict[int, list[str]] = {}

    def root(t):
        return f"{BASE}/tree-{t}"

    def prepare(t):
        alice.imkdir(f"{root(t)}/sub", parents=True)
        alice.iput(f"{root(t)}/a.dat", b"a")
        alice.iput(f"{root(t)}/sub/b.dat", b"b")
        world.call("EUDATPidsForColl", root(t), "false", "")
        pids[t] = [world.avus(p)["PID"][0] for p in
                   (root(t), f"{root(t)}/sub", f"{root(t)}/a.dat", f"{root(t)}/sub/b.dat")]

    def run(t):
        alice.irm(root(t), recursive=True, force=True)

    def recover(t):
        if world.sb.zone("zoneA").catalog.coll_get(root(t)) is not None:
            run(t)
        pending_run(world)

    def check(t):
        problems: list[str] = []
        if world.sb.zone("zoneA").catalog.coll_get(root(t)) is not None:
            problems.append("not removed")
        for pid in pids[t]:
            if world.reader("zoneA").get_value(pid, DELETED_KEY) is None:
                problems.append(f"{pid} not marked")
        no_pending(world, problems)
        return problems

    return prepare, run, recover, check


def rename(world):
    """prepare/run/recover/check of ``imv`` of a registered object (update_url_on_rename)."""
    alice = world.client("alice#zoneA")

    def prepare(t):
        alice.iput(f"{BASE}/mv-{t}.dat", b"moved")
        world.call("EUDATCreatePID", "None", f"{BASE}/mv-{t}.dat", "None", "None", "false", "")

    def run(t):
        alice.imv(f"{BASE}/mv-{t}.dat", f"{BASE}/moved-{t}.dat")

    def recover(t):
        if world.sb.zone("zoneA").catalog.data_exists(f"{BASE}/mv-{t}.dat"):
            run(t)
        pending_run(world)

    def check(t):
        problems: list[str] = []
        one_pid(world, f"{BASE}/moved-{t}.dat", problems)
        no_pending(world, problems)
        return problems

    return prepare, run, recover, check


def test_collection_removal_and_rename_survive_a_crash_at_every_step(fed, capsys):
    fed.configure("zoneA", pid={"workers": 1}, deletion={"mode": "keep_and_mark"})
    fed.client("alice#zoneA").imkdir(BASE)
    results = {"removal keep_and_mark (collection)": sweep(*collection_removal(fed)),
               "rename (update_url_on_rename)": sweep(*rename(fed))}
    assert_all_held(results, capsys)


def configure_sweep(world, collection, **sweep):
    """One sweep of ``collection`` (with a report collection) in zoneA's b2safe.json."""
    path = world.sb.zone("zoneA").config_dir / "b2safe.json"
    data = json.loads(path.read_text())
    data["integrity"] = {"report_collection": "/zoneA/b2safe/reports",
                         "sweeps": [{"collection": collection, "period": "1d", **sweep}]}
    path.write_text(json.dumps(data))


def sweep_run(world, collection):
    """One run of the sweep, as its delay rule does it (a day after the previous one)."""
    world.sb.clock.advance(86400)
    world.call("EUDATIntegritySweepRun", collection, "", user=ADMIN)


def federated_repair(world):
    """A sweep with repair re-copying the source over a replica in zoneB that went bad."""
    alice = world.client("alice#zoneA")

    def paths(t):
        return f"{BASE}/sw-{t}", f"/zoneB/replicas/sw-{t}"

    def prepare(t):
        source, target = paths(t)
        alice.imkdir(source)
        alice.iput(f"{source}/a.txt", b"alpha")
        alice.ichksum(f"{source}/a.txt")
        world.call("EUDATReplication", source, target, "false", "true", "", user=ADMIN)
        world.sb.zone("zoneB").catalog.data_put(f"{target}/a.txt", b"ALPHA!", "rods#zoneB",
                                                force=True)
        configure_sweep(world, source, repair=True)
        world.call("EUDATIntegritySweepInstall", source, target, "", user=ADMIN)

    def run(t):
        sweep_run(world, paths(t)[0])

    def recover(t):
        sweep_run(world, paths(t)[0])

    def check(t):
        target = paths(t)[1]
        problems: list[str] = []
        if world.sb.zone("zoneB").catalog.data_read(f"{target}/a.txt") != b"alpha":
            problems.append("the replica still holds other bytes")
        no_pending(world, problems)
        return problems

    return prepare, run, recover, check


def same_zone_repair(world):
    """A storage-verifying sweep with repair re-creating a same-zone replica whose stored bytes
    are bad from the good one (trim, replicate, verify)."""
    alice = world.client("alice#zoneA")
    catalog = world.sb.zone("zoneA").catalog

    def path(t):
        return f"{BASE}/two-{t}/a.txt"

    def prepare(t):
        alice.imkdir(f"{BASE}/two-{t}")
        alice.iput(path(t), b"alpha")
        alice.ichksum(path(t))
        alice.irepl(path(t), "replResc")
        world.sb.faults.corrupt(path(t), repl_num=1)
        configure_sweep(world, f"{BASE}/two-{t}", verify_storage=True, repair=True,
                        max_objects=10)

    def run(t):
        sweep_run(world, f"{BASE}/two-{t}")

    def recover(t):
        sweep_run(world, f"{BASE}/two-{t}")

    def check(t):
        problems: list[str] = []
        rows = catalog.data_get(path(t))
        if sorted(r.resc_name for r in rows) != ["demoResc", "replResc"]:
            problems.append(f"replicas on {[r.resc_name for r in rows]}")
        for row in rows:
            if catalog.data_read(path(t), repl_num=row.repl_num) != b"alpha":
                problems.append(f"replica {row.repl_num} holds other bytes")
        no_pending(world, problems)
        return problems

    return prepare, run, recover, check


def test_sweeps_with_repair_survive_a_crash_at_every_step(fed, capsys):
    fed.configure("zoneA", pid={"workers": 1})
    fed.client("alice#zoneA").imkdir(BASE)
    fed.sb.zone("zoneA").catalog.add_resource("replResc")
    results = {"sweep with repair (zoneB replica)": sweep(*federated_repair(fed)),
               "sweep with repair (same zone)": sweep(*same_zone_repair(fed))}
    assert_all_held(results, capsys)
