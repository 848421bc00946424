"""Resource plugin and network PEPs, and the delete policy PEPs, as a server fires them.

Sources: irods/irods @5.0.2 (the same at 4.3.5 for the lines cited). Resource PEPs are fired by
the plugin framework around each resource operation: ``pep_<operation>_pre`` and ``_post`` with
``(instance name, plugin context, out string, operation arguments...)``, the out string shared by
the two (lib/core/include/irods/irods_plugin_base.hpp L372-420). Upstream tests:
test_icommands_file_operations.py test_re_serialization__prep_13 (pep_resource_create_post's
context), test_delay_in_dynamic_pep__3342 (pep_resource_write_post has five arguments),
test_native_rule_engine_plugin.py test_network_pep (the out string set in _pre is seen in
_post), test_rulebase.py test_acDataDeletePolicy.
"""

from __future__ import annotations

import textwrap

import pytest
from b2safe_sandbox.errors import IrodsCallError
from b2safe_sandbox.sandbox import Sandbox

HOME = "/zoneA/home/alice"

CORE = '''
def _log(callback, text):
    callback.writeLine("serverLog", "REC " + text)

def pep_resource_create_pre(rule_args, callback, rei):
    rule_args[2] = "OUT FROM PRE"

def pep_resource_create_post(rule_args, callback, rei):
    d = rule_args[1].map()
    _log(callback, "create_post out=" + str(rule_args[2]) + " logical_path=" + d["logical_path"]
         + " physical_path_set=" + str(bool(d["physical_path"])))

def pep_resource_write_post(rule_args, callback, rei):
    _log(callback, "write_post args=" + str(len(rule_args)) + " buffer=" + repr(rule_args[3])
         + " length=" + str(rule_args[4]))

def acDataDeletePolicy(rule_args, callback, rei):
    c = rei.condInputData
    _log(callback, "delete_policy " + str(rei.doi.objPath) + ":" + str(rei.doi.replNum) + " " +
         c["rescName"])
    if str(rei.doi.objPath).endswith("keep"):
        return -818000

def pep_network_agent_start_pre(rule_args, callback, rei):
    rule_args[2] = "THIS IS AN OUT VARIABLE"

def pep_network_agent_start_post(rule_args, callback, rei):
    _log(callback, "agent_start_post " + rule_args[2])
'''


@pytest.fixture(params=["4.3", "5.0"])
def sb(tmp_path, request) -> Sandbox:
    sb = Sandbox.create(tmp_path / "sb", zones=("zoneA",), core_py=textwrap.dedent(CORE),
                        irods_version=request.param)
    sb.zone("zoneA").catalog.add_resource("r2")
    return sb


def resource_peps(sb: Sandbox, mark: int) -> list:
    """The resource pre- and post-PEPs offered since ``mark``, without the prefix."""
    return [e.name[len("pep_resource_"):] for e in sb.events[mark:]
            if e.name.startswith("pep_resource_") and e.name.endswith(("_pre", "_post"))]


def logged(sb: Sandbox, mark: int = 0) -> list:
    return [x.split("inString = REC ", 1)[1] for x in sb.server_log["zoneA"][mark:]
            if "inString = REC " in x]


def test_put_creates_writes_closes_then_modified(sb):
    """rsDataObjPut (single buffer, rsDataObjPut.cpp@5.0.2 L252-447 single_buffer_put): the
    hierarchy is resolved for CREATE (L633; irods_resource_redirect.cpp L136-138
    resolve_hierarchy), fileCreate (rsDataObjOpen.cpp L489), rsDataObjWrite (L283) with its
    fileNotify(WRITE) and l3Write (rsDataObjWrite.cpp L116-133), the close
    (close_replica_without_catalog_update L332), the finalize (finalize_replica L386) with its
    getSizeInVault (fileStat, finalize_utilities.cpp L166) and fileModified - each a resource
    operation between its PEPs. iget: resolved for OPEN (rsDataObjGet.cpp L247), open, read,
    close."""
    client = sb.client("alice#zoneA")
    mark = len(sb.events)
    client.iput(f"{HOME}/x", b"0123456789")
    assert resource_peps(sb, mark) == [
        f"{op}_{phase}" for op in ("resolve_hierarchy", "create", "notify", "write", "close",
                                   "stat", "modified") for phase in ("pre", "post")]
    assert [x for x in logged(sb) if not x.startswith("agent_")] == [
        f"create_post out=OUT FROM PRE logical_path={HOME}/x physical_path_set=True",
        "write_post args=5 buffer=None length=10"]
    mark = len(sb.events)
    client.iget(f"{HOME}/x")
    assert resource_peps(sb, mark) == [
        f"{op}_{phase}" for op in ("resolve_hierarchy", "open", "read", "close")
        for phase in ("pre", "post")]


def test_force_remove_asks_delete_policy_per_replica(sb):
    """rsDataObjUnlink.cpp@5.0.2 L110-152, L386-433: -f asks acDataDeletePolicy for every
    replica (rei.doi, condInputData of its resource), unlinks each (pep_resource_unlink), then
    acPostProcForDelete; an error from the policy refuses the delete."""
    client = sb.client("alice#zoneA")
    client.iput(f"{HOME}/x", b"d")
    client.irepl(f"{HOME}/x", "r2")
    mark, first = len(sb.events), len(sb.server_log["zoneA"])
    client.irm(f"{HOME}/x", force=True)
    names = [e.name for e in sb.events[mark:] if not e.name.startswith("pep_resource_")
             or e.name.startswith(("pep_resource_unlink_p", "pep_resource_unregistered_p"))]
    # dataObjUnlinkS (L560-640): each replica is unregistered (rsUnregDataObj.cpp L86-100:
    # fileUnregistered), then its file unlinked (l3Unlink).
    per_replica = ["pep_resource_unregistered_pre", "pep_resource_unregistered_post",
                   "pep_resource_unlink_pre", "pep_resource_unlink_post"]
    assert names == [
        "pep_api_data_obj_unlink_pre", "acDataDeletePolicy", "acDataDeletePolicy",
        *per_replica, *per_replica, "acPostProcForDelete", "pep_api_data_obj_unlink_post",
        "pep_api_data_obj_unlink_finally"]
    assert logged(sb, first) == [f"delete_policy {HOME}/x:0 demoResc",
                                 f"delete_policy {HOME}/x:1 r2"]
    client.iput(f"{HOME}/keep", b"d")
    with pytest.raises(IrodsCallError) as err:
        client.irm(f"{HOME}/keep", force=True)
    assert err.value.code == -818000
    assert sb.zone("zoneA").catalog.data_exists(f"{HOME}/keep")


def test_move_to_trash_fires_no_post_delete(sb):
    """rsDataObjUnlink.cpp@5.0.2 L395-410: without -f, acTrashPolicy, then rsMvDataObjToTrash
    (acDataDeletePolicy per replica, L154-190) whose status is returned at once."""
    client = sb.client("alice#zoneA")
    client.iput(f"{HOME}/x", b"d")
    mark = len(sb.events)
    client.irm(f"{HOME}/x")
    names = [e.name for e in sb.events[mark:] if not e.name.startswith("pep_resource_")]
    assert names == ["pep_api_data_obj_unlink_pre", "acTrashPolicy", "acDataDeletePolicy",
                     "pep_api_data_obj_unlink_post", "pep_api_data_obj_unlink_finally"]


def test_network_agent_start_and_stop(sb):
    """agent_main.cpp@5.0.2 L943, L963: the agent of a connection starts (pep_network_agent_
    start) before its first request and stops when the client disconnects; the out string set
    in _pre reaches _post (test_native_rule_engine_plugin.py test_network_pep)."""
    client = sb.client("alice#zoneA")
    mark = len(sb.events)
    client.iput(f"{HOME}/x", b"d")
    client.iget(f"{HOME}/x")
    names = [e.name for e in sb.events[mark:] if e.name.startswith("pep_network_")]
    # The network plugin's call also offers _finally (irods_plugin_base.hpp L186-197) to the
    # rule language's regex (the NREP is loaded).
    assert names == ["pep_network_agent_start_pre", "pep_network_agent_start_post",
                     "pep_network_agent_start_finally"]
    assert "agent_start_post THIS IS AN OUT VARIABLE" in logged(sb)
    client.close()
    assert [e.name for e in sb.events[-3:]] == ["pep_network_agent_stop_pre",
                                                "pep_network_agent_stop_post",
                                                "pep_network_agent_stop_finally"]
