"""Long work queued as delay-rule batches and followed (``pids``/``replicate --batch N``), end to
end through the sandbox backend: the ``...Batched`` rule queues the batches, the command reads
the delay queue with GenQuery between turns of the sandbox's delay server, and its exit code says
whether the work was done (an empty queue alone is not success)."""

from __future__ import annotations

from b2safe.errors import SYS_INTERNAL_ERR

COLL = "/zoneA/home/alice/big"
DST = "/zoneB/replicas/big"
ALICE = ("--user", "alice#zoneA")


def tree(cli, count: int = 5) -> list[str]:
    alice = cli.sb.client("alice#zoneA")
    alice.imkdir(f"{COLL}/sub", parents=True)
    paths = [f"{COLL}/f{i}.dat" for i in range(count - 1)] + [f"{COLL}/sub/last.dat"]
    for i, path in enumerate(paths):
        alice.iput(path, f"content {i}".encode())
    return paths


def queued(cli, rule: str) -> list[str]:
    return [row.name for name in cli.sb.zone_names
            for row in cli.sb.zone(name).catalog.delay_list() if rule in row.name]


def has_pid(cli, path: str, kind: str = "-d") -> bool:
    avus = cli.sb.client("alice#zoneA").imeta_ls(kind, path)
    return any(avu.name == "PID" for avu in avus)


def test_pids_batch_queues_batches_follows_them_and_every_object_gets_a_pid(cli):
    paths = tree(cli)
    result = cli("pids", COLL, "--batch", "2", "--poll", "5", "--json", *ALICE)
    assert result.code == 0, result.out + result.err
    report = result.json()
    # 2 collections (-C: one batch) + 5 data objects (-d: three batches of at most 2).
    assert report["objects"] == 7 and report["batches"] == 4 and report["scheduled"] == 4
    assert report["followed"] and report["done"] == 4 and report["remaining"] == 0
    assert report["unfinished"] == []
    assert all(has_pid(cli, p) for p in paths)
    assert has_pid(cli, COLL, "-C") and has_pid(cli, f"{COLL}/sub", "-C")
    assert queued(cli, "EUDATPidsForCollBatch(") == []


def test_no_wait_only_queues_and_running_again_follows_without_queuing_twice(cli):
    paths = tree(cli, 3)
    first = cli("pids", COLL, "--batch", "10", "--no-wait", *ALICE)
    assert first.code == 0, first.err
    assert "2 batch(es)" in first.out and "run the same command again" in first.out
    assert len(queued(cli, "EUDATPidsForCollBatch(")) == 2
    assert not any(has_pid(cli, p) for p in paths)  # nothing done yet: only queued
    again = cli("pids", COLL, "--batch", "10", "--json", *ALICE)
    assert again.code == 0, again.err
    data = again.json()
    assert (data["scheduled"], data["already_queued"], data["remaining"]) == (0, 2, 0)
    assert all(has_pid(cli, p) for p in paths)


def test_failing_batches_are_reported_while_retried_and_exit_1_when_following_stops(cli):
    tree(cli, 2)
    cli.sb.handle_server("zoneA").faults.fail_next(10000, 503)
    result = cli("pids", COLL, "--batch", "5", "--poll", "5", "--wait", "60", "--json",
                 *ALICE)
    assert result.code == 1
    data = result.json()
    # The batches ran once, failed, and wait 10 minutes for their retry.
    assert data["remaining"] == 2 and data["retrying"] == 2 and data["done"] == 0
    assert "still queued when following stopped" in result.err


def test_an_empty_queue_after_used_up_retries_is_not_success(cli):
    paths = tree(cli, 2)
    cli.sb.handle_server("zoneA").faults.fail_next(10000, 503)
    # Six tries ten minutes apart: following in ten-minute turns sees the queue empty.
    result = cli("pids", COLL, "--batch", "5", "--poll", "600", "--json", *ALICE)
    assert result.code == 1, result.out
    data = result.json()
    assert data["remaining"] == 0 and data["done"] == 2
    assert sorted(data["unfinished"]) == sorted(
        f"{p}: no PID" for p in [COLL, f"{COLL}/sub", *paths])
    assert "a batch used up its retries" in result.err


def replica_area(cli) -> None:
    b = cli.sb.client("rods#zoneB")
    b.imkdir("/zoneB/replicas", parents=True)
    b.ichmod("own", "alice#zoneA", "/zoneB/replicas")
    b.inherit("/zoneB/replicas", True)


def test_replicate_batch_copies_the_tree_and_leaves_no_fail_log(cli):
    paths = tree(cli, 3)
    replica_area(cli)
    result = cli("replicate", COLL, DST, "--batch", "2", "--poll", "5", *ALICE)
    assert result.code == 0, result.out + result.err
    assert "0 still queued" in result.out
    zone_b = cli.sb.client("rods#zoneB")
    for path in paths:
        copy = DST + path[len(COLL):]
        assert zone_b.iget(copy) == cli.sb.client("alice#zoneA").iget(path)
    assert queued(cli, "EUDATReplicationBatch(") == []


def test_replicate_batch_to_an_unreachable_zone_exits_1_naming_the_fail_log(cli):
    tree(cli, 2)
    replica_area(cli)
    cli.sb.faults.set_unreachable("zoneB")
    result = cli("replicate", COLL, DST, "--batch", "5", "--poll", "60", "--json", *ALICE)
    assert result.code == 1, result.out
    data = result.json()
    assert data["remaining"] == 0 and data["unfinished"], data
    assert all(DST in line for line in data["unfinished"])


def test_batch_options_are_checked_before_anything_is_queued(cli):
    tree(cli, 1)
    for bad in (("--batch", "0"), ("--batch", "x"), ("--batch", "2", "--poll", "-1")):
        result = cli("pids", COLL, *bad, *ALICE)
        assert result.code == 2, (bad, result.err)
    no_tree = cli("replicate", COLL, DST, "--batch", "2", "--no-recursive", *ALICE)
    assert no_tree.code == 2 and "drop --no-recursive" in no_tree.err
    assert queued(cli, "Batch(") == []


def replicated_tree(cli, count: int = 5) -> list[str]:
    paths = tree(cli, count)
    replica_area(cli)
    result = cli("replicate", COLL, DST, *ALICE)
    assert result.code == 0, result.out + result.err
    return paths


def test_check_batch_checks_every_object_and_exits_0_when_all_agree(cli):
    replicated_tree(cli)
    result = cli("check", COLL, DST, "--batch", "2", "--poll", "5", "--json", *ALICE)
    assert result.code == 0, result.out + result.err
    data = result.json()
    # Five data objects in three batches of at most 2; each batch left a completion record.
    assert (data["objects"], data["batches"], data["done"], data["remaining"]) == (5, 3, 3, 0)
    assert (data["checked"], data["failed"], data["batches_checked"]) == (5, 0, 3)
    assert data["failing"] == []
    assert queued(cli, "EUDATCheckIntegrityBatch(") == []


def test_check_batch_names_a_corrupt_replica_and_exits_1(cli):
    paths = replicated_tree(cli, 3)
    bad = DST + paths[1][len(COLL):]
    cli.sb.client("rods#zoneB").iput(bad, b"changed bytes", force=True)
    result = cli("check", COLL, DST, "--batch", "2", "--poll", "5", *ALICE)
    assert result.code == 1, result.out
    assert "3 object(s) checked, 1 failed" in result.out
    assert f"{paths[1]}: " in result.err and "disagree with their replica" in result.err
    # Running the check again starts a new run: the old completion records do not count twice.
    again = cli("check", COLL, DST, "--batch", "2", "--poll", "5", "--json", *ALICE)
    assert (again.json()["checked"], again.json()["batches_checked"]) == (3, 2)


def test_check_batch_whose_batches_used_up_their_retries_is_not_success(cli):
    replicated_tree(cli, 2)
    # Every try of the batch fails writing its completion record (queuing needs no AVU write).
    cli.sb.faults.fail_next("zoneA", "msiModAVUMetadata", SYS_INTERNAL_ERR, count=10)
    result = cli("check", COLL, DST, "--batch", "5", "--poll", "600", "--json", *ALICE)
    assert result.code == 1, result.out
    data = result.json()
    assert data["remaining"] == 0 and data["batches_checked"] == 0 and data["checked"] == 0
    assert "used up their retries" in result.err


def test_another_users_check_batch_queues_and_records_nothing_on_her_tree(cli):
    replicated_tree(cli, 2)
    result = cli("check", COLL, DST, "--batch", "2", "--poll", "5", "--user", "bob#zoneA")
    # Bob may see the collection but none of her objects: there is nothing for him to check.
    assert result.code == 0 and "0 object(s) in 0 batch(es)" in result.out, result.err
    assert queued(cli, "EUDATCheckIntegrityBatch(") == []
    avus = cli.sb.client("alice#zoneA").imeta_ls("-C", COLL)
    assert not [a for a in avus if a.name.startswith("eudat_check_batch:")]
