"""Who may run each state-changing rule: owner, another user, a remote user, a federated
zone's rodsadmin, this zone's rodsadmin.

Without an authorization map, iRODS ownership decides (as B2SAFE 4.x): the owner and the zone's
rodsadmin succeed; another local user, a remote user and a federated zone's rodsadmin are
refused with a specific code and change nothing. With the map enabled it is asked as well;
``EUDATAuthZ`` answers it directly. A test checks that every registered rule and PEP is in the
matrix or named below with the test that covers it.
"""

from __future__ import annotations

import json

import pytest
from policy_support import REPLICAS_B, diff, snapshot

from b2safe import errors

USERS = {"owner": "alice#zoneA", "other": "bob#zoneA", "remote": "alice#zoneB",
         "federated_admin": "rods#zoneB", "rodsadmin": "rods#zoneA"}
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
    "EUDATrp_transferFinished": lambda w, p, pid, u: [p],
    "EUDATRegDataRepl": lambda w, p, pid, u: [p, f"{REPLICAS_B}/rdr-{p.rsplit('/', 1)[1]}",
                                              "false", ""],
    "EUDATCheckIntegrity": lambda w, p, pid, u: [p, p, "true", "", ""],
    "EUDATePIDcreate": lambda w, p, pid, u: [p + ".new", "None", ""],
    "EUDATQueue": lambda w, p, pid, u: [
        "push", f"{p}::{REPLICAS_B}/q-{p.rsplit('/', 1)[1]}::false::x", "0"],
}

#: Rules that change nothing (their rights statement says so).
READ_ONLY = {"EUDATGetZoneHostFromZoneName", "EUDATGetZoneNameFromPath", "EUDATGeteValPid",
             "EUDATePIDsearch", "EUDATIntegritySweepList", "EUDATObjExist", "EUDATSearchPID",
             "EUDATSearchPIDchecksum", "EUDATfileInPath", "EUDATgetLastAVU",
             "EUDATgetObjectAge", "EUDATgetObjectTimeDiff", "EUDATiCHECKSUMget",
             "EUDATrp_checkMeta", "EUDATtoBoolean", "getB2SAFEVersion", "b2safe_setting",
             "EUDATAuthZ"}

#: Rules only this zone's rodsadmin may run (test_admin_only_rules_refuse_other_users).
ADMIN_ONLY = {"EUDATIntegritySweepInstall": [], "EUDATIntegritySweepPause": ["/zoneA/home"],
              "EUDATIntegritySweepRemove": ["/zoneA/home"],
              "EUDATIntegritySweepResume": ["/zoneA/home"], "EUDATRetryInstall": [],
              "b2safe_import_4x_failure": ["/zoneA/home/alice/x", "/zoneB/x", "c"]}

#: State-changing rules and PEPs whose attacks need their own set-up: the test covering each.
ELSEWHERE = {
    "EUDATTransferUsingFailLog": "tests/security/test_pending_work.py::"
                                 "test_a_users_retry_leaves_other_users_records_alone",
    "EUDATIntegritySweepRun": "tests/security/test_owner_state.py::"
                              "test_the_owner_cannot_redirect_a_sweeps_repairs_onto_other_files",
    "EUDATPolicyPending": "tests/security/test_pending_marks.py::"
                          "test_a_genuine_mark_relabelled_to_another_user_is_forged",
    "EUDATCheckIntegrityColl": "tests/security/test_retry_reauthorization.py::"
                               "test_integrity_logging_cannot_make_the_admin_repair_onto_a_file_"
                               "she_may_not_write",
    "EUDATCheckIntegrityBatched": "tests/sandbox/cli/test_cli_batches.py::"
                                  "test_another_users_check_batch_queues_and_records_nothing_"
                                  "on_her_tree",
    "EUDATCheckIntegrityBatch": "tests/sandbox/cli/test_cli_batches.py::"
                                "test_another_users_check_batch_queues_and_records_nothing_"
                                "on_her_tree",
    "EUDATPidsForCollBatch": "tests/workflows/test_batches.py",
    "EUDATPidsForCollBatched": "tests/workflows/test_batches.py",
    "EUDATReplicationBatch": "tests/workflows/test_batches.py",
    "EUDATReplicationBatched": "tests/workflows/test_batches.py",
    "EUDATMessage": "tests/sandbox/messaging/test_messaging.py::"
                    "test_messaging_rules_follow_the_authorization_map",
    "EUDATiCHECKSUMretrieve": "tests/sandbox/pid/test_rules_pid_utility.py::"
                              "test_checksum_retrieve_for_others_is_false_and_dates_nothing",
    "EUDATLog": "tests/sandbox/messaging/test_messaging.py::"
                "test_messaging_rules_follow_the_authorization_map",
    "EUDATGetPAMusers": "tests/security/test_pam_user_map.py::"
                        "test_only_users_the_map_names_read_the_pam_user_map",
    "b2safe_native_call": "tests/sandbox/native/test_native_bridge.py::"
                          "test_native_call_reports_a_rule_failure_instead_of_failing",
    "acPostProcForObjRename": "tests/security/test_pid_claims.py::"
                              "test_the_rename_pep_called_as_a_rule_does_not_repoint",
    "acPreProcForObjRename": "tests/security/test_pid_claims.py::"
                             "test_the_rename_pre_and_post_peps_called_as_rules_do_not_repoint",
    "pep_api_data_obj_copy_post": "tests/security/test_pep_calls.py::"
                                  "test_an_ingest_pep_called_as_a_rule_gives_others_objects_nothing",
    "pep_api_data_obj_rsync_post": "tests/security/test_pep_calls.py::"
                                   "test_an_ingest_pep_called_as_a_rule_gives_others_objects_"
                                   "nothing",
    "pep_api_data_obj_unlink_pre": "tests/security/test_owner_state.py::"
                                   "test_removing_the_fixed_attribute_does_not_lift_the_protection",
    "pep_api_rm_coll_pre": "tests/sandbox/policy/test_removal_collections.py",
    "pep_api_data_obj_unlink_post": "tests/security/test_pid_claims.py::"
                                    "test_keep_and_mark_does_not_mark_bobs_record",
    "pep_api_rm_coll_post": "tests/sandbox/policy/test_removal_collections.py::"
                            "test_a_forged_pending_mark_marks_nothing",
    "pep_api_mod_avu_metadata_pre": "tests/security/test_metadata_guard.py::"
                                    "test_imeta_on_b2safe_attributes_is_refused",
    "pep_api_atomic_apply_metadata_operations_pre": "tests/security/test_metadata_guard.py::"
                                                    "test_an_atomic_metadata_request_is_refused",
    # Upload PEPs act on the caller's own operation (rei.doi, the descriptor she opened, the
    # object her touch created): called as a rule they have nothing of anyone else's to act on.
    "acPostProcForPut": "tests/sandbox/policy/test_upload_policies.py",
    "acPostProcForFilePathReg": "tests/sandbox/policy/test_ingest_routes.py",
    "acBulkPutPostProcPolicy": "tests/sandbox/policy/test_ingest_routes.py",
    "pep_api_replica_close_pre": "tests/sandbox/policy/test_ingest_routes.py",
    "pep_api_replica_close_post": "tests/sandbox/policy/test_ingest_routes.py",
    "pep_api_data_obj_close_pre": "tests/sandbox/policy/test_ingest_routes.py::"
                                  "test_a_replica_from_another_zone_is_no_arrival_there",
    "pep_api_data_obj_close_post": "tests/sandbox/policy/test_ingest_routes.py::"
                                   "test_a_replica_from_another_zone_is_no_arrival_there",
    "pep_api_touch_pre": "tests/sandbox/policy/test_ingest_routes.py::"
                         "test_touching_an_existing_object_is_no_arrival",
    "pep_api_touch_post": "tests/sandbox/policy/test_ingest_routes.py::"
                          "test_touching_an_existing_object_is_no_arrival",
}


def test_every_rule_and_pep_is_covered():
    """The matrix, the read-only and admin-only lists and ELSEWHERE together name every
    registered rule and PEP once; each test named in ELSEWHERE exists."""
    from pathlib import Path

    import b2safe.ruleset  # noqa: F401 - fills the registry
    from b2safe.prep.registry import REGISTRY
    from b2safe.ruleset.rights import RIGHTS

    groups = [set(RULES), READ_ONLY, set(ADMIN_ONLY), set(ELSEWHERE)]
    assert sum(len(g) for g in groups) == len(set().union(*groups))  # no rule twice
    assert set().union(*groups) == set(REGISTRY)
    root = Path(__file__).resolve().parents[3]
    for rule, where in ELSEWHERE.items():
        path, _, name = where.partition("::")
        text = (root / path).read_text(encoding="utf-8")
        assert not name or f"def {name}(" in text, (rule, where)
    for rule in READ_ONLY:
        assert any(word in RIGHTS[rule] for word in ("read", "pure", "ask")), rule


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
    for rule, user in [(r, u) for r in sorted(ADMIN_ONLY)
                       for u in ("alice#zoneA", "alice#zoneB", "rods#zoneB")]:
        before = snapshot(world)
        error = world.fails(rule, *ADMIN_ONLY[rule], *([""] if ADMIN_ONLY[rule] else []),
                            user=user)
        assert error.code == errors.CAT_INSUFFICIENT_PRIVILEGE_LEVEL, (rule, user)
        assert "rodsadmin" in error.text
        assert not diff(before, snapshot(world)), (rule, user)


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
