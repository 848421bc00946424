"""The hostile sequences of issue 15, each tried as a user would, ending consistent."""

from __future__ import annotations

import contextlib
import json

import pytest
from b2safe_sandbox.runtime.faults import AgentCrash

from b2safe import errors
from b2safe.cli import main
from b2safe.workflows.removal import DELETED_KEY
from tests.sandbox.durability.crashpoints import Steps, counting
from tests.sandbox.replication.repl_helpers import fail_log, replicate

SOURCE = "/zoneA/home/alice/many.dat"


def test_replica_list_longer_than_one_avu_is_mirrored_per_child(fed):
    """iRODS stores at most 2,700 characters per AVU value; the mirror must not need more."""
    fed.client("alice#zoneA").iput(SOURCE, b"replicated many times")
    parent = fed.call("EUDATCreatePID", "None", SOURCE, "None", "None", "false", "")[-1]
    prefix = parent.split("/")[0]
    earlier = [f"{prefix}/EARLIER-COPY-{n:03d}-0123456789ABCDEF0123456789" for n in range(70)]
    service = fed.reader("zoneA")
    for child in earlier:
        service.add_replica(parent, child)
    assert len(",".join(earlier)) > 2700
    replicate(fed, SOURCE, "/zoneB/replicas/many.dat", registered="true", recursive="false")
    child = fed.avus("/zoneB/replicas/many.dat")["PID"][0]
    listed = fed.record(parent).replicas
    assert [p.upper() for p in listed] == [p.upper() for p in [*earlier, child]]
    mirrored = fed.avus(SOURCE)["EUDAT/REPLICA"]
    assert sorted(p.upper() for p in mirrored) == sorted(p.upper() for p in listed)


def recover(world, user="rods#zoneA"):
    world.sb.clock.advance(3 * 3600)
    return world.call("EUDATTransferUsingFailLog", "100", "", user=user)[1]


def leave_pending(world, path, dst):
    """Upload ``path`` and ask for its replication while zoneB is unreachable: a fail-log
    record is left for the retry."""
    world.client("alice#zoneA").iput(path, b"waiting for zoneB")
    world.sb.faults.set_unreachable("zoneB", True)
    world.fails("EUDATReplication", path, dst, "true", "false", "", user="alice#zoneA")
    world.sb.faults.set_unreachable("zoneB", False)


def test_pending_replication_follows_a_rename_of_its_source(fed):
    """Issue 15: renaming a source with a pending replication lost it, retried for ever."""
    path = "/zoneA/home/alice/pending.dat"
    moved = "/zoneA/home/alice/renamed.dat"
    dst = "/zoneB/replicas/pending.dat"
    leave_pending(fed, path, dst)
    assert len(fail_log(fed)) == 1
    fed.client("alice#zoneA").imv(path, moved)
    assert recover(fed) == "# of successes:1, # of failures:0"
    assert fail_log(fed) == []
    assert fed.client("rods#zoneB").iget(dst) == b"waiting for zoneB"
    parent = fed.avus(moved)["PID"][0]
    assert fed.record(fed.avus(dst)["PID"][0]).parent == parent
    assert fed.record(parent).url.endswith(moved)


def test_pending_record_copied_onto_another_users_object_is_given_up_visibly(fed):
    """A record found on an object its requester does not own is not carried out, not
    dropped: it stays, given up, with the reason (b2safe status shows it)."""
    path = "/zoneA/home/alice/pending.dat"
    dst = "/zoneB/replicas/pending.dat"
    leave_pending(fed, path, dst)
    ((_, _, value),) = fail_log(fed)
    units = next(a.units for a in fed.sb.zone("zoneA").catalog.avu_list("-d", path)
                 if a.value == value)
    other = "/zoneA/home/rods/other.dat"
    fed.client("rods#zoneA").iput(other, b"not alice's")
    attribute = next(a.name for a in fed.sb.zone("zoneA").catalog.avu_list("-d", path)
                     if a.value == value)
    fed.client("alice#zoneA").irm(path, force=True)
    fed.client("rods#zoneA").imeta("add", "-d", other, attribute, value, units)
    assert recover(fed) == "# of successes:0, # of failures:1"
    # alice's removal kept her record on the parent, given up; the copy is given up on other
    (_, _, cause), = [row for row in fail_log(fed) if row[:2] == ["/zoneA/home/rods",
                                                                  "other.dat"]]
    assert "not followed" in cause
    assert fed.client("rods#zoneB").ils("/zoneB/replicas") == []
    assert recover(fed) == "# of successes:0, # of failures:0"  # given up: not retried


def test_a_replication_that_can_never_succeed_is_given_up_after_bounded_tries(fed, capsys):
    """It stays visible (state gave_up, with its cause, in ``b2safe status``), never dropped,
    and no longer retried."""
    fed.configure("zoneA", replication={"max_attempts": 3})
    path = "/zoneA/home/alice/doomed.dat"
    fed.client("alice#zoneA").iput(path, b"cannot land")
    fed.sb.faults.set_unreachable("zoneB", True)  # for good
    fed.fails("EUDATReplication", path, "/zoneB/replicas/doomed.dat", "true", "false", "",
              user="alice#zoneA")
    outcomes = [recover(fed) for _ in range(4)]
    assert outcomes == ["# of successes:0, # of failures:1"] * 2 + \
        ["# of successes:0, # of failures:0"] * 2
    record = fed.sb.zone("zoneA").catalog.avu_list("-d", path)
    (units,) = [a.units for a in record if a.name.startswith("eudat_fail_log:")]
    assert "attempts=3" in units and "state=gave_up" in units


def test_replication_never_overwrites_a_replica_of_another_source(fed):
    """Issue 15: replicating onto someone else's replica overwrote it, and its PID then
    appeared in two parents' EUDAT/REPLICA."""
    first, second = "/zoneA/home/alice/first.dat", "/zoneA/home/alice/second.dat"
    dst = "/zoneB/replicas/shared.dat"
    fed.client("alice#zoneA").iput(first, b"first source")
    fed.client("alice#zoneA").iput(second, b"second source")
    replicate(fed, first, dst, registered="true", recursive="false")
    child = fed.avus(dst)["PID"][0]
    err = fed.fails("EUDATReplication", second, dst, "true", "false", "", user="rods#zoneA")
    assert err.code == errors.OVERWRITE_WITHOUT_FORCE_FLAG
    assert "not a replica of /zoneA/home/alice/second.dat" in err.text
    assert fed.client("rods#zoneB").iget(dst) == b"first source"
    assert fed.avus(dst)["PID"] == [child]
    assert fed.record(fed.avus(first)["PID"][0]).replicas == (child,)
    second_pid = fed.avus(second).get("PID", [None])[0]
    assert second_pid is None or fed.record(second_pid).replicas == ()
    assert fail_log(fed) == []  # refused for good: nothing left to retry
    # the same source again is fine (idempotent)
    replicate(fed, first, dst, registered="true", recursive="false")
    assert fed.record(fed.avus(first)["PID"][0]).replicas == (child,)


@pytest.mark.parametrize("user", ["rods#zoneA", "alice#zoneA"])
def test_a_control_character_in_one_name_fails_only_that_object(fed, user):
    """Issue 15: one name with a control character failed the PID registration of its whole
    256-object page, on every retry. Failures are per object: the others are registered
    (rodsadmin: EUDATRegisterReplicas; a user: EUDATCreatePID by remoteExec)."""
    root, target = "/zoneA/home/alice/page", "/zoneB/replicas/page"
    client = fed.client("alice#zoneA")
    client.imkdir(root)
    good = [f"{root}/o{n}.dat" for n in range(4)]
    bad = f"{root}/bell\x07.dat"
    for path in [*good, bad]:
        client.iput(path, path.encode())
    err = fed.fails("EUDATReplication", root, target, "true", "true", "", user=user)
    assert "bell" in err.text and "o0.dat" not in err.text
    for path in good:
        replica = path.replace(root, target)
        (child,) = fed.avus(replica)["PID"]
        assert fed.record(fed.avus(path)["PID"][0]).replicas == (child,)
    assert "PID" not in fed.avus(bad.replace(root, target))
    (record,) = fail_log(fed)  # the collection's record, naming only the bad object
    assert "bell" in record[-1] and "o1.dat" not in record[-1]


def test_a_replica_whose_pid_the_user_may_not_create_fails_alone(fed):
    """The user's route sends its page's EUDATCreatePID calls in one remoteExec text: one
    refused call (the user may not change that replica's metadata) must not stop the rest."""
    root, target = "/zoneA/home/alice/page", "/zoneB/replicas/page"
    client = fed.client("alice#zoneA")
    client.imkdir(root)
    names = [f"o{n}.dat" for n in range(4)]
    for name in names:
        client.iput(f"{root}/{name}", name.encode())
    b_admin = fed.client("rods#zoneB")
    b_admin.imkdir(target)
    b_admin.iput(f"{target}/o1.dat", b"o1.dat")  # the same bytes: rsync leaves it alone
    b_admin.ichmod("read", "alice#zoneA", f"{target}/o1.dat")
    err = fed.fails("EUDATReplication", root, target, "true", "true", "", user="alice#zoneA")
    assert f"{target}/o1.dat" in err.text and f"{target}/o2.dat" not in err.text
    for name in ("o0.dat", "o2.dat", "o3.dat"):
        (child,) = fed.avus(f"{target}/{name}")["PID"]
        assert fed.record(fed.avus(f"{root}/{name}")["PID"][0]).replicas == (child,)


def test_one_invalid_entry_of_a_replica_registration_request_fails_alone(fed):
    """EUDATRegisterReplicas (the rodsadmin's batched remote registration) handles each entry
    on its own: an invalid path is answered with an error, the others get their PIDs."""
    b_admin = fed.client("rods#zoneB")
    b_admin.iput("/zoneB/replicas/ok.dat", b"ok")
    payload = json.dumps([["/zoneB/replicas/bad\x01.dat", "None", "None", "None", "False"],
                          ["/zoneB/replicas/ok.dat", "None", "None", "None", "False"]])
    fed.call("EUDATRegisterReplicas", payload, "", zone="zoneB", user="rods#zoneB")
    assert len(fed.avus("/zoneB/replicas/ok.dat")["PID"]) == 1


def test_agent_dying_between_the_unlink_and_the_post_pep_leaves_the_mark_pending(fed):
    """Issue 15: the removed object's PID ended up neither marked nor pending. The pre-PEP now
    keeps it as a pending mark (its commit point), which the pending-work rule completes."""
    fed.configure("zoneA", deletion={"mode": "keep_and_mark"})
    path = "/zoneA/home/alice/doomed.dat"
    fed.client("alice#zoneA").iput(path, b"removed")
    pid = fed.call("EUDATCreatePID", "None", path, "None", "None", "false", "")[-1]
    steps = Steps(crash_on="PEP pep_api_data_obj_unlink_post")
    with counting(steps), contextlib.suppress(AgentCrash):
        fed.client("alice#zoneA").irm(path, force=True)
    assert steps.dead and not fed.sb.zone("zoneA").catalog.data_exists(path)
    marks = fed.client("rods#zoneA").iquest(
        "SELECT COLL_NAME, META_COLL_ATTR_NAME WHERE META_COLL_ATTR_NAME like "
        "'eudat_pending:deleted:%'")
    assert marks == [["/zoneA/home/alice", f"eudat_pending:deleted:{pid}"]]
    fed.sb.run_delayed(advance=31)  # the pending-work rule queued by the pre-PEP
    assert fed.reader("zoneA").get_value(pid, DELETED_KEY).endswith("Z")
    assert fed.client("rods#zoneA").iquest(
        "SELECT COLL_NAME WHERE META_COLL_ATTR_NAME like 'eudat_pending:deleted:%'") == []


@pytest.mark.parametrize("what", ["object", "collection"])
def test_pending_replication_of_a_removed_source_is_given_up_visibly(fed, what):
    """Issue 15: pending work follows removals. The record lived on its source and vanished
    with it; now it is kept on the surviving parent, given up with the reason, not retried."""
    fed.client("alice#zoneA").imkdir("/zoneA/home/alice/gone")
    path = "/zoneA/home/alice/gone/pending.dat"
    leave_pending(fed, path, "/zoneB/replicas/pending.dat")
    removed = path if what == "object" else "/zoneA/home/alice/gone"
    fed.client("alice#zoneA").irm(removed, recursive=what == "collection", force=True)
    ((holder, value),) = [row[::2] if len(row) == 3 else row for row in fail_log(fed)]
    assert holder == paths_split(removed)
    assert f"its source {path} was removed" in value
    units = next(a.units for a in fed.sb.zone("zoneA").catalog.avu_list("-C", holder)
                 if a.value == value)
    assert "state=gave_up" in units
    assert recover(fed) == "# of successes:0, # of failures:0"  # never retried
    assert fed.client("rods#zoneB").ils("/zoneB/replicas") == []


def paths_split(path):
    return path.rsplit("/", 1)[0]


@pytest.mark.parametrize("what", ["object", "collection"])
def test_pending_pid_of_a_removed_object_is_given_up_visibly(fed, what, capsys):
    """Issue 15: pending work follows removals. A pending PID (``pid: deferred``) lived on its
    data object and vanished with it; now it is kept on the surviving parent, given up with the
    reason, listed by ``b2safe status``, never retried."""
    root = "/zoneA/home/alice/deferred"
    fed.configure("zoneA", policies=[{"name": "later", "collection": root, "pid": "deferred"}])
    client = fed.client("alice#zoneA")
    client.imkdir(f"{root}/gone", parents=True)
    path = f"{root}/gone/waiting.dat"
    client.iput(path, b"no PID yet")
    assert fed.avus(path)["eudat_pending:pid"] == ["later"]
    removed = path if what == "object" else f"{root}/gone"
    client.irm(removed, recursive=what == "collection", force=True)
    holder = paths_split(removed)
    rows = fed.client("rods#zoneA").iquest(
        "SELECT COLL_NAME, META_COLL_ATTR_VALUE, META_COLL_ATTR_UNITS WHERE "
        "META_COLL_ATTR_NAME like 'eudat_pending:pid_gave_up:%'")
    ((where, value, units),) = rows
    assert (where, value) == (holder, path)
    assert "state=gave_up" in units and "was%20removed%20before%20its%20PID" in units
    fed.sb.run_delayed(advance=31)  # the pending-work rule: nothing to create, nothing dropped
    assert fed.handles("zoneA") == []
    capsys.readouterr()
    assert main(["status", "--json", "--sandbox", str(fed.sb.directory)]) == 0
    sections = json.loads(capsys.readouterr().out)["sections"]
    (pending,) = [s["lines"] for s in sections if s["title"].startswith("pending work")]
    (line,) = [text for text in pending if "pid_gave_up" in text]
    assert line.startswith(f"{holder}  pid_gave_up:") and f"  {path}  (gave_up: its data " \
        "object was removed before its PID was created" in line
    if what == "collection":  # removing the holder carries the given-up record up
        client.irm(root, recursive=True, force=True)
        assert fed.client("rods#zoneA").iquest(
            "SELECT COLL_NAME, META_COLL_ATTR_VALUE WHERE "
            "META_COLL_ATTR_NAME like 'eudat_pending:pid_gave_up:%'") == [
                ["/zoneA/home/alice", path]]


def test_a_given_up_replication_moves_up_when_its_holder_is_removed(fed):
    """A given-up record is kept where ``b2safe status`` shows it: removing the collection that
    holds it moves it to that collection's parent (it vanished with its holder)."""
    client = fed.client("alice#zoneA")
    client.imkdir("/zoneA/home/alice/outer/inner", parents=True)
    path = "/zoneA/home/alice/outer/inner/pending.dat"
    leave_pending(fed, path, "/zoneB/replicas/pending.dat")
    client.irm("/zoneA/home/alice/outer/inner", recursive=True, force=True)
    ((holder, value),) = fail_log(fed)
    assert holder == "/zoneA/home/alice/outer" and f"its source {path} was removed" in value
    client.irm("/zoneA/home/alice/outer", recursive=True, force=True)
    ((holder, value),) = fail_log(fed)
    assert holder == "/zoneA/home/alice"
    assert f"its source {path} was removed" in value and "then /zoneA/home/alice/outer was " \
        "removed" in value
    assert recover(fed) == "# of successes:0, # of failures:0"  # still given up
