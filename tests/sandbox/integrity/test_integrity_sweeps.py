"""Scheduled sweeps in the sandbox: install once, storage verification, resume, pause/remove."""

from __future__ import annotations

import pytest

from b2safe.errors import SYS_INTERNAL_ERR
from b2safe.workflows.integrity import PENDING_AVU, VERIFIED_AVU, parse_pending

from .conftest import SRC, add_sweep, read_json, run_sweep, sweep_rules


def test_installed_twice_exists_once(tree):
    add_sweep(tree)
    first = tree.call("EUDATIntegritySweepInstall", SRC, "", user="rods#zoneA")
    second = tree.call("EUDATIntegritySweepInstall", "", user="rods#zoneA")
    assert '"installed"' in first[1] and '"already installed"' in second[0]
    assert len(sweep_rules(tree)) == 1
    # the delayed run re-arms itself: still exactly one queued copy, due one period later
    results = tree.sb.run_delayed(advance=2)
    assert [r.succeeded for r in results] == [True]
    rules = sweep_rules(tree)
    assert len(rules) == 1 and int(rules[0].exe_time) >= tree.sb.clock.now() + 86400 - 5


def test_install_needs_admin(tree):
    add_sweep(tree)
    assert tree.fails("EUDATIntegritySweepInstall", SRC, "").code == -830000


def test_install_needs_a_configured_sweep(tree):
    add_sweep(tree)
    assert tree.fails("EUDATIntegritySweepInstall", "/zoneA/home/alice", "",
                      user="rods#zoneA").code == -310000


def test_pause_and_remove_without_iqdel(tree):
    add_sweep(tree)
    tree.call("EUDATIntegritySweepInstall", SRC, "", user="rods#zoneA")
    tree.call("EUDATIntegritySweepPause", SRC, "", user="rods#zoneA")
    assert run_sweep(tree)["status"] == "paused"
    listed = tree.call("EUDATIntegritySweepList", "", user="rods#zoneA")[0]
    assert '"state": "paused"' in listed
    tree.call("EUDATIntegritySweepRemove", SRC, "", user="rods#zoneA")
    tree.sb.run_delayed(advance=2)  # the queued copy runs, sees "removed", does not re-arm
    assert sweep_rules(tree) == []
    tree.sb.run_delayed(advance=2 * 86400)
    assert sweep_rules(tree) == []


def test_storage_sweep_finds_corrupted_bytes(tree):
    add_sweep(tree, verify_storage=True, max_objects=100)
    path = f"{SRC}/sub/c.txt"
    tree.sb.faults.corrupt(path, repl_num=0)
    # the catalog still says all is well: a catalog-only check passes
    assert tree.call("EUDATCheckIntegrityDO", path, path.replace(SRC, "/zoneB/home/alice/"
                                                                 "replica"), "false", "")[3]
    response = run_sweep(tree)
    assert response["status"] == "ran" and response["verified"] == 4
    report = read_json(tree, response["report"])
    assert report["kinds"] == {"storage": 1}
    assert report["failures"][0]["source"] == path
    pending = parse_pending(tree.avus(path)[PENDING_AVU][0])
    assert pending is not None and pending[1:3] == ("storage", "source")
    assert VERIFIED_AVU + "demoResc" in tree.avus(f"{SRC}/a.txt")


def test_storage_verification_is_rate_limited_oldest_first(tree):
    add_sweep(tree, verify_storage=True, max_objects=2)
    first = run_sweep(tree)
    assert first["verified"] == 2
    verified_first = {p for p in (f"{SRC}/a.txt", f"{SRC}/b.txt", f"{SRC}/sub/c.txt",
                                  f"{SRC}/sub/d.txt")
                      if VERIFIED_AVU + "demoResc" in tree.avus(p)}
    assert len(verified_first) == 2
    tree.sb.clock.advance(60)
    run_sweep(tree)
    for p in (f"{SRC}/a.txt", f"{SRC}/b.txt", f"{SRC}/sub/c.txt", f"{SRC}/sub/d.txt"):
        assert VERIFIED_AVU + "demoResc" in tree.avus(p)  # the other two came next


@pytest.fixture
def big(world):
    """5,000 checksummed objects in 5 sub-collections of zoneA."""
    cat = world.sb.zone("zoneA").catalog
    client = world.client()
    for d in range(5):
        client.imkdir(f"{SRC}/d{d}", parents=True)
    with cat.batch():
        for i in range(5000):
            cat.data_put(f"{SRC}/d{i % 5}/f{i:05d}", b"%d" % i, "alice#zoneA", checksum=True)
    return world


def test_sweep_of_5000_objects_resumes_after_a_crash(big):
    add_sweep(big, max_objects=1000)
    first = run_sweep(big)
    assert first["checked"] == 1000 and first["complete"] is False
    cursor = big.avus(SRC)["eudat_sweep:cursor"][0]
    # The admin's checkpoint goes through the metadata admin mode.
    big.sb.faults.fail_next("zoneA", "msi_atomic_apply_metadata_operations", SYS_INTERNAL_ERR)
    crash = big.fails("EUDATIntegritySweepRun", SRC, "", user="rods#zoneA")
    assert crash.code == SYS_INTERNAL_ERR
    assert big.avus(SRC)["eudat_sweep:cursor"] == [cursor]  # the crash lost no checkpoint
    responses = []
    for _ in range(5):
        responses.append(run_sweep(big))
        if responses[-1]["complete"]:
            break
    assert [r["checked"] for r in responses] == [1000, 1000, 1000, 1000]
    report = read_json(big, responses[-1]["report"])
    assert report["sweep"]["pass_totals"]["checked"] == 5000
    assert report["complete"] is True
    assert "eudat_sweep:cursor" not in big.avus(SRC)
