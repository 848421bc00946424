"""Replication across federated zones, registered or not, and recovery from every fault."""

from __future__ import annotations

import pytest
from b2safe_sandbox.runtime.faults import AgentCrash
from repl_helpers import DST, SRC, assert_consistent, fail_log, make_tree, replicate

from b2safe import errors
from b2safe.state import faillog

# --- registered replication ----------------------------------------------------------------------


def test_object_registered_replication(fed):
    path = make_tree(fed, files=1, subdirs=())[0]
    dst = "/zoneB/replicas/one.dat"
    response = replicate(fed, path, dst, registered="true", recursive="false")
    assert response == f"{path}::{dst}::null::registered=true::recursive=false"
    parent = fed.avus(path)["PID"][0]
    child = fed.avus(dst)["PID"][0]
    assert child.startswith("21.T90002/")  # minted by zoneB with zoneB's prefix
    record = fed.record(child)
    assert (record.parent, record.ror, record.fio) == (parent, parent, parent)
    assert record.fixed_content is False
    assert fed.record(parent).replicas == (child,)
    assert fed.avus(path)["EUDAT/REPLICA"] == [child]
    assert fed.avus(dst)["EUDAT/PARENT"] == [parent]
    assert fail_log(fed) == []


def test_collection_registered_replication_with_500_objects(fed):
    make_tree(fed, files=130, subdirs=("a", "a/b", "c"))
    replicate(fed, SRC, DST)
    assert len(fed.handles("zoneB")) == 130 * 4 + 4
    assert_consistent(fed)


def test_ror_fio_and_fixed_content_come_from_the_source(fed):
    path = make_tree(fed, files=1, subdirs=())[0]
    source_pid = fed.call("EUDATCreatePID", "None", path, "21.T90003/ROOT", "21.T90003/FIRST",
                          "true", "")[5]
    replicate(fed, path, "/zoneB/replicas/x.dat", recursive="false")
    child = fed.record(fed.avus("/zoneB/replicas/x.dat")["PID"][0])
    assert (child.parent, child.ror, child.fio) == (source_pid, "21.T90003/ROOT",
                                                    "21.T90003/FIRST")
    assert child.fixed_content is True


def test_chain_a_b_c(fed):
    path = make_tree(fed, files=1, subdirs=())[0]
    b_path, c_path = "/zoneB/replicas/chain.dat", "/zoneC/replicas/chain.dat"
    replicate(fed, path, b_path, recursive="false")
    replicate(fed, b_path, c_path, recursive="false", user="rods#zoneB", zone="zoneB")
    a_pid = fed.avus(path)["PID"][0]
    b_pid = fed.avus(b_path)["PID"][0]
    c_pid = fed.avus(c_path)["PID"][0]
    assert c_pid.startswith("21.T90003/")
    c_record = fed.record(c_pid)
    assert c_record.parent == b_pid
    assert c_record.ror == a_pid and c_record.fio == a_pid
    assert fed.record(a_pid).replicas == (b_pid,)
    assert fed.record(b_pid).replicas == (c_pid,)


def test_rerun_is_idempotent(fed):
    make_tree(fed, files=5)
    replicate(fed, SRC, DST)
    servers = [fed.sb.handle_server(z) for z in ("zoneA", "zoneB")]
    puts = [s.stats.snapshot().get("PUT", 0) for s in servers]
    fed.sb.reset_stats()
    replicate(fed, SRC, DST)
    # nothing created, nothing appended: no PUT on either Handle server
    assert [s.stats.snapshot().get("PUT", 0) for s in servers] == puts
    stats = fed.sb.stats()
    assert stats["zoneB"]["msi"].get("msiDataObjCreate", 0) == 0
    assert_consistent(fed)


def test_registered_tree_costs_listings_not_stats_per_object(fed):
    """Verification and the replicas' registration read listings: no msiObjStat per object,
    no msiCheckAccess per replica (the destination's ACL rows per page), one atomic metadata
    call per PID and per parent mirror; the child PIDs are read for the page's names only."""
    paths = make_tree(fed, files=8)  # 24 objects in 3 collections
    fed.call("EUDATPidsForColl", SRC, "false", "")  # the sources' PIDs exist, as in the bench
    fed.sb.reset_stats()
    replicate(fed, SRC, DST)
    stats = fed.sb.stats()
    msi = {zone: stats[zone]["msi"] for zone in ("zoneA", "zoneB")}
    items = len(paths) + 3
    assert msi["zoneA"].get("msiObjStat", 0) + msi["zoneB"].get("msiObjStat", 0) <= 8
    assert msi["zoneB"].get("msiCheckAccess", 0) == 0
    assert msi["zoneB"]["msi_atomic_apply_metadata_operations"] == items  # replica PIDs
    # the sources' EUDAT/REPLICA mirrors, the in-progress fail-log record and its removal
    assert msi["zoneA"]["msi_atomic_apply_metadata_operations"] == items + 2
    # The sources' PID, mirrors and EUDAT/REPLICA are read once per kind for the page (not
    # again for the record's fields and for the mirrors: 22 queries then); the rest is the
    # listings, the verification's and the child PIDs' reads, the fail log and the retry rule.
    assert msi["zoneA"]["msiExecGenQuery"] <= 18
    for name in ("msiModAVUMetadata", "msiSetKeyValuePairsToObj"):
        assert msi["zoneA"].get(name, 0) + msi["zoneB"].get(name, 0) == 0, name
    assert_consistent(fed)


def test_registered_tree_reads_acls_and_replicas_per_page_not_per_object(fed):
    """The destination's authorization of the caller (her ACL rows, one listing per page, no
    msiCheckAccess per replica) and the verification of the copies (their replicas from the
    tree's listing, no replica query per object; one msiDataObjChksum verification per good
    replica) cost the same number of queries for 2 and 10 objects per collection."""
    def cost(root, files):
        make_tree(fed, root=root, user="rods#zoneA", files=files)
        fed.call("EUDATPidsForColl", root, "false", "", user="rods#zoneA")
        fed.sb.reset_stats()
        replicate(fed, root, root.replace("/zoneA/home/rods", "/zoneB/replicas"))
        stats = fed.sb.stats()
        return {zone: stats[zone]["msi"] for zone in ("zoneA", "zoneB")}

    fed.client("rods#zoneB").ichmod("own", "rods#zoneA", "/zoneB/replicas")
    fed.client("rods#zoneB").inherit("/zoneB/replicas", True)
    small, large = cost("/zoneA/home/rods/small", 2), cost("/zoneA/home/rods/large", 10)
    for zone in ("zoneA", "zoneB"):
        assert small[zone].get("msiCheckAccess", 0) == large[zone].get("msiCheckAccess", 0) == 0
        assert small[zone].get("msiExecGenQuery", 0) == large[zone].get("msiExecGenQuery", 0)
    assert (small["zoneA"]["msiDataObjChksum"], large["zoneA"]["msiDataObjChksum"]) == (6, 30)


def test_destination_resource_is_honoured(fed):
    fed.client("rods#zoneB").sb if False else None
    zone_b = fed.sb.zone("zoneB").catalog
    zone_b.add_resource("archiveResc")
    path = make_tree(fed, files=1, subdirs=())[0]
    replicate(fed, path, "/zoneB/replicas/r.dat", resc="archiveResc", recursive="false")
    assert zone_b.data_get("/zoneB/replicas/r.dat")[0].resc_name == "archiveResc"


# --- unregistered replication --------------------------------------------------------------------


def test_unregistered_object_and_collection(fed):
    paths = make_tree(fed, files=2)
    response = replicate(fed, SRC, DST, registered="false", recursive="true")
    assert response == f"{SRC}::{DST}::null::registered=false::recursive=true"
    for path in paths:
        target = DST + path[len(SRC):]
        assert fed.client("rods#zoneB").iget(target) == f"{path} content".encode()
    assert fed.handles("zoneA") == [] and fed.handles("zoneB") == []
    response = replicate(fed, paths[0], "/zoneB/replicas/single.dat", registered="false",
                         recursive="false")
    assert response.endswith("::registered=false::recursive=false")


def test_corrupted_transfer_is_detected_and_kept_for_retry(fed):
    path = make_tree(fed, files=1, subdirs=())[0]
    fed.sb.faults.corrupt_next_transfer("zoneB")
    err = fed.fails("EUDATReplication", path, "/zoneB/replicas/bad.dat", "false", "false", "",
                    user="rods#zoneA")
    assert err.code == errors.USER_CHKSUM_MISMATCH
    assert "stored bytes" in err.text
    assert len(fail_log(fed)) == 1
    # the copy's catalog checksum now describes its real bytes, so the retry's rsync sees the
    # difference, copies again and verifies
    assert recover(fed) == "# of successes:1, # of failures:0"
    assert fed.client("rods#zoneB").iget("/zoneB/replicas/bad.dat") == f"{path} content".encode()
    assert fail_log(fed) == []


def test_a_corrupted_copy_in_a_tree_is_found_from_the_listing(fed):
    """The tree's verification takes each copy's good replicas from one listing and verifies
    their stored bytes (msiCollRsync registers the source's checksum on the copy unverified:
    irods/irods server/api/src/rsDataObjRsync.cpp rsRsyncDataToData, REG_CHKSUM_KW)."""
    make_tree(fed, files=2)
    fed.sb.faults.corrupt_next_transfer("zoneB")
    err = fed.fails("EUDATReplication", SRC, DST, "false", "true", "", user="rods#zoneA")
    assert err.code == errors.USER_CHKSUM_MISMATCH
    assert "(stored bytes of the copy)" in err.text
    assert len(fail_log(fed)) == 1
    assert recover(fed) == "# of successes:1, # of failures:0"
    assert fail_log(fed) == []


# --- authorization and bad input -----------------------------------------------------------------


def test_non_owner_is_denied_and_nothing_is_copied(fed):
    make_tree(fed, files=1, subdirs=())
    fed.client("alice#zoneA").ichmod("read", "bob#zoneA", SRC) if False else None
    err = fed.fails("EUDATReplication", SRC, DST, "true", "true", "", user="alice#zoneB")
    assert err.code in (errors.CAT_NO_ACCESS_PERMISSION, errors.SYS_INVALID_ZONE_NAME,
                        errors.USER_FILE_DOES_NOT_EXIST)
    assert fed.sb.zone("zoneB").catalog.coll_get(DST) is None
    assert fed.handles("zoneA") == []


def test_collection_with_foreign_objects_is_denied(fed):
    make_tree(fed, files=1, subdirs=())
    fed.client("rods#zoneA").iput(f"{SRC}/rods-owned.dat", b"x")
    fed.client("rods#zoneA").ichmod("read", "alice#zoneA", f"{SRC}/rods-owned.dat")
    err = fed.fails("EUDATReplication", SRC, DST, "false", "true", "", user="alice#zoneA")
    assert err.code == errors.CAT_NO_ACCESS_PERMISSION
    assert "no access permission to the path" in err.text
    assert fed.sb.zone("zoneB").catalog.coll_get(DST) is None


def test_authorization_map_denies(fed):
    make_tree(fed, files=1, subdirs=())
    map_file = fed.sb.zone("zoneA").config_dir / "authz.map.json"
    map_file.write_text('{"only-rods": {"subject": ["rods#zoneA"], "action": ["*"], '
                        '"target": ["*"]}}')
    fed.configure("zoneA", authorization={"enabled": True, "map_file": str(map_file)})
    err = fed.fails("EUDATReplication", SRC, DST, "false", "true", "", user="alice#zoneA")
    assert err.code == errors.CAT_NO_ACCESS_PERMISSION
    assert "authorization map" in err.text
    assert fed.sb.zone("zoneB").catalog.coll_get(DST) is None
    replicate(fed, SRC, DST, registered="false")  # rods is allowed


@pytest.mark.parametrize(
    "source,destination,code",
    [
        (SRC, "/unknownZone/x", errors.SYS_INVALID_ZONE_NAME),
        ("/zoneA/home/alice/missing", DST, errors.USER_FILE_DOES_NOT_EXIST),
        (SRC, SRC + "/inside", errors.SYS_INVALID_INPUT_PARAM),
        ("relative", DST, errors.USER_INPUT_PATH_ERR),
        (SRC, "/zoneB/replicas/", errors.USER_INPUT_PATH_ERR),
        (SRC, "/zoneB/replicas/file.dat", errors.SYS_INVALID_INPUT_PARAM),
    ],
)
def test_bad_input_copies_nothing(fed, source, destination, code):
    make_tree(fed, files=1, subdirs=())
    fed.client("rods#zoneB").iput("/zoneB/replicas/file.dat", b"a file, not a collection")
    before = fed.sb.zone("zoneB").catalog.genquery(["DATA_ID"], "", None).rows
    err = fed.fails("EUDATReplication", source, destination, "true", "true", "",
                    user="rods#zoneA")
    assert err.code == code
    assert fed.sb.zone("zoneB").catalog.genquery(["DATA_ID"], "", None).rows == before
    assert fed.handles("zoneA") == [] and fed.handles("zoneB") == []
    assert fail_log(fed) == []


# --- faults and recovery -------------------------------------------------------------------------


def recover(world, user="rods#zoneA"):
    world.sb.clock.advance(3 * 3600)
    return world.call("EUDATTransferUsingFailLog", "100", "", user=user)[1]


def test_handle_server_500_window_during_collection_replication(fed):
    make_tree(fed, files=40)
    fed.sb.handle_server("zoneB").faults.fail_next(60, 500)
    err = fed.fails("EUDATReplication", SRC, DST, "true", "true", "", user="rods#zoneA")
    assert err.code != 0
    # the 4.x failure response, rendered at the rule edge (ruleset/responses.py)
    assert f"EUDATReplication: {SRC}::{DST}::false::PID of destination {DST} is None," in err.text
    records = fail_log(fed)
    assert len(records) == 1 and records[0][-1].startswith(f"{SRC}::{DST}::false::")
    assert recover(fed) == "# of successes:1, # of failures:0"
    assert_consistent(fed)


def test_handle_server_unreachable(fed):
    make_tree(fed, files=5)
    fed.sb.handle_server("zoneA").faults.drop_next(200)
    err = fed.fails("EUDATReplication", SRC, DST, "true", "true", "", user="rods#zoneA")
    assert err.code == errors.SYS_SOCK_CONNECT_ERR
    fed.sb.handle_server("zoneA").faults.drop_next(0) if False else None
    server = fed.sb.handle_server("zoneA")
    server.faults.clear() if hasattr(server.faults, "clear") else None
    assert recover(fed) == "# of successes:1, # of failures:0"
    assert_consistent(fed)


def test_destination_zone_unreachable_mid_run(fed):
    make_tree(fed, files=5)
    # the copy succeeds; the remote registration cannot reach zoneB
    fed.sb.faults.fail_next("zoneA", "py_remote", errors.SYS_SOCK_CONNECT_ERR, count=1)
    err = fed.fails("EUDATReplication", SRC, DST, "true", "true", "", user="rods#zoneA")
    assert err.code != 0
    assert fed.sb.zone("zoneB").catalog.coll_get(DST) is not None  # data arrived
    assert len(fail_log(fed)) == 1
    assert recover(fed) == "# of successes:1, # of failures:0"
    assert_consistent(fed)


def test_whole_destination_zone_unreachable(fed):
    make_tree(fed, files=2)
    fed.sb.faults.set_unreachable("zoneB", True)
    err = fed.fails("EUDATReplication", SRC, DST, "true", "true", "", user="rods#zoneA")
    assert err.code == errors.SYS_SOCK_CONNECT_ERR
    fed.sb.faults.set_unreachable("zoneB", False)
    assert recover(fed) == "# of successes:1, # of failures:0"
    assert_consistent(fed)


def test_crash_after_copy_before_registration(fed):
    make_tree(fed, files=5)
    fed.sb.faults.crash_next("zoneA", "py_remote")
    with pytest.raises(AgentCrash):
        fed.sb.exec_rule("zoneA", "EUDATReplication", [SRC, DST, "true", "true", ""],
                         "rods#zoneA")
    records = fail_log(fed)
    assert len(records) == 1 and faillog.IN_PROGRESS in records[0][-1]
    assert fed.sb.zone("zoneB").catalog.coll_get(DST) is not None
    # the periodic retry rule (delay queue) finishes the work
    fed.call("EUDATUpdateLogging", "false", SRC, DST, "agent died", user="rods#zoneA")
    results = fed.sb.run_delayed(advance=3 * 3600)
    assert any(r.succeeded for r in results)
    assert_consistent(fed)


def test_rodsuser_registration_completes_at_once(fed):
    # The replica PIDs are created in zoneB by remoteExec + EUDATCreatePID (rule language),
    # which needs no rodsadmin: no fail-log record, no admin retry.
    make_tree(fed, files=3)
    response = replicate(fed, SRC, DST, user="alice#zoneA")
    assert response.endswith("::registered=true::recursive=true")
    assert fail_log(fed) == []
    assert len(fed.handles("zoneB")) == 12  # 9 objects and 3 collections
    assert_consistent(fed)
    assert fed.sb.zone("zoneA").catalog.delay_list() == []


def test_update_logging_records_a_failure(fed):
    path = make_tree(fed, files=1, subdirs=())[0]
    fed.call("EUDATUpdateLogging", "false", path, "/zoneB/replicas/y.dat", "network down",
             user="rods#zoneA")
    assert fail_log(fed)[0][-1] == f"{path}::/zoneB/replicas/y.dat::false::network down"
    fed.call("EUDATUpdateLogging", "true", path, "/zoneB/replicas/y.dat", "", user="rods#zoneA")
    assert recover(fed) == "# of successes:1, # of failures:0"


def test_pid_registration_rule(fed):
    path = make_tree(fed, files=1, subdirs=())[0]
    replicate(fed, path, "/zoneB/replicas/z.dat", registered="false", recursive="false")
    out = fed.call("EUDATPIDRegistration", path, "/zoneB/replicas/z.dat", "0", "",
                   user="rods#zoneA")[3]
    assert out == "None"
    child = fed.avus("/zoneB/replicas/z.dat")["PID"][0]
    assert fed.record(fed.avus(path)["PID"][0]).replicas == (child,)
    # again: no duplicate child
    fed.call("EUDATPIDRegistration", path, "/zoneB/replicas/z.dat", "0", "", user="rods#zoneA")
    assert fed.record(fed.avus(path)["PID"][0]).replicas == (child,)


def test_fail_log_retry_repairs_replicas_found_bad_by_integrity_checks(fed):
    path = make_tree(fed, files=1, subdirs=())[0]
    dst = "/zoneB/replicas/checked.dat"
    replicate(fed, path, dst, recursive="false")
    fed.client("rods#zoneB").iput(dst, b"tampered with", force=True)
    out = fed.call("EUDATCheckIntegrityDO", path, dst, "true", "", "", user="rods#zoneA")
    assert out[4] == "false" and "disagreeing witness: replica" in out[3]
    assert fed.avus(path).get("eudat_pending:integrity")
    fed.sb.clock.advance(60)
    stats = fed.call("EUDATTransferUsingFailLog", "10", "", user="rods#zoneA")[1]
    assert stats == "# of successes:1, # of failures:0"
    assert fed.client("rods#zoneB").iget(dst) == f"{path} content".encode()
    assert "eudat_pending:integrity" not in fed.avus(path)
    out = fed.call("EUDATCheckIntegrityDO", path, dst, "true", "", "", user="rods#zoneA")
    assert out[4] == "true"
