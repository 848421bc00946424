"""Same-zone replicas: a storage-verifying sweep with ``repair: true`` re-creates a replica whose
stored bytes are bad from a good replica of the same object (trim + replicate + verify)."""

from __future__ import annotations

from b2safe.workflows.integrity import NO_GOOD_REPLICA, PENDING_AVU, REPAIRED, parse_pending

from .conftest import FILES, SECOND_RESC, SRC, add_sweep, read_json, run_sweep

PATH = f"{SRC}/a.txt"


def _catalog(world):
    return world.sb.zone("zoneA").catalog


def _replicas(world, path: str = PATH) -> dict[str, int]:
    """{resource: replica number} of ``path``."""
    return {r.resc_name: r.repl_num for r in _catalog(world).data_get(path)}


def _verifies(world, path: str, repl_num: int) -> bool:
    try:
        _catalog(world).data_checksum(path, repl_num=repl_num, verify=True)
    except Exception:  # CHECK_VERIFICATION_RESULTS from the sandbox catalog
        return False
    return True


def _stored(world, path: str, repl_num: int) -> bytes:
    return _catalog(world).data_read(path, repl_num=repl_num)


def test_repair_recreates_the_bad_replica_from_the_good_one(two_replicas):
    world = two_replicas
    add_sweep(world, verify_storage=True, repair=True, max_objects=100)
    world.sb.faults.corrupt(PATH, repl_num=1)
    assert not _verifies(world, PATH, 1)
    response = run_sweep(world)
    assert response["status"] == "ran" and response["repaired"] == 1
    assert response["failed"] == 0
    replicas = _replicas(world)
    assert set(replicas) == {"demoResc", SECOND_RESC}
    new = replicas[SECOND_RESC]
    assert _stored(world, PATH, new) == FILES["a.txt"]  # the bytes are right again
    assert _verifies(world, PATH, new) and _verifies(world, PATH, replicas["demoResc"])
    assert PENDING_AVU not in world.avus(PATH)
    report = read_json(world, response["report"])
    assert report["repaired"] == 1 and report["kinds"] == {}
    assert report["repairs"] == [{"source": PATH, "replica": 1, "resource": SECOND_RESC,
                                  "from": "demoResc", "new_replica": new,
                                  "outcome": REPAIRED}]
    # the next run finds nothing
    world.sb.clock.advance(60)
    again = run_sweep(world)
    assert again["failed"] == 0 and again["repaired"] == 0


def test_repair_works_in_either_direction(two_replicas):
    world = two_replicas
    add_sweep(world, verify_storage=True, repair=True, max_objects=100)
    path = f"{SRC}/sub/c.txt"
    world.sb.faults.corrupt(path, repl_num=0)
    response = run_sweep(world)
    assert response["repaired"] == 1 and response["failed"] == 0
    replicas = _replicas(world, path)
    assert _stored(world, path, replicas["demoResc"]) == FILES["sub/c.txt"]
    assert _verifies(world, path, replicas["demoResc"])


def test_without_repair_it_is_only_reported(two_replicas):
    world = two_replicas
    add_sweep(world, verify_storage=True, max_objects=100)
    world.sb.faults.corrupt(PATH, repl_num=1)
    corrupted = _stored(world, PATH, 1)
    response = run_sweep(world)
    assert response["repaired"] == 0 and response["failed"] == 1
    assert _replicas(world) == {"demoResc": 0, SECOND_RESC: 1}
    assert _stored(world, PATH, 1) == corrupted and not _verifies(world, PATH, 1)
    report = read_json(world, response["report"])
    assert report["kinds"] == {"storage": 1} and report["repairs"] == []
    assert "replica 1 on replResc" in report["failures"][0]["response"]
    pending = parse_pending(world.avus(PATH)[PENDING_AVU][0])
    assert pending is not None and pending[1:3] == ("storage", "source")


def test_nothing_is_overwritten_when_the_other_replica_is_bad_too(two_replicas):
    world = two_replicas
    add_sweep(world, verify_storage=True, repair=True, max_objects=100)
    world.sb.faults.corrupt(PATH, repl_num=0)
    world.sb.faults.corrupt(PATH, repl_num=1, mode="truncate")
    before = {n: _stored(world, PATH, n) for n in (0, 1)}
    response = run_sweep(world)
    assert response["repaired"] == 0 and response["failed"] == 2
    assert _replicas(world) == {"demoResc": 0, SECOND_RESC: 1}  # no trim, no new replica
    assert {n: _stored(world, PATH, n) for n in (0, 1)} == before
    report = read_json(world, response["report"])
    assert report["kinds"] == {"storage": 2}
    assert [r["outcome"] for r in report["repairs"]] == [NO_GOOD_REPLICA, NO_GOOD_REPLICA]
    assert all(NO_GOOD_REPLICA in f["response"] for f in report["failures"])
    pending = parse_pending(world.avus(PATH)[PENDING_AVU][0])
    assert pending is not None and pending[1:3] == ("storage", "source")


def test_a_replica_registered_with_other_content_is_no_source(two_replicas):
    world = two_replicas
    add_sweep(world, verify_storage=True, repair=True, max_objects=100)
    # replica 1's bytes are bad and its registered checksum names other content than
    # replica 0's: replica 0 verifies, yet it is not a copy of what replica 1 should hold
    world.sb.faults.corrupt(PATH, repl_num=1)
    _catalog(world).data_set_checksum(PATH, 1, "sha2:" + "A" * 43 + "=")
    response = run_sweep(world)
    assert response["repaired"] == 0
    assert _replicas(world) == {"demoResc": 0, SECOND_RESC: 1}
    report = read_json(world, response["report"])
    assert [r["outcome"] for r in report["repairs"]] == [NO_GOOD_REPLICA]


def test_a_repair_stopped_between_trim_and_copy_is_finished_by_the_next_sweep(two_replicas):
    from b2safe.errors import SYS_SOCK_CONNECT_ERR
    from b2safe.workflows.integrity import MISSING_REPLICA_AVU

    world = two_replicas
    add_sweep(world, verify_storage=True, repair=True, max_objects=100)
    world.sb.faults.corrupt(PATH, repl_num=1)
    # the trim succeeds, the transfer that should re-create the replica fails
    world.sb.faults.fail_next("zoneA", "msiDataObjRepl", SYS_SOCK_CONNECT_ERR)
    first = run_sweep(world)
    assert first["repaired"] == 0 and first["failed"] >= 1
    assert set(_replicas(world)) == {"demoResc"}  # one replica fewer for now ...
    assert world.avus(PATH)[MISSING_REPLICA_AVU] == [SECOND_RESC]  # ... but not forgotten
    world.sb.clock.advance(60)
    second = run_sweep(world)
    assert set(_replicas(world)) == {"demoResc", SECOND_RESC}
    assert _stored(world, PATH, _replicas(world)[SECOND_RESC]) == FILES["a.txt"]
    assert MISSING_REPLICA_AVU not in world.avus(PATH)
    report = read_json(world, second["report"])
    assert [r["outcome"] for r in report["repairs"]] == [REPAIRED]
