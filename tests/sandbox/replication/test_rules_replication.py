"""Replication across federated zones, registered or not, and recovery from every fault."""

from __future__ import annotations

import pytest

from b2safe import errors, faillog
from b2safe.profile import parse_replicas
from b2safe.sandbox.runtime.faults import AgentCrash

SRC = "/zoneA/home/alice/project"
DST = "/zoneB/replicas/project"


@pytest.fixture
def fed(world):
    """Replica areas in zoneB and zoneC, writable by the replicating users, inheriting ACLs."""
    b = world.client("rods#zoneB")
    b.imkdir("/zoneB/replicas", parents=True)
    for user in ("rods#zoneA", "alice#zoneA"):
        b.ichmod("own", user, "/zoneB/replicas")
    b.inherit("/zoneB/replicas", True)
    c = world.client("rods#zoneC")
    c.imkdir("/zoneC/replicas", parents=True)
    c.ichmod("own", "rods#zoneB", "/zoneC/replicas")
    c.inherit("/zoneC/replicas", True)
    return world


def make_tree(world, root=SRC, user="alice#zoneA", files=3, subdirs=("sub", "sub/deep")):
    client = world.client(user)
    client.imkdir(root, parents=True)
    paths = []
    for sub in ("", *subdirs):
        coll = f"{root}/{sub}".rstrip("/")
        client.imkdir(coll, parents=True)
        for i in range(files):
            path = f"{coll}/f{i}.dat"
            client.iput(path, f"{path} content".encode())
            paths.append(path)
    return paths


def replicate(world, src, dst, registered="true", recursive="true", resc=None,
              user="rods#zoneA", zone="zoneA"):
    args = [src, dst] + ([resc] if resc is not None else []) + [registered, recursive, ""]
    return world.call("EUDATReplication", *args, zone=zone, user=user)[-1]


def fail_log(world, zone="zoneA"):
    """Fail-log records of a zone, found the way operators find them: by GenQuery."""
    rows = world.client(f"rods#{zone}").iquest(
        "SELECT COLL_NAME, DATA_NAME, META_DATA_ATTR_VALUE WHERE "
        f"META_DATA_ATTR_NAME like '{faillog.AVU_PREFIX}%'")
    rows += world.client(f"rods#{zone}").iquest(
        "SELECT COLL_NAME, META_COLL_ATTR_VALUE WHERE "
        f"META_COLL_ATTR_NAME like '{faillog.AVU_PREFIX}%'")
    return rows


def all_rows(catalog, columns, conditions):
    """Every row of a GenQuery, page by page."""
    rows, offset = [], 0
    while True:
        result = catalog.genquery(columns, conditions, None, offset=offset)
        rows += result.rows
        if not result.has_more:
            return rows
        offset += len(result.rows)


def assert_consistent(world, src_root=SRC, dst_root=DST, src_zone="zoneA", dst_zone="zoneB"):
    """Every replica has exactly one PID, linked both ways, no duplicates anywhere."""
    src_cat = world.sb.zone(src_zone).catalog
    dst_cat = world.sb.zone(dst_zone).catalog
    rows = all_rows(src_cat, ["COLL_NAME", "DATA_NAME"],
                    f"COLL_NAME = '{src_root}' || like '{src_root}/%'")
    sources = [f"{c}/{n}" for c, n in rows] + [src_root] + [
        c for (c,) in all_rows(src_cat, ["COLL_NAME"], f"COLL_NAME like '{src_root}/%'")]
    child_pids = []
    for source in sources:
        target = dst_root + source[len(src_root):]
        src_avus = world.avus(source)
        dst_avus = world.avus(target)
        assert len(src_avus.get("PID", [])) == 1, source
        assert len(dst_avus.get("PID", [])) == 1, target
        parent, child = src_avus["PID"][0], dst_avus["PID"][0]
        child_pids.append(child.upper())
        record = world.record(child)
        assert record.parent == parent
        assert record.url.endswith(target.replace(" ", "%20"))
        parent_record = world.record(parent)
        replicas = [p.upper() for p in parent_record.replicas]
        assert replicas.count(child.upper()) == 1, (source, parent_record.replicas)
        assert len(replicas) == len(set(replicas))
        assert child.upper() in [p.upper() for p in parse_replicas(src_avus["EUDAT/REPLICA"][0])]
        assert dst_cat.coll_get(target) is not None or dst_cat.data_get(target)
    assert len(child_pids) == len(set(child_pids))
    assert sorted(h.upper() for h in world.handles(dst_zone)) == sorted(child_pids)
    assert fail_log(world, src_zone) == []


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


def test_rodsuser_registration_is_deferred_to_the_admin_retry(fed):
    make_tree(fed, files=3)
    response = replicate(fed, SRC, DST, user="alice#zoneA")
    assert response.endswith("::registered=true::recursive=true")
    records = fail_log(fed)
    assert len(records) == 1
    assert fed.handles("zoneB") == []  # no replica PID yet: registration needs a rodsadmin
    assert recover(fed, user="rods#zoneA") == "# of successes:1, # of failures:0"
    assert_consistent(fed)


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
