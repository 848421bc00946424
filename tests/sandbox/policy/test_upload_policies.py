"""Upload policies end to end: iput into policy collections, PIDs, replicas, faults, removal."""

from __future__ import annotations

import pytest
from b2safe_sandbox.errors import SandboxError
from policy_support import ARCHIVE, REPLICAS_B, archive_policy, fail_log_rows, pending_pid_rows

from b2safe import errors
from b2safe.workflows.pending_work import PENDING_RULE
from b2safe.workflows.removal import DELETED_KEY


def admin_retry(world, zone="zoneA"):
    """What the zone's periodic rodsadmin retry does: redo due fail-log work."""
    return world.call("EUDATTransferUsingFailLog", "256", "", zone=zone, user=f"rods#{zone}")[-1]


def delay_rules(world, zone="zoneA"):
    return [r.name for r in world.sb.zone(zone).catalog.delay_list()]


@pytest.mark.parametrize("parallel", [False, True], ids=["single-buffer", "parallel"])
def test_upload_gets_one_pid_and_a_linked_replica(fed, parallel):
    fed.configure("zoneA", policies=[archive_policy()])
    path = f"{ARCHIVE}/sub/data.bin"
    fed.client("alice#zoneA").imkdir(f"{ARCHIVE}/sub")
    fed.client("alice#zoneA").iput(path, b"x" * 1000, parallel=parallel)
    puts = [e for e in fed.sb.events if e.name == "acPostProcForPut" and e.ran]
    assert len(puts) == 1
    pid = fed.avus(path)["PID"]
    assert len(pid) == 1 and fed.handles("zoneA") == [pid[0]]
    record = fed.record(pid[0])
    assert record.fixed_content is True and record.ror == pid[0]
    assert delay_rules(fed) == [f"callback.{PENDING_RULE}('256', '')"]

    fed.sb.run_delayed(advance=31)
    replica = f"{REPLICAS_B}/archive/sub/data.bin"
    assert fed.client("rods#zoneB").iget(replica) == b"x" * 1000
    admin_retry(fed)  # remote PID creation needs a rodsadmin
    child = fed.avus(replica)["PID"]
    assert len(child) == 1 and fed.handles("zoneB") == child
    assert fed.record(child[0]).parent == pid[0]
    assert fed.record(pid[0]).replicas == (child[0],)
    assert fed.handles("zoneA") == pid
    assert fail_log_rows(fed) == [] and pending_pid_rows(fed) == []
    # Nothing left to do: running the queue again changes nothing.
    fed.sb.run_delayed(advance=7200)
    assert fed.handles("zoneA") == pid and fed.handles("zoneB") == child


def test_rodsadmin_upload_is_complete_after_the_delay_queue(fed):
    fed.client("rods#zoneA").imkdir("/zoneA/archive", parents=True)
    fed.configure("zoneA", policies=[archive_policy(collection="/zoneA/archive",
                                                    fixed_content=False, ror="", fio="")])
    fed.client("rods#zoneB").ichmod("own", "rods#zoneA", REPLICAS_B)
    fed.client("rods#zoneA").iput("/zoneA/archive/a.dat", b"a")
    fed.sb.run_delayed(advance=31)
    parent = fed.avus("/zoneA/archive/a.dat")["PID"][0]
    child = fed.avus(f"{REPLICAS_B}/archive/a.dat")["PID"][0]
    assert fed.record(parent).replicas == (child,)
    assert fail_log_rows(fed) == []


def test_upload_outside_policy_collections_does_nothing(fed):
    fed.configure("zoneA", policies=[archive_policy()])
    before = list(fed.sb.zone("zoneA").catalog.delay_list())
    fed.client("alice#zoneA").iput("/zoneA/home/alice/elsewhere.dat", b"x")
    fed.client("alice#zoneA").iput("/zoneA/home/alice/archive-not.dat", b"x")
    assert fed.avus("/zoneA/home/alice/elsewhere.dat") == {}
    assert fed.avus("/zoneA/home/alice/archive-not.dat") == {}
    assert fed.handles("zoneA") == [] and fed.handles("zoneB") == []
    assert list(fed.sb.zone("zoneA").catalog.delay_list()) == before


def test_pid_service_down_defers_the_pid_and_the_upload_succeeds(fed):
    fed.configure("zoneA", policies=[archive_policy(replicate=[])])
    server = fed.sb.handle_server("zoneA")
    server.faults.fail_next(1000, 503)
    path = f"{ARCHIVE}/a.dat"
    fed.client("alice#zoneA").iput(path, b"payload")
    assert fed.client("alice#zoneA").iget(path) == b"payload"
    assert "PID" not in fed.avus(path)
    assert pending_pid_rows(fed) == [[ARCHIVE, "a.dat"]]
    # Still down when the queue first runs: the rule fails and stays queued.
    [run] = fed.sb.run_delayed(advance=31)
    assert not run.succeeded and run.next_time is not None
    assert "PID" not in fed.avus(path)
    server.faults.clear()
    [run] = fed.sb.run_delayed(advance=3600)
    assert run.succeeded and run.next_time is None
    pid = fed.avus(path)["PID"]
    assert len(pid) == 1 and fed.handles("zoneA") == pid
    assert fed.record(pid[0]).fixed_content is True
    assert pending_pid_rows(fed) == []


def test_deferred_mode_batches_uploads_into_one_delay_rule(fed):
    fed.configure("zoneA", policies=[archive_policy(pid="deferred", replicate=[])])
    client = fed.client("alice#zoneA")
    for i in range(5):
        client.iput(f"{ARCHIVE}/f{i}.dat", f"{i}".encode())
    assert fed.handles("zoneA") == []
    assert delay_rules(fed) == [f"callback.{PENDING_RULE}('256', '')"]
    fed.sb.run_delayed(advance=31)
    assert len(fed.handles("zoneA")) == 5
    assert all(len(fed.avus(f"{ARCHIVE}/f{i}.dat")["PID"]) == 1 for i in range(5))
    assert pending_pid_rows(fed) == [] and delay_rules(fed) == []


def test_zones_replicating_to_each_other_do_not_loop(fed):
    fed.configure("zoneA", policies=[archive_policy(fixed_content=False, ror="", fio="")])
    fed.configure("zoneB", policies=[{
        "name": "back", "collection": "/zoneB/replicas/**", "pid": "now",
        "replicate": [{"destination": "/zoneA/replicas", "registered": True}]}])
    fed.client("alice#zoneA").iput(f"{ARCHIVE}/x.dat", b"x")
    for _ in range(3):
        fed.sb.run_delayed(advance=3700)
        admin_retry(fed, "zoneA")
        admin_retry(fed, "zoneB")
    assert fed.client("rods#zoneA").ils("/zoneA/replicas") == []
    assert len(fed.handles("zoneA")) == 1 and len(fed.handles("zoneB")) == 1
    assert fail_log_rows(fed, "zoneA") == [] and fail_log_rows(fed, "zoneB") == []
    assert delay_rules(fed, "zoneB") == []


def test_replication_re_firing_acpostprocforput_is_ignored(fed):
    fed.sb.zone("zoneA").catalog.add_resource("r2")
    fed.configure("zoneA", policies=[archive_policy(replicate=[])])
    path = f"{ARCHIVE}/x.dat"
    fed.client("alice#zoneA").iput(path, b"x")
    fed.client("alice#zoneA").irepl(path, "r2")
    fired = [e for e in fed.sb.events if e.name == "acPostProcForPut" and e.ran]
    assert len(fired) == 2  # the legacy quirk
    assert len(fed.avus(path)["PID"]) == 1 and len(fed.handles("zoneA")) == 1
    assert fail_log_rows(fed) == [] and pending_pid_rows(fed) == []


def test_rename_updates_the_pid_url(fed):
    fed.configure("zoneA", policies=[archive_policy(replicate=[])])
    path = f"{ARCHIVE}/old name.dat"
    fed.client("alice#zoneA").iput(path, b"x")
    pid = fed.avus(path)["PID"][0]
    fed.client("alice#zoneA").imv(path, f"{ARCHIVE}/new 'name'.dat")
    assert fed.record(pid).url.endswith("/zoneA/home/alice/archive/new%20'name'.dat")


def test_refuse_fixed_refuses_removal_of_fixed_content(fed):
    fed.configure("zoneA", policies=[archive_policy(replicate=[])],
                  deletion={"mode": "refuse_fixed"})
    client = fed.client("alice#zoneA")
    client.iput(f"{ARCHIVE}/fixed.dat", b"x")
    with pytest.raises(SandboxError) as caught:
        client.irm(f"{ARCHIVE}/fixed.dat")
    assert caught.value.code == errors.SYS_NOT_ALLOWED
    with pytest.raises(SandboxError) as caught:
        client.irm(ARCHIVE, recursive=True, force=True)
    assert caught.value.code == errors.SYS_NOT_ALLOWED
    assert client.iget(f"{ARCHIVE}/fixed.dat") == b"x"
    # Data without FIXED_CONTENT can go.
    client.iput("/zoneA/home/alice/plain.dat", b"y")
    client.irm("/zoneA/home/alice/plain.dat", force=True)


def test_refuse_fixed_fails_closed_when_its_check_fails(fed):
    # The pre-PEP's GenQuery fails once: the removal is refused, not let through (@pep DENY).
    fed.configure("zoneA", policies=[archive_policy(replicate=[])],
                  deletion={"mode": "refuse_fixed"})
    client = fed.client("alice#zoneA")
    client.iput(f"{ARCHIVE}/fixed.dat", b"x")
    for target, options in ((f"{ARCHIVE}/fixed.dat", {}),
                            (ARCHIVE, {"recursive": True, "force": True})):
        fed.sb.faults.fail_next("zoneA", "msiExecGenQuery", errors.CAT_SQL_ERR)
        with pytest.raises(SandboxError) as caught:
            client.irm(target, **options)
        assert caught.value.code == errors.SYS_NOT_ALLOWED
    assert client.iget(f"{ARCHIVE}/fixed.dat") == b"x"


def test_keep_and_mark_keeps_the_record_and_marks_it(fed):
    fed.configure("zoneA", policies=[archive_policy(replicate=[])],
                  deletion={"mode": "keep_and_mark"})
    path = f"{ARCHIVE}/gone.dat"
    client = fed.client("alice#zoneA")
    client.iput(path, b"x")
    pid = fed.avus(path)["PID"][0]
    client.irm(path, force=True)
    assert fed.handles("zoneA") == [pid]
    assert fed.reader("zoneA").get_value(pid, DELETED_KEY).endswith("Z")


def test_ignore_mode_leaves_the_record_alone(fed):
    fed.configure("zoneA", policies=[archive_policy(replicate=[])], deletion={"mode": "ignore"})
    path = f"{ARCHIVE}/gone.dat"
    fed.client("alice#zoneA").iput(path, b"x")
    pid = fed.avus(path)["PID"][0]
    fed.client("alice#zoneA").irm(path, force=True)
    assert fed.reader("zoneA").get_value(pid, DELETED_KEY) is None
