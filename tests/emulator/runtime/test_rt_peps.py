"""PEP firing order for client operations, control codes and error effects."""

from __future__ import annotations

import pytest
from b2safe_sandbox.errors import IrodsCallError
from rt_helpers import api_and_static

HOME = "/zoneA/home/alice"

LOGGING_CORE = '''
import irods_errors

def _log(name, callback):
    callback.writeLine("serverLog", "PEP " + name)

def acPostProcForPut(rule_args, callback, rei):
    _log("put:" + str(rei.doi.objPath), callback)

def pep_api_data_obj_put_pre(rule_args, callback, rei):
    if str(rule_args[2].objPath).endswith("skip"):
        return irods_errors.RULE_ENGINE_SKIP_OPERATION
    if str(rule_args[2].objPath).endswith("deny"):
        return -818000
    return irods_errors.RULE_ENGINE_CONTINUE

def pep_api_data_obj_put_post(rule_args, callback, rei):
    if str(rule_args[2].objPath).endswith("postfail"):
        raise RuntimeError("[iRods__Error__Code:-130000] post failed")

def acPostProcForObjRename(rule_args, callback, rei):
    if rule_args[1].endswith("forbidden"):
        return -818000

def acPostProcForCreate(rule_args, callback, rei):
    raise ValueError("static PEP errors are only logged")

def pep_api_mod_avu_metadata_pre(rule_args, callback, rei):
    callback.writeLine("serverLog", "AVU " + rule_args[2]["arg3"] + " on " + rule_args[2]["arg2"])
'''


@pytest.fixture
def psb(make_sb):
    return make_sb(LOGGING_CORE)


def names(sb, start=0):
    return api_and_static(e.name for e in sb.events[start:])


def test_single_buffer_put_order(psb):
    c = psb.client("alice#zoneA")
    c.iput(f"{HOME}/x", b"data")
    # irods rsDataObjPut.cpp@5.0.2 L74-84, L414: the static PEPs after the replica is finalized
    # (file_modified); irods_resource_redirect.cpp L62-105: acSetRescSchemeForCreate; a new
    # replica's path: rsDataObjOpen.cpp L286 -> physPath.cpp L262-280 acSetVaultPathPolicy.
    assert names(psb) == [
        "pep_api_data_obj_put_pre", "acSetRescSchemeForCreate", "acSetVaultPathPolicy",
        "pep_resource_modified_post", "acPostProcForCreate", "acPostProcForPut",
        "pep_api_data_obj_put_post", "pep_api_data_obj_put_finally"]
    mark = len(psb.events)
    c.iput(f"{HOME}/x", b"data2", force=True)
    # An overwrite opens the existing replica: acPreprocForDataObjOpen (rsDataObjOpen.cpp
    # L1144), no new vault path; OPEN_FOR_WRITE_TYPE -> acPostProcForOpen (rsDataObjPut.cpp
    # L74-84).
    assert names(psb, mark)[2:5] == ["acPreprocForDataObjOpen", "pep_resource_modified_post",
                                     "acPostProcForOpen"]
    assert any("PEP put:/zoneA/home/alice/x" in x for x in psb.server_log["zoneA"])


def test_parallel_put_order(psb):
    psb.client("alice#zoneA").iput(f"{HOME}/big", b"x" * 10, parallel=True)
    # rsDataObjPut.cpp@5.0.2 L449-520 waits for the client's rcOprComplete (rsDataObjClose:
    # finalize, then Create and Put, L76-104) and returns SYS_NO_HANDLER_REPLY_MSG, which
    # apiHandler.hpp L64-69, L227-260 accept: the put's post-PEP comes last (irods#4404).
    # miscServerFunct.cpp L173-177: the portal asks getNumThreads (acSetNumThreads).
    assert names(psb) == [
        "pep_api_data_obj_put_pre", "acSetRescSchemeForCreate", "acSetVaultPathPolicy",
        "acSetNumThreads", "acPostProcForParallelTransferReceived", "pep_api_opr_complete_pre",
        "pep_resource_modified_post", "acPostProcForCreate", "acPostProcForPut",
        "pep_api_opr_complete_post", "pep_api_opr_complete_finally",
        "pep_api_data_obj_put_post", "pep_api_data_obj_put_finally"]


def test_finally_except_need_nrep(make_sb):
    sb = make_sb(LOGGING_CORE, nrep_loaded=False)
    sb.client("alice#zoneA").iput(f"{HOME}/x", b"d")
    assert "pep_api_data_obj_put_finally" not in names(sb)


def test_skip_deny_and_post_error(psb):
    c = psb.client("alice#zoneA")
    cat = psb.zone("zoneA").catalog
    assert c.iput(f"{HOME}/skip", b"d") is None
    assert not cat.data_exists(f"{HOME}/skip")
    with pytest.raises(IrodsCallError) as err:
        c.iput(f"{HOME}/deny", b"d")
    assert err.value.code == -818000 and not cat.data_exists(f"{HOME}/deny")
    assert "pep_api_data_obj_put_except" in names(psb)
    with pytest.raises(IrodsCallError) as err:
        c.iput(f"{HOME}/postfail", b"d")
    assert err.value.code == -130000 and cat.data_exists(f"{HOME}/postfail")
    # apiHandler.hpp@5.0.2 L253-270: a failing post-PEP fires the except-PEP, then finally.
    assert [e.name for e in psb.events[-3:]] == [
        "pep_api_data_obj_put_post", "pep_api_data_obj_put_except", "pep_api_data_obj_put_finally"]


def test_static_pep_error_logged_rename_error_propagates(psb):
    c = psb.client("alice#zoneA")
    c.iput(f"{HOME}/x", b"d")  # acPostProcForCreate raises: only logged
    ev = next(e for e in psb.events if e.name == "acPostProcForCreate")
    assert ev.ran and ev.code == -1
    with pytest.raises(IrodsCallError) as err:
        c.imv(f"{HOME}/x", f"{HOME}/forbidden")
    assert err.value.code == -818000
    c.imv(f"{HOME}/forbidden", f"{HOME}/fine")
    ev = [e for e in psb.events if e.name == "acPostProcForObjRename"][-1]
    assert ev.args == [f"{HOME}/forbidden", f"{HOME}/fine"]


def test_other_operations_order(psb):
    c = psb.client("alice#zoneA")
    psb.zone("zoneA").catalog.add_resource("r2")
    c.iput(f"{HOME}/x", b"d")
    for op, expected in [
        (lambda: c.icp(f"{HOME}/x", f"{HOME}/y"),
         # rsDataObjClose.cpp@5.0.2 L76-104, L612 for the COPY_DEST replica.
         # rsDataObjCopy.cpp@5.0.2 L315-325, L374-375: source open, destination create, the
         # source's read-only close last.
         ["pep_api_data_obj_copy_pre", "acPreprocForDataObjOpen", "acSetRescSchemeForCreate",
          "acSetVaultPathPolicy", "pep_resource_modified_post", "acPostProcForCreate",
          "acPostProcForCopy", "acPostProcForOpen", "pep_api_data_obj_copy_post",
          "pep_api_data_obj_copy_finally"]),
        (lambda: c.irepl(f"{HOME}/x", "r2"),
         # rsDataObjRepl.cpp@5.0.2 L744-932, L534-741 (see test_repl_* below).
         ["pep_api_data_obj_repl_pre", "acSetRescSchemeForRepl", "acPreprocForDataObjOpen",
          "acSetVaultPathPolicy", "pep_resource_modified_post", "acPostProcForCreate",
          "acPostProcForPut", "pep_api_data_obj_repl_post", "pep_api_data_obj_repl_finally"]),
        (lambda: c.ichksum(f"{HOME}/x"),
         ["pep_api_data_obj_chksum_pre", "pep_api_data_obj_chksum_post",
          "pep_api_data_obj_chksum_finally"]),
        (lambda: c.iget(f"{HOME}/x"),
         # rsDataObjGet.cpp@5.0.2 L276-305: open O_RDONLY, read, rsDataObjClose.
         ["pep_api_data_obj_get_pre", "acPreprocForDataObjOpen", "acPostProcForOpen",
          "pep_api_data_obj_get_post", "pep_api_data_obj_get_finally"]),
        (lambda: c.irm(f"{HOME}/y", force=True),
         # rsDataObjUnlink.cpp@5.0.2 L110-152, L386-433: the delete policy per replica.
         ["pep_api_data_obj_unlink_pre", "acDataDeletePolicy", "acPostProcForDelete",
          "pep_api_data_obj_unlink_post", "pep_api_data_obj_unlink_finally"]),
        (lambda: c.imeta("add", "-d", f"{HOME}/x", "A", "1"),
         ["pep_api_mod_avu_metadata_pre", "pep_api_mod_avu_metadata_post",
          "pep_api_mod_avu_metadata_finally"]),
    ]:
        mark = len(psb.events)
        op()
        assert names(psb, mark) == expected
    assert any("AVU A on /zoneA/home/alice/x" in x for x in psb.server_log["zoneA"])
    ev = next(e for e in psb.events if e.name == "pep_api_mod_avu_metadata_pre")
    assert ev.args[2]["arg0"] == "add"


def test_msi_operations_fire_no_api_peps(psb):
    psb.client("alice#zoneA").iput(f"{HOME}/x", b"d")
    mark = len(psb.events)
    cb = psb.callback("zoneA", "alice#zoneA")
    cb.msiDataObjCopy(f"{HOME}/x", f"{HOME}/z", "null", 0)
    assert names(psb, mark) == ["acPreprocForDataObjOpen", "acSetRescSchemeForCreate",
                                "acSetVaultPathPolicy", "pep_resource_modified_post",
                                "acPostProcForCreate", "acPostProcForCopy", "acPostProcForOpen"]


def test_pep_rei_and_session_vars(make_sb):
    core = '''
import session_vars
SEEN = []
def acPostProcForPut(rule_args, callback, rei):
    m = session_vars.get_map(rei)
    callback.writeLine("serverLog", "SV " + m["client_user"]["user_name"] + " " +
                       m["data_object"]["object_path"] + " " + str(rule_args))
def pep_api_data_obj_put_pre(rule_args, callback, rei):
    m = rule_args[1].map()
    callback.writeLine("serverLog", "CTX " + m["user_user_name"] + "#" + m["user_rods_zone"])
'''
    sb = make_sb(core)
    sb.client("alice#zoneA").iput(f"{HOME}/x", b"d")
    log = "\n".join(sb.server_log["zoneA"])
    assert "SV alice /zoneA/home/alice/x []" in log
    assert "CTX alice#zoneA" in log


def test_broken_core_fails_client_operations(make_sb):
    sb = make_sb("raise ImportError('broken ruleset')\n")
    with pytest.raises(IrodsCallError) as err:
        sb.client("alice#zoneA").iput(f"{HOME}/x", b"d")
    assert err.value.code == -1828000
    assert not sb.zone("zoneA").catalog.data_exists(f"{HOME}/x")
