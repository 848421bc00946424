"""Fidelity of PEP firing: which static PEPs a server fires, in its order, with the rei it builds.

Each case names the iRODS source (irods/irods @5.0.2; the replication paths are the same in
4.3.2-4.3.5, ``git log 4.3.2..5.0.2 -- server/api/src/rsDataObjRepl.cpp`` changes only logging)
or the upstream test its expectation comes from. Both version profiles run every case.
"""

from __future__ import annotations

import textwrap

import pytest
from b2safe_sandbox.sandbox import Sandbox

HOME = "/zoneA/home/alice"

#: Logs every static PEP with its rei (doi, doinp, condInputData keys) to the server log.
RECORDING_CORE = '''
def _rec(name):
    def pep(rule_args, callback, rei):
        doi = str(rei.doi.objPath) + ":" + str(rei.doi.replNum) if rei.doi else "-"
        doinp = str(rei.doinp.objPath) if rei.doinp else "-"
        cond = rei.condInputData
        keys = ",".join(str(cond.key[i]) for i in range(cond.len)) if cond is not None else "-"
        callback.writeLine("serverLog", "REI " + name + " doi=" + doi + " doinp=" + doinp +
                           " cond=" + keys)
    return pep

for _n in ("acPostProcForPut", "acPostProcForCreate", "acPostProcForOpen", "acPostProcForRepl",
           "acSetRescSchemeForCreate", "acSetRescSchemeForRepl", "acPreprocForDataObjOpen",
           "acSetVaultPathPolicy", "acSetNumThreads"):
    globals()[_n] = _rec(_n)
'''

#: resource_to_kvp's keys, in its addKeyVal order (irods_resource_backport.cpp L213-228).
RESC_KEYS = ("rescId,quotaLimit,rescStatus,freeSpace,zoneName,rescName,rescLoc,rescType,"
             "rescClass,rescVaultPath,rescInfo,rescComments,rescCreate,rescModify")


@pytest.fixture(params=["4.3", "5.0"])
def rsb(tmp_path, request) -> Sandbox:
    sb = Sandbox.create(tmp_path / "sb", zones=("zoneA",), core_py=textwrap.dedent(
        RECORDING_CORE), irods_version=request.param)
    sb.zone("zoneA").catalog.add_resource("r2")
    sb.client("alice#zoneA").iput(f"{HOME}/x", b"data")
    return sb


def _names(sb: Sandbox, mark: int) -> list:
    """API and static PEPs, fileModified's post-PEP (test_fidelity_resource.py checks the other
    resource and the network PEPs)."""
    return [e.name for e in sb.events[mark:]
            if not e.name.startswith(("pep_resource_", "pep_network_"))
            or e.name == "pep_resource_modified_post"]


def _rei_lines(sb: Sandbox, mark: int) -> list:
    return [x.split("inString = ", 1)[1] for x in sb.server_log["zoneA"][mark:]
            if "inString = REI " in x]


def test_repl_onto_a_good_replica_fires_no_static_pep(rsb):
    """rsDataObjRepl.cpp@5.0.2 L875-907: a good destination (or the source's own resource) is
    not copied; only fileModified fires (pep_resource_modified), no acPostProcFor*. Upstream:
    test_irepl.py test_irepl_over_existing_good_replica (no data movement)."""
    client = rsb.client("alice#zoneA")
    client.irepl(f"{HOME}/x", "r2")
    mark = len(rsb.events)
    client.irepl(f"{HOME}/x", "r2")
    assert _names(rsb, mark) == [
        "pep_api_data_obj_repl_pre", "acSetRescSchemeForRepl", "pep_resource_modified_post",
        "pep_api_data_obj_repl_post", "pep_api_data_obj_repl_finally"]
    mark = len(rsb.events)
    client.irepl(f"{HOME}/x", "demoResc")  # the source's own resource
    assert "acPostProcForPut" not in _names(rsb, mark)


def test_repl_to_a_new_replica_fires_create_and_put_never_repl(rsb):
    """rsDataObjRepl.cpp@5.0.2 L92-104, L737-739 (Create for CREATE_TYPE, then the legacy Put);
    acPostProcForRepl is only in rsDataObjClose.cpp L88-90, which replication does not call."""
    mark, logged = len(rsb.events), len(rsb.server_log["zoneA"])
    rsb.client("alice#zoneA").irepl(f"{HOME}/x", "r2")
    names = _names(rsb, mark)
    assert "acPostProcForRepl" not in names
    assert names[1:7] == ["acSetRescSchemeForRepl", "acPreprocForDataObjOpen",
                          "acSetVaultPathPolicy", "pep_resource_modified_post",
                          "acPostProcForCreate", "acPostProcForPut"]
    lines = _rei_lines(rsb, logged)
    # irods_resource_redirect.cpp L62-80: initReiWithDataObjInp only (no doi, empty list).
    assert lines[0] == f"REI acSetRescSchemeForRepl doi=- doinp={HOME}/x cond="
    # rsDataObjOpen.cpp L812-820: the source replica (0), its resource's properties.
    assert lines[1] == f"REI acPreprocForDataObjOpen doi={HOME}/x:0 doinp={HOME}/x cond={RESC_KEYS}"
    # physPath.cpp L262-276: the new replica, no doinp.
    assert lines[2] == f"REI acSetVaultPathPolicy doi={HOME}/x:1 doinp=- cond={RESC_KEYS}"
    # finalize_utilities.cpp L253-262 (apply_static_post_pep): doinp, doi and the properties.
    assert lines[3] == f"REI acPostProcForCreate doi={HOME}/x:1 doinp={HOME}/x cond={RESC_KEYS}"


def test_repl_onto_a_stale_replica_opens_it(rsb):
    """rsDataObjOpen.cpp@5.0.2 L189-222: an existing (stale) destination replica is opened
    (OPEN_FOR_WRITE_TYPE): acPreprocForDataObjOpen again, then Open and Put."""
    client = rsb.client("alice#zoneA")
    row = client.irepl(f"{HOME}/x", "r2")
    rsb.zone("zoneA").catalog.data_set_status(f"{HOME}/x", row.repl_num, 0)
    mark = len(rsb.events)
    client.irepl(f"{HOME}/x", "r2")
    assert _names(rsb, mark)[1:7] == [
        "acSetRescSchemeForRepl", "acPreprocForDataObjOpen", "acPreprocForDataObjOpen",
        "pep_resource_modified_post", "acPostProcForOpen", "acPostProcForPut"]


def test_msi_repl_resolves_as_a_create(rsb):
    """msiDataObjRepl parses a string into a zeroed DataObjInp (msParam.cpp L735-760), so
    oprType is not REPLICATE_OPR: acSetRescSchemeForCreate (irods_resource_redirect.cpp L71-76)."""
    mark = len(rsb.events)
    rsb.callback("zoneA", "alice#zoneA").msiDataObjRepl(f"{HOME}/x", "destRescName=r2", 0)
    assert _names(rsb, mark)[0] == "acSetRescSchemeForCreate"


def test_put_pep_replicating_terminates(tmp_path):
    """A policy that replicates in acPostProcForPut (b2safe's replication policies do): the
    replication's legacy acPostProcForPut re-enters, and the second replication finds a good
    replica and fires no static PEP (rsDataObjRepl.cpp@5.0.2 L875-907), so it ends."""
    core = textwrap.dedent('''
        def acPostProcForPut(rule_args, callback, rei):
            callback.msiDataObjRepl(str(rei.doi.objPath), "destRescName=r2", 0)
    ''')
    sb = Sandbox.create(tmp_path / "sb", zones=("zoneA",), core_py=core)
    sb.zone("zoneA").catalog.add_resource("r2")
    sb.client("alice#zoneA").iput(f"{HOME}/y", b"data")
    puts = [e for e in sb.events if e.name == "acPostProcForPut"]
    assert len(puts) == 2 and all(e.code == 0 for e in puts)
    assert len(sb.zone("zoneA").catalog.data_get(f"{HOME}/y")) == 2


def test_num_threads_fires_only_for_parallel_sizes(rsb):
    """objDesc.cpp@5.0.2 L370-385: up to 1 MiB with no thread count asked, getNumThreads returns
    before acSetNumThreads; upstream test_native_rule_engine_plugin.py test_rule_engine_2309
    (acSetNumThreads on a parallel put and get)."""
    from b2safe_sandbox import routes

    client = rsb.client("alice#zoneA")
    mark, logged = len(rsb.events), len(rsb.server_log["zoneA"])
    routes.iput(client, f"{HOME}/small", b"s")
    assert "acSetNumThreads" not in _names(rsb, mark)
    routes.iput_parallel(client, f"{HOME}/big", b"b" * 10, threads=4)
    assert "acSetNumThreads" in _names(rsb, mark)
    line = next(x for x in _rei_lines(rsb, logged) if x.startswith("REI acSetNumThreads"))
    assert line == f"REI acSetNumThreads doi=- doinp= cond={RESC_KEYS}"
