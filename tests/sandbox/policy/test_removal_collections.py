"""Removal policy (``deletion.mode``) for ``irm -r``; marks retried while the PID service is
down."""

from __future__ import annotations

import pytest
from b2safe_sandbox.errors import SandboxError

from b2safe import errors
from b2safe.domain import profile
from b2safe.state.pending import PENDING_MARK_PREFIX
from b2safe.workflows.pending_work import PENDING_RULE
from b2safe.workflows.removal import DELETED_KEY

HOME = "/zoneA/home/alice"
PROJECT = f"{HOME}/project"


def build_project(world, objects=10, fixed="false"):
    """A tree of ``objects`` data objects in 2x2 sub-collections below PROJECT, all with PIDs;
    returns {path: pid} (collections included)."""
    created = world.tree(PROJECT, objects, fanout=2, depth=2)
    world.call("EUDATPidsForColl", PROJECT, fixed)
    pids = {path: world.avus(path)["PID"][0] for path in created}
    assert len(set(pids.values())) == len(created) == objects + 1 + 2 + 4
    return pids


def deleted_values(world, pids):
    reader = world.reader("zoneA")
    return {pid: reader.get_value(pid, DELETED_KEY) for pid in pids}


def pending_marks(world, zone="zoneA"):
    """(holder collection, pid) of every pending removal mark of a zone."""
    rows = world.client(f"rods#{zone}").iquest(
        "SELECT COLL_NAME, META_COLL_ATTR_NAME WHERE META_COLL_ATTR_NAME like "
        f"'{PENDING_MARK_PREFIX}%'")
    return sorted((holder, name[len(PENDING_MARK_PREFIX):]) for holder, name in rows)


def pending_rules(world, zone="zoneA"):
    return [r.name for r in world.sb.zone(zone).catalog.delay_list()
            if PENDING_RULE in r.name]


def test_keep_and_mark_marks_every_record_of_a_removed_collection(world):
    world.configure("zoneA", deletion={"mode": "keep_and_mark"})
    pids = build_project(world)
    before = sorted(world.handles("zoneA"))
    world.client("alice#zoneA").irm(PROJECT, recursive=True, force=True)
    assert world.client("alice#zoneA").ils(HOME) == []
    assert sorted(world.handles("zoneA")) == before
    stamps = deleted_values(world, pids.values())
    expected = profile.iso8601_utc(world.sb.clock.now())
    assert set(stamps.values()) == {expected}
    # The records are otherwise unchanged: the URL still names the removed path.
    some_path = sorted(p for p in pids if p.endswith(".dat"))[0]
    assert world.record(pids[some_path]).url.endswith(some_path.replace(" ", "%20"))
    # The pre-PEP's pending marks (the commit point before the unlink) were cleared by the
    # post-PEP; the pending-work rule it queued finds nothing and is gone after its run.
    assert pending_marks(world) == []
    world.sb.run_delayed(advance=31)
    assert pending_rules(world) == []


def test_handle_outage_during_removal_is_retried_by_the_delay_queue(world):
    world.configure("zoneA", deletion={"mode": "keep_and_mark"})
    pids = build_project(world, objects=6)
    removed_at = world.sb.clock.now()
    server = world.sb.handle_server("zoneA")
    server.faults.fail_next(1000, 503)
    world.client("alice#zoneA").irm(PROJECT, recursive=True, force=True)  # does not fail
    server.faults.clear()
    assert world.client("alice#zoneA").ils(HOME) == []
    assert set(deleted_values(world, pids.values()).values()) == {None}
    assert pending_marks(world) == sorted((HOME, pid) for pid in pids.values())
    assert pending_rules(world) == [f"callback.{PENDING_RULE}('256', '')"]

    world.sb.run_delayed(advance=31)
    stamps = deleted_values(world, pids.values())
    assert set(stamps.values()) == {profile.iso8601_utc(removed_at)}  # the removal's time
    assert pending_marks(world) == []
    world.sb.run_delayed(advance=7200)  # nothing left: the rule is gone, nothing changes
    assert pending_rules(world) == [] and deleted_values(world, pids.values()) == stamps


def test_marks_wait_while_the_outage_lasts(world):
    world.configure("zoneA", deletion={"mode": "keep_and_mark"})
    path = f"{HOME}/single.dat"
    world.client("alice#zoneA").iput(path, b"x")
    pid = world.call("EUDATCreatePID", "None", path, "None", "None", "false", "")[5]
    server = world.sb.handle_server("zoneA")
    server.faults.fail_next(1000, 503)
    world.client("alice#zoneA").irm(path, force=True)
    assert pending_marks(world) == [(HOME, pid)]
    world.sb.run_delayed(advance=31)  # still down: the rule fails and stays queued
    assert pending_marks(world) == [(HOME, pid)]
    units = world.sb.zone("zoneA").catalog.avu_list("-C", HOME)
    assert "attempts=2;" in next(a.units for a in units if a.name.endswith(pid))
    assert pending_rules(world) != []
    server.faults.clear()
    world.sb.run_delayed(advance=3601)
    assert world.reader("zoneA").get_value(pid, DELETED_KEY).endswith("Z")
    assert pending_marks(world) == [] and pending_rules(world) == []


def test_pending_marks_below_a_removed_collection_move_to_its_parent(world):
    world.configure("zoneA", deletion={"mode": "keep_and_mark"})
    pids = build_project(world, objects=4)
    first = sorted(p for p in pids if p.endswith(".dat"))[0]
    holder = first.rsplit("/", 1)[0]
    server = world.sb.handle_server("zoneA")
    server.faults.fail_next(1000, 503)
    world.client("alice#zoneA").irm(first, force=True)
    assert pending_marks(world) == [(holder, pids[first])]
    world.client("alice#zoneA").irm(PROJECT, recursive=True, force=True)
    assert pending_marks(world) == sorted((HOME, pid) for pid in pids.values())
    server.faults.clear()
    world.sb.run_delayed(advance=31)
    assert None not in deleted_values(world, pids.values()).values()
    assert pending_marks(world) == []


def test_a_forged_pending_mark_marks_nothing(world):
    world.configure("zoneA", deletion={"mode": "keep_and_mark"})
    rods_path = "/zoneA/home/rods/live.dat"
    world.client("rods#zoneA").iput(rods_path, b"b")
    live = world.call("EUDATCreatePID", "None", rods_path, "None", "None", "false", "",
                      user="rods#zoneA")[5]
    alice = world.client("alice#zoneA")
    # The metadata guard refuses alice's imeta on eudat_*; a native rule's msiModAVUMetadata
    # would not be stopped, so the forged marks are written here by the admin on her behalf.
    forger = world.client("rods#zoneA")
    forger.imeta("set", "-C", HOME, PENDING_MARK_PREFIX + live, rods_path,
                "v1;user=alice#zoneA;deleted=1;attempts=0;cause=forged")
    # A record of a removed object, but whose URL names another path than the mark's.
    alice.iput(f"{HOME}/other.dat", b"o")
    other = world.call("EUDATCreatePID", "None", f"{HOME}/other.dat", "None", "None",
                       "false", "")[5]
    world.configure("zoneA", deletion={"mode": "ignore"})
    world.client("alice#zoneA").irm(f"{HOME}/other.dat", force=True)  # ignore mode: unmarked
    forger.imeta("set", "-C", HOME, PENDING_MARK_PREFIX + other, f"{HOME}/elsewhere.dat",
                "v1;user=alice#zoneA;deleted=1;attempts=0;cause=forged")
    stats = world.call(PENDING_RULE, "256", "")[-1]
    assert stats.startswith("marked=0 marks_failed=0 ")
    assert deleted_values(world, [live, other]) == {live: None, other: None}
    assert pending_marks(world) == []


def test_refuse_fixed_still_refuses_a_collection_with_fixed_content(world):
    world.configure("zoneA", deletion={"mode": "refuse_fixed"})
    pids = build_project(world, objects=3, fixed="true")
    with pytest.raises(SandboxError) as caught:
        world.client("alice#zoneA").irm(PROJECT, recursive=True, force=True)
    assert caught.value.code == errors.SYS_NOT_ALLOWED
    assert all(world.sb.zone("zoneA").catalog.data_exists(p) for p in pids if p.endswith(".dat"))
    assert set(deleted_values(world, pids.values()).values()) == {None}
    # A rodsadmin may remove it with irm -M (the admin keyword); refuse_fixed marks nothing.
    world.client("rods#zoneA").irm(PROJECT, recursive=True, force=True, admin=True)
    assert set(deleted_values(world, pids.values()).values()) == {None}
    assert pending_marks(world) == []


def test_ignore_does_nothing(world):
    world.configure("zoneA", deletion={"mode": "ignore"})
    pids = build_project(world, objects=3)
    world.client("alice#zoneA").irm(PROJECT, recursive=True, force=True)
    assert sorted(world.handles("zoneA")) == sorted(pids.values())
    assert set(deleted_values(world, pids.values()).values()) == {None}
    assert pending_marks(world) == [] and pending_rules(world) == []
