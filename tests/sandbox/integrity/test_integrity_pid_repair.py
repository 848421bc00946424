"""The PID record as the third witness; a changed source with FIXED_CONTENT True/False; repair."""

from __future__ import annotations

import pytest

from b2safe.workflows.integrity import PENDING_AVU, parse_pending

from .conftest import DST, SRC, add_sweep, read_json, run_sweep


def _register(world, path: str, fixed: str) -> str:
    return world.call("EUDATCreatePID", "None", path, "None", "None", fixed, "")[5]


def test_pid_checksum_that_disagrees(tree):
    pid = _register(tree, f"{SRC}/a.txt", "true")
    bogus = "sha2:" + "A" * 43 + "="
    tree.reader("zoneA").update(pid, {"EUDAT/CHECKSUM": bogus})
    args = tree.call("EUDATCheckIntegrityDO", f"{SRC}/a.txt", f"{DST}/a.txt", "true", "", "")
    assert args[4] == "false"
    assert f"EUDAT/CHECKSUM({pid}):sha2:AAAA" in args[3]
    assert args[3].endswith("disagreeing witness: pid")
    pending = parse_pending(tree.avus(f"{SRC}/a.txt")[PENDING_AVU][0])
    assert pending is not None and pending[1:3] == ("pid_checksum", "pid")


@pytest.mark.parametrize("fixed, kind", [("true", "checksum"), ("false", "source_changed")])
def test_source_changed_after_replication(tree, fixed, kind):
    pid = _register(tree, f"{SRC}/b.txt", fixed)
    assert tree.record(pid).checksum
    tree.sb.zone("zoneA").catalog.data_put(f"{SRC}/b.txt", b"Bravo", "alice#zoneA",
                                           force=True, checksum=True)
    args = tree.call("EUDATCheckIntegrityDO", f"{SRC}/b.txt", f"{DST}/b.txt", "true", "", "")
    assert args[4] == "false"
    assert args[3].endswith("disagreeing witness: source")
    pending = parse_pending(tree.avus(f"{SRC}/b.txt")[PENDING_AVU][0])
    assert pending is not None and pending[1:3] == (kind, "source")


def _sweep_with_repair(tree, fixed: str):
    add_sweep(tree, repair=True)
    tree.call("EUDATIntegritySweepInstall", SRC, DST, "", user="rods#zoneA")
    return _register(tree, f"{SRC}/b.txt", fixed)


def test_repair_restores_a_corrupted_replica_and_reverifies(tree):
    _sweep_with_repair(tree, "true")
    tree.sb.zone("zoneB").catalog.data_put(f"{DST}/a.txt", b"ALPHA", "alice#zoneB", force=True)
    response = run_sweep(tree)
    assert response["failed"] == 0 and response["repaired"] == 1
    assert tree.sb.zone("zoneB").catalog.data_read(f"{DST}/a.txt") == b"alpha"
    ok = tree.call("EUDATCheckIntegrityDO", f"{SRC}/a.txt", f"{DST}/a.txt", "true", "", "")
    assert ok[4] == "true"
    assert PENDING_AVU not in tree.avus(f"{SRC}/a.txt")
    report = read_json(tree, response["report"])
    assert report["repaired"] == 1


def test_repair_follows_a_legitimate_change_and_updates_the_pid(tree):
    pid = _sweep_with_repair(tree, "false")
    cat_a = tree.sb.zone("zoneA").catalog
    cat_a.data_put(f"{SRC}/b.txt", b"bravo-v2", "alice#zoneA", force=True, checksum=True)
    response = run_sweep(tree)
    assert response["repaired"] == 1, response
    assert tree.sb.zone("zoneB").catalog.data_read(f"{DST}/b.txt") == b"bravo-v2"
    assert tree.record(pid).checksum == cat_a.data_get(f"{SRC}/b.txt")[0].checksum


def test_repair_never_overwrites_from_a_fixed_source_that_changed(tree):
    _sweep_with_repair(tree, "true")
    tree.sb.zone("zoneA").catalog.data_put(f"{SRC}/b.txt", b"tampered", "alice#zoneA",
                                           force=True, checksum=True)
    response = run_sweep(tree)
    assert response["repaired"] == 0 and response["failed"] == 1
    assert tree.sb.zone("zoneB").catalog.data_read(f"{DST}/b.txt") == b"bravo"


def test_repair_never_overwrites_from_a_source_failing_verification(tree):
    _sweep_with_repair(tree, "true")
    tree.sb.zone("zoneB").catalog.data_put(f"{DST}/sub/d.txt", b"DELTA", "alice#zoneB",
                                           force=True)
    tree.sb.faults.corrupt(f"{SRC}/sub/d.txt")
    response = run_sweep(tree)
    assert response["repaired"] == 0
    assert tree.sb.zone("zoneB").catalog.data_read(f"{DST}/sub/d.txt") == b"DELTA"
    pending = parse_pending(tree.avus(f"{SRC}/sub/d.txt")[PENDING_AVU][0])
    assert pending is not None and pending[1:3] == ("storage", "source")
