"""Pending PIDs and removal marks are claims unless b2safe signed them: a mark an ordinary user
writes herself (past the metadata guard, as a native rule can) or relabels is never carried out,
by the admin's run or another user's, and is moved aside where ``b2safe status`` shows it.
"""

from __future__ import annotations

import pytest
from attack_helpers import avu_rows, set_avu_without_peps, user_file
from b2safe_sandbox.pytest_plugin import RuleError

from b2safe.state import codec, quarantine
from b2safe.state.pending import PENDING_MARK_PREFIX, PENDING_PID_AVU
from b2safe.workflows.pending_work import PENDING_RULE
from b2safe.workflows.pids import PID_AVU
from b2safe.workflows.removal import DELETED_KEY

ARCHIVE = "/zoneA/home/alice/archive"
HOME = "/zoneA/home/alice"
FORGED_SIG = "sig=k1-aaaa.0123456789abcdef0123456789abcdef"


def _archive(world, pid="now"):
    world.configure("zoneA", policies=[{"name": "archive", "collection": ARCHIVE, "pid": pid,
                                        "replicate": []}])


def _moved_aside(world, path, kind="-d"):
    """{original name: reason} of the records moved aside on ``path``."""
    out = {}
    for name, _value, units in avu_rows(world, path, kind):
        if name.startswith(quarantine.PREFIX):
            out[name[len(quarantine.PREFIX):]] = (codec.decode_units(units) or {})["reason"]
    return out


def test_a_forged_pending_pid_mark_is_not_carried_out_by_the_admin(fed):
    path = user_file(fed, f"{ARCHIVE}/a.dat")  # before the policy: no PID, no mark
    _archive(fed)
    set_avu_without_peps(fed, "alice#zoneA", "-d", path, PENDING_PID_AVU, "archive",
                         f"v2;user=rods%23zoneA;since=1;attempts=0;cause=x;{FORGED_SIG}")
    stats = fed.call(PENDING_RULE, "10", "", user="rods#zoneA")[-1]
    assert stats.startswith("marked=0 marks_failed=0 pids_created=0 pids_failed=0")
    assert PID_AVU not in fed.avus(path)
    assert PENDING_PID_AVU not in fed.avus(path)
    assert _moved_aside(fed, path) == {PENDING_PID_AVU: "forged pending-PID mark"}


def test_a_genuine_mark_relabelled_to_another_user_is_forged(fed):
    _archive(fed, pid="deferred")
    path = user_file(fed, f"{ARCHIVE}/a.dat")  # the policy leaves alice a signed mark
    [(name, value, units)] = [r for r in avu_rows(fed, path) if r[0] == PENDING_PID_AVU]
    fields = codec.decode_units(units)
    assert fields is not None and fields["user"] == "alice#zoneA" and fields["sig"]
    fields["user"] = "bob#zoneA"
    set_avu_without_peps(fed, "alice#zoneA", "-d", path, name, value,
                         codec.encode_units(fields))
    fed.call(PENDING_RULE, "10", "", user="bob#zoneA")  # bob cannot even see it
    assert PID_AVU not in fed.avus(path)
    fed.call(PENDING_RULE, "10", "", user="rods#zoneA")
    assert PID_AVU not in fed.avus(path)
    assert _moved_aside(fed, path) == {PENDING_PID_AVU: "forged pending-PID mark"}


def test_an_unsigned_v1_mark_is_moved_aside_with_its_migration_reason(fed):
    path = user_file(fed, f"{ARCHIVE}/a.dat")
    _archive(fed)
    set_avu_without_peps(fed, "alice#zoneA", "-d", path, PENDING_PID_AVU, "archive",
                         "v1;user=alice#zoneA;since=1;attempts=0;cause=x")
    fed.call(PENDING_RULE, "10", "", user="alice#zoneA")
    assert PID_AVU not in fed.avus(path)
    assert _moved_aside(fed, path)[PENDING_PID_AVU].startswith("unsigned v1 pending-PID mark")


def test_a_forged_removal_mark_marks_nothing_even_when_its_claims_check_out(fed):
    """The record of an object removed under ``ignore`` names the removed path and no object
    carries its PID: only the signature stops a forged mark from marking it."""
    path = user_file(fed, f"{HOME}/gone.dat")
    pid = fed.call("EUDATCreatePID", "None", path, "None", "None", "false", "")[5]
    fed.configure("zoneA", deletion={"mode": "ignore"})
    fed.client("alice#zoneA").irm(path, force=True)
    fed.configure("zoneA", deletion={"mode": "keep_and_mark"})
    name = PENDING_MARK_PREFIX + pid
    set_avu_without_peps(fed, "alice#zoneA", "-C", HOME, name, path,
                         f"v2;user=rods%23zoneA;deleted=1;attempts=0;cause=x;{FORGED_SIG}")
    stats = fed.call(PENDING_RULE, "10", "", user="rods#zoneA")[-1]
    assert stats.startswith("marked=0 marks_failed=0 ")
    assert fed.reader("zoneA").get_value(pid, DELETED_KEY) is None
    assert _moved_aside(fed, HOME, "-C") == {name: "forged pending removal mark"}


def test_the_admin_run_creates_a_pending_pid_only_while_its_requester_may_write_the_object(fed):
    """The PID is created on behalf of the mark's requester: a rodsadmin's run checks her rights
    as they are when it acts. Alice's genuine mark waits while she may not write the object
    (the mark stays, with the cause) and is carried out once she may again."""
    _archive(fed, pid="deferred")
    path = user_file(fed, f"{ARCHIVE}/a.dat")  # alice's signed mark
    rods = fed.client("rods#zoneA")
    rods.ichmod("own", "bob#zoneA", path, admin=True)
    rods.ichmod("null", "alice#zoneA", path, admin=True)
    with pytest.raises(RuleError) as failed:  # the run reports what remains
        fed.call(PENDING_RULE, "10", "", user="rods#zoneA")
    assert "pids_created=0 pids_failed=1" in failed.value.args[1]
    assert PID_AVU not in fed.avus(path)
    [(_name, _value, units)] = [r for r in avu_rows(fed, path) if r[0] == PENDING_PID_AVU]
    assert "may no longer write" in (codec.decode_units(units) or {})["cause"]
    rods.ichmod("write", "alice#zoneA", path, admin=True)
    stats = fed.call(PENDING_RULE, "10", "", user="rods#zoneA")[-1]
    assert "pids_created=1 pids_failed=0" in stats
    assert PID_AVU in fed.avus(path)
