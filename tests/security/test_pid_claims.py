"""A PID attribute is a claim; the Handle record is the witness. A malicious owner who writes
``PID=<bob's PID>`` on her own object (past the metadata guard, as a native rule can) cannot make
b2safe delete, repoint, mark or link bob's record; nobody can point a record at data they may
not write, or register PIDs for someone else's objects.
"""

from __future__ import annotations

import pytest
from attack_helpers import REPLICAS_B, avu_rows, set_avu_without_peps, user_file

from b2safe import errors

MINE = "/zoneA/home/alice/mine.dat"
BOBS = "/zoneA/home/bob/bob.dat"


@pytest.fixture
def claim(fed):
    """bob's object with a PID, and alice's object claiming that PID."""
    user_file(fed, BOBS, user="bob#zoneA", content=b"bob's data")
    fed.call("EUDATCreatePID", "None", BOBS, "None", "None", "false", "", user="bob#zoneA")
    bob_pid = fed.avus(BOBS)["PID"][0]
    user_file(fed, MINE)
    set_avu_without_peps(fed, "alice#zoneA", "-d", MINE, "PID", bob_pid)
    return fed, bob_pid


def _url(world, pid):
    return world.record(pid).url


def test_removing_her_object_pid_does_not_delete_bobs_record(claim):
    world, pid = claim
    error = world.fails("EUDATePIDremove", MINE, "true", user="alice#zoneA")
    assert error.code == errors.CAT_NO_ACCESS_PERMISSION
    assert _url(world, pid).endswith(BOBS)


def test_renaming_her_object_does_not_repoint_bobs_record(claim):
    world, pid = claim
    world.client("alice#zoneA").imv(MINE, MINE + ".moved")
    assert _url(world, pid).endswith(BOBS)


def test_the_url_update_rules_refuse_a_claimed_pid(claim):
    world, pid = claim
    mine_url = _url(world, pid).replace(BOBS, MINE)
    for rule in ("EUDATeURLupdate", "EUDATeURLupdateColl"):
        error = world.fails(rule, pid, mine_url, user="alice#zoneA")
        assert error.code in (errors.CAT_NO_ACCESS_PERMISSION, errors.USER_FILE_DOES_NOT_EXIST)
        assert _url(world, pid).endswith(BOBS)


def test_the_rename_pep_called_as_a_rule_does_not_repoint(claim):
    world, pid = claim
    world.sb.exec_rule("zoneA", "acPostProcForObjRename", [BOBS, MINE], "alice#zoneA")
    assert _url(world, pid).endswith(BOBS)


def test_the_rename_pep_called_as_a_rule_between_her_own_collections_repoints_nothing(fed):
    """Both trees are hers and the copy's PID AVU is her claim, so only the old path's existence
    shows that no rename happened: her record must keep naming the object still there."""
    first, second = "/zoneA/home/alice/first", "/zoneA/home/alice/second"
    user_file(fed, f"{first}/x.dat")
    fed.call("EUDATCreatePID", "None", f"{first}/x.dat", "None", "None", "false", "")
    pid = fed.avus(f"{first}/x.dat")["PID"][0]
    user_file(fed, f"{second}/x.dat")
    set_avu_without_peps(fed, "alice#zoneA", "-d", f"{second}/x.dat", "PID", pid)
    fed.sb.exec_rule("zoneA", "acPostProcForObjRename", [first, second], "alice#zoneA")
    assert _url(fed, pid).endswith(f"{first}/x.dat")


def test_keep_and_mark_does_not_mark_bobs_record(claim):
    world, pid = claim
    world.configure("zoneA", deletion={"mode": "keep_and_mark"})
    world.client("alice#zoneA").irm(MINE, force=True)
    values = world.reader("zoneA").get_values(pid)
    assert not any(v.get("type") == "EUDAT/DELETED" for v in values)


def test_replicating_her_object_does_not_link_her_copy_into_bobs_record(claim):
    world, pid = claim
    result = world.sb.exec_rule("zoneA", "EUDATReplication",
                                [MINE, f"{REPLICAS_B}/mine.dat", "true", "false", ""],
                                "rods#zoneA")
    assert "its PID attribute is only a claim" in (result.traceback or "")
    assert world.record(pid).replicas == ()


def test_a_record_cannot_be_pointed_at_data_she_may_not_write(fed):
    """Otherwise EUDATSearchPID (and CreatePID's reverse lookup) would answer with her PID for
    bob's object."""
    user_file(fed, BOBS, user="bob#zoneA")
    user_file(fed, MINE)
    fed.call("EUDATCreatePID", "None", MINE, "None", "None", "false", "")
    pid = fed.avus(MINE)["PID"][0]
    bobs_url = _url(fed, pid).replace(MINE, BOBS)
    error = fed.fails("EUDATeURLupdate", pid, bobs_url, user="alice#zoneA")
    assert error.code == errors.CAT_NO_ACCESS_PERMISSION
    assert _url(fed, pid).endswith(MINE)


def test_register_replicas_refuses_objects_the_caller_may_not_write(fed):
    """EUDATRegisterReplicas is meant for the source zone's remote call; any user can call it."""
    user_file(fed, BOBS, user="bob#zoneA")
    before = fed.handles("zoneA")
    error = fed.fails("EUDATRegisterReplicas", f'[["{BOBS}", "None", "None", "None", "true"]]',
                      "", user="alice#zoneA")
    assert error.code == errors.CAT_NO_ACCESS_PERMISSION
    assert fed.handles("zoneA") == before
    assert "PID" not in fed.avus(BOBS)


def test_the_rename_pre_and_post_peps_called_as_rules_do_not_repoint(claim):
    """The pre-rename PEP remembers a rename on the object (a pending rename the post-PEP or a
    retry completes): called by alice naming bob's object, it writes nothing on bob's object,
    and the post-PEP after it repoints nothing."""
    world, pid = claim
    before = avu_rows(world, BOBS)
    world.sb.exec_rule("zoneA", "acPreProcForObjRename", [BOBS, MINE], "alice#zoneA")
    assert avu_rows(world, BOBS) == before
    world.sb.exec_rule("zoneA", "acPostProcForObjRename", [BOBS, MINE], "alice#zoneA")
    assert _url(world, pid).endswith(BOBS)
    assert avu_rows(world, BOBS) == before
