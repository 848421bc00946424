"""Who may run each state-changing rule: owner, another user, a remote user, a rodsadmin.

Without an authorization map, iRODS ownership decides (as B2SAFE 4.x): the owner and a rodsadmin
succeed, another local user and a remote user are refused with a specific code and change
nothing. With the map enabled it is asked as well; ``EUDATAuthZ`` answers it directly.
"""

from __future__ import annotations

import json

import pytest
from policy_support import REPLICAS_B, diff, snapshot

from b2safe import errors

USERS = {"owner": "alice#zoneA", "other": "bob#zoneA", "remote": "alice#zoneB",
         "rodsadmin": "rods#zoneA"}
DENIED = {errors.CAT_NO_ACCESS_PERMISSION, errors.USER_FILE_DOES_NOT_EXIST,
          errors.CAT_INSUFFICIENT_PRIVILEGE_LEVEL}
BASE = "/zoneA/home/alice/m"


def _url(world, path):
    return world.record(world.avus(path)["PID"][0]).url


#: rule -> builder(world, object path, its PID, caller) -> args
RULES = {
    "EUDATCreatePID": lambda w, p, pid, u: ["None", p + ".new", "None", "None", "false", ""],
    "EUDATPidsForColl": lambda w, p, pid, u: [p.rsplit("/", 1)[0], "false"],
    "EUDATePIDremove": lambda w, p, pid, u: [p, "true"],
    "EUDATeURLupdate": lambda w, p, pid, u: [pid, _url(w, p) + "?moved"],
    "EUDATeRORupdate": lambda w, p, pid, u: [pid, pid],
    "EUDATeFIOupdate": lambda w, p, pid, u: [pid, pid],
    "EUDATeCHECKSUMupdate": lambda w, p, pid, u: [pid, p],
    "EUDATUpdatePIDWithNewChild": lambda w, p, pid, u: [pid, "21.T90002/CHILD", ""],
    "EUDATiRORupdate": lambda w, p, pid, u: [p, pid],
    "EUDATiFIOupdate": lambda w, p, pid, u: [p, pid],
    "EUDATiPIDcreate": lambda w, p, pid, u: [p, pid],
    "EUDATCreateAVU": lambda w, p, pid, u: ["k", "v", p],
    "EUDATiCHECKSUMdate": lambda w, p, pid, u: [p.rsplit("/", 1)[0], p.rsplit("/", 1)[1],
                                                "r1", "1700000000"],
    "EUDATReplication": lambda w, p, pid, u: [p, f"{REPLICAS_B}/{p.rsplit('/', 1)[1]}",
                                              "false", "false", ""],
    "EUDATCheckIntegrityDO": lambda w, p, pid, u: [p, p, "true", ""],
    "EUDATrp_transferInitiated": lambda w, p, pid, u: [p],
    # Rules that queue work for later (signed for the caller) or act with Handle credentials:
    "EUDATPIDRegistration": lambda w, p, pid, u: [p, f"{REPLICAS_B}/reg-{p.rsplit('/', 1)[1]}",
                                                  "", ""],
    "EUDATUpdateLogging": lambda w, p, pid, u: ["false", p,
                                                f"{REPLICAS_B}/log-{p.rsplit('/', 1)[1]}", "x"],
    "EUDATeURLupdateColl": lambda w, p, pid, u: [pid, _url(w, p)],
    "EUDATRegisterReplicas": lambda w, p, pid, u: [
        f'[["{p}.new", "None", "None", "None", "false"]]', ""],
    "EUDATrp_ingestObject": lambda w, p, pid, u: [p],
}


@pytest.fixture
def matrix_world(world):
    for zone in ("zoneA", "zoneB"):
        world.sb.zone(zone).catalog.add_user("bob", "zoneA", "rodsuser")
    b = world.client("rods#zoneB")
    b.imkdir(REPLICAS_B, parents=True)
    for user in USERS.values():
        b.ichmod("own", user, REPLICAS_B)
    owner = world.client("alice#zoneA")
    for rule in RULES:
        coll = f"{BASE}/{rule}"
        owner.imkdir(coll, parents=True)
        for who in USERS:
            path = f"{coll}/{who}.dat"
            owner.iput(path, who.encode())
            owner.imeta("set", "-d", path, "OTHER_original_checksum",
                        owner.ichksum(path))
            world.call("EUDATCreatePID", "None", path, "None", "None", "false", "")
            owner.iput(path + ".new", b"new")
    return world


def test_ownership_matrix(matrix_world):
    world = matrix_world
    problems = []
    for rule, build in RULES.items():
        for who, user in USERS.items():
            path = f"{BASE}/{rule}/{who}.dat"
            pid = world.avus(path)["PID"][0]
            args = build(world, path, pid, user)
            before = snapshot(world)
            result = world.sb.exec_rule("zoneA", rule, list(args), user)
            allowed = who in ("owner", "rodsadmin")
            if allowed and result.code != 0:
                problems.append(f"{rule} as {who}: refused {result.code} "
                                f"{(result.traceback or '')[-200:]}")
            if not allowed:
                if result.code not in DENIED:
                    problems.append(f"{rule} as {who}: expected a refusal, got {result.code}")
                changed = diff(before, snapshot(world))
                if changed:
                    problems.append(f"{rule} as {who}: refused but changed {changed}")
    assert not problems, "\n".join(problems)


def test_admin_only_rules_refuse_other_users(world):
    for user in ("alice#zoneA", "alice#zoneB"):
        error = world.fails("EUDATIntegritySweepRemove", "/zoneA/home", "", user=user)
        assert error.code == errors.CAT_INSUFFICIENT_PRIVILEGE_LEVEL
        assert "rodsadmin" in error.text


def test_authorization_map_is_enforced_and_answered(world, tmp_path):
    map_file = tmp_path / "authz.map.json"
    map_file.write_text(json.dumps({"alice-pids": {
        "subject": ["alice#zoneA"], "action": ["pid", "metadata"],
        "target": ["/zoneA/home/alice/allowed/*"]}}))
    world.configure("zoneA", authorization={"enabled": True, "map_file": str(map_file)})
    client = world.client("alice#zoneA")
    client.imkdir("/zoneA/home/alice/allowed")
    client.iput("/zoneA/home/alice/allowed/a.dat", b"a")
    client.iput("/zoneA/home/alice/b.dat", b"b")
    world.call("EUDATCreatePID", "None", "/zoneA/home/alice/allowed/a.dat", "None", "None",
               "false", "")
    before = world.handles("zoneA")
    error = world.fails("EUDATCreatePID", "None", "/zoneA/home/alice/b.dat", "None", "None",
                        "false", "")
    assert error.code == errors.CAT_NO_ACCESS_PERMISSION and "authorization map" in error.text
    assert world.handles("zoneA") == before
    ok = world.call("EUDATAuthZ", "alice#zoneA", "pid", "/zoneA/home/alice/allowed/x", "")
    assert ok[-1] == "True"  # 4.x: authZmanager.py printed str(True)
    denied = world.fails("EUDATAuthZ", "alice#zoneA", "replicate", "/zoneA/home/alice/b", "")
    assert denied.code == errors.CAT_NO_ACCESS_PERMISSION
    # Only a rodsadmin may ask about someone else.
    assert world.fails("EUDATAuthZ", "bob#zoneA", "pid", "/x", "").code == \
        errors.CAT_NO_ACCESS_PERMISSION
    assert world.call("EUDATAuthZ", "alice#zoneA", "pid", "/zoneA/home/alice/allowed/y", "",
                      user="rods#zoneA")[-1] == "True"
