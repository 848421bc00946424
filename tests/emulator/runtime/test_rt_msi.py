"""Microservices: success paths and their documented error codes."""

from __future__ import annotations

import sqlite3

import pytest
from b2safe_sandbox.runtime import irods_types as T
from rt_helpers import code_of

HOME = "/zoneA/home/alice"


@pytest.fixture
def cb(sb):
    sb.client("alice#zoneA").iput(f"{HOME}/a.txt", b"hello world")
    return sb.callback("zoneA", "alice#zoneA")


def err(fn, *args):
    with pytest.raises(RuntimeError) as info:
        fn(*args)
    return code_of(info.value)


def test_create_write_close_open_read(sb, cb):
    ret = cb.msiDataObjCreate(f"{HOME}/n.txt", "null", 0)
    fd = ret["arguments"][2]
    assert isinstance(fd, int) and fd > 0
    assert cb.msiDataObjWrite(fd, "abc", 0)["arguments"][2] == 3
    cb.msiDataObjClose(fd, 0)
    fd = cb.msiDataObjOpen(f"objPath={HOME}/n.txt", 0)["arguments"][1]
    buf = cb.msiDataObjRead(fd, 10, T.BytesBuf())["arguments"][2]
    assert bytes(buf.get_bytes()) == b"abc"
    cb.msiDataObjClose(fd, 0)
    assert err(cb.msiDataObjCreate, f"{HOME}/n.txt", "null", 0) == -312000


def test_copy_and_overwrite(sb, cb):
    cb.msiDataObjCopy(f"{HOME}/a.txt", f"{HOME}/b.txt", "null", 0)
    assert sb.zone("zoneA").catalog.data_read(f"{HOME}/b.txt") == b"hello world"
    assert err(cb.msiDataObjCopy, f"{HOME}/a.txt", f"{HOME}/b.txt", "", 0) == -312000
    cb.msiDataObjCopy(f"{HOME}/a.txt", f"{HOME}/b.txt", "forceFlag=", 0)


def test_rsync_modes_and_status(sb, cb):
    ret = cb.msiDataObjRsync(f"{HOME}/a.txt", "IRODS_TO_IRODS", "null", f"{HOME}/r.txt", 0)
    assert ret["arguments"][4] == 99999992
    ret = cb.msiDataObjRsync(f"{HOME}/a.txt", "IRODS_TO_IRODS", "null", f"{HOME}/r.txt", 0)
    assert ret["arguments"][4] == 0
    cat = sb.zone("zoneA").catalog
    assert cat.data_get(f"{HOME}/r.txt")[0].checksum == cat.data_get(f"{HOME}/a.txt")[0].checksum
    ret = cb.msiDataObjRsync(f"{HOME}/a.txt", "IRODS_TO_COLLECTION", "null", f"{HOME}/top", 0)
    assert ret["arguments"][4] == 99999992
    assert cat.data_exists(f"{HOME}/top/home/alice/a.txt")
    assert err(cb.msiDataObjRsync, f"{HOME}/a.txt", "LOCAL_TO_IRODS", "null", "/x", 0) == -356000
    assert err(cb.msiDataObjRsync, f"{HOME}/a.txt", "null", "null", "/x", 0) == -337000


def test_coll_rsync(sb, cb):
    cb.msiCollCreate(f"{HOME}/src/sub", "1", 0)
    sb.client("alice#zoneA").iput(f"{HOME}/src/sub/f", b"x")
    ret = cb.msiCollRsync(f"{HOME}/src", f"{HOME}/dst", "null", "IRODS_TO_IRODS", 0)
    assert ret["arguments"][4] == 99999992
    assert sb.zone("zoneA").catalog.data_read(f"{HOME}/dst/sub/f") == b"x"


def test_repl_and_options(sb, cb):
    cat = sb.zone("zoneA").catalog
    cat.add_resource("replResc")
    cb.msiDataObjRepl(f"{HOME}/a.txt", "destRescName=replResc++++numThreads=1", 0)
    assert {r.resc_name for r in cat.data_get(f"{HOME}/a.txt")} == {"demoResc", "replResc"}
    assert err(cb.msiDataObjRepl, f"{HOME}/a.txt",
               "destRescName=replResc++++verifyChksum=++++forceChksum=", 0) == -402000
    ret = cb.msiDataObjRepl(f"{HOME}/missing", "replResc", 0)
    assert ret["status"] is False and ret["code"] == -808000


def test_chksum(sb, cb):
    value = cb.msiDataObjChksum(f"{HOME}/a.txt", "", "")["arguments"][2]
    assert value.startswith("sha2:")
    assert cb.msiDataObjChksum(f"{HOME}/a.txt", "forceChksum=", "")["arguments"][2] == value
    assert err(cb.msiDataObjChksum, f"{HOME}/a.txt", "forceChksum=++++verifyChksum=", "") \
        == -402000
    sb.faults.corrupt(f"{HOME}/a.txt", 0, "flip")
    assert err(cb.msiDataObjChksum, f"{HOME}/a.txt", "verifyChksum=", "") == -407000


def test_chksum_no_good_replica(sb, cb):
    cat = sb.zone("zoneA").catalog
    cat.data_set_status(f"{HOME}/a.txt", 0, 0)
    assert err(cb.msiDataObjChksum, f"{HOME}/a.txt", "", "") == -166000


def test_unlink_rename_trash(sb, cb):
    cat = sb.zone("zoneA").catalog
    cb.msiDataObjRename(f"{HOME}/a.txt", f"{HOME}/c.txt", 0, 0)
    assert cat.data_exists(f"{HOME}/c.txt") and not cat.data_exists(f"{HOME}/a.txt")
    cb.msiDataObjUnlink(f"objPath={HOME}/c.txt", 0)
    assert not cat.data_exists(f"{HOME}/c.txt")
    assert cat.data_exists("/zoneA/trash/home/alice/c.txt")
    sb.client("alice#zoneA").iput(f"{HOME}/d.txt", b"d")
    cb.msiDataObjUnlink(f"objPath={HOME}/d.txt++++forceFlag=", 0)
    assert not cat.data_exists("/zoneA/trash/home/alice/d.txt")
    assert err(cb.msiDataObjUnlink, f"{HOME}/nothing", 0) == -310000


def test_colls(sb, cb):
    cat = sb.zone("zoneA").catalog
    cb.msiCollCreate(f"{HOME}/x/y", "1", 0)
    assert cat.coll_get(f"{HOME}/x/y") is not None
    assert err(cb.msiCollCreate, f"{HOME}/x", "0", 0) == -809000
    cb.msiCollCreate(f"{HOME}/x", "1", 0)
    cb.msiRmColl(f"{HOME}/x", "forceFlag=", 0)
    assert cat.coll_get(f"{HOME}/x") is None


def test_obj_stat_and_type(sb, cb):
    stat = cb.msiObjStat(f"{HOME}/a.txt", T.RodsObjStat())["arguments"][1]
    assert int(stat.objType) == 1 and stat.objSize == 11
    stat = cb.msiObjStat(HOME, T.RodsObjStat())["arguments"][1]
    assert int(stat.objType) == 2
    assert err(cb.msiObjStat, f"{HOME}/none", T.RodsObjStat()) == -310000
    assert cb.msiGetObjType(f"{HOME}/a.txt", "")["arguments"][1] == "-d"
    assert cb.msiGetObjType(HOME, "")["arguments"][1] == "-c"
    assert cb.msiGetObjType("demoResc", "")["arguments"][1] == "-r"
    assert cb.msiGetObjType("alice", "")["arguments"][1] == "-u"
    assert err(cb.msiGetObjType, "nothing-here", "") == -1105000


def test_avu_and_kvp(sb, cb):
    cat = sb.zone("zoneA").catalog
    path = f"{HOME}/a.txt"
    cb.msiModAVUMetadata("-d", path, "add", "A", "1", "")
    assert err(cb.msiModAVUMetadata, "-d", path, "bogus", "A", "1", "") == -130000
    cb.msiModAVUMetadata("-d", path, "set", "A", "2", "")
    assert [(a.name, a.value) for a in cat.avu_list("-d", path)] == [("A", "2")]
    kvp = cb.msiString2KeyValPair("K1=v1%K2=a=b", T.KeyValPair())["arguments"][1]
    assert kvp["K2"] == "a=b" and kvp.len == 2
    kvp = cb.msiAddKeyVal(kvp, "K3", "v3")["arguments"][0]
    assert cb.msiGetValByKey(kvp, "K3", "")["arguments"][2] == "v3"
    assert err(cb.msiGetValByKey, kvp, "nope", "") == -313000
    cb.msiAssociateKeyValuePairsToObj(kvp, path, "-d")
    names = {a.name for a in cat.avu_list("-d", path)}
    assert {"K1", "K2", "K3"} <= names
    cb.msiSetKeyValuePairsToObj(T._make_kvp({"K1": "new"}), path, "-d")
    assert [a.value for a in cat.avu_list("-d", path) if a.name == "K1"] == ["new"]
    cb.msiRemoveKeyValuePairsFromObj(T._make_kvp({"K1": "new"}), path, "-d")
    assert "K1" not in {a.name for a in cat.avu_list("-d", path)}


def test_genquery_paging_and_no_rows(sb, cb):
    cat = sb.zone("zoneA").catalog
    with cat.batch():
        for i in range(300):
            cat.data_put(f"{HOME}/f{i:03d}", b"x", "alice#zoneA")
    gqi = cb.msiMakeGenQuery("DATA_NAME", f"COLL_NAME = '{HOME}'", T.GenQueryInp())[
        "arguments"][2]
    gqo = cb.msiExecGenQuery(gqi, T.GenQueryOut())["arguments"][1]
    names = [gqo.sqlResult[0].row(r) for r in range(gqo.rowCnt)]
    assert gqo.rowCnt == 256 and gqo.continueInx > 0
    ret = cb.msiGetMoreRows(gqi, gqo, 0)
    gqo2 = ret["arguments"][1]
    names += [gqo2.sqlResult[0].row(r) for r in range(gqo2.rowCnt)]
    assert len(names) == 301 and ret["arguments"][2] == 0
    cb.msiCloseGenQuery(gqi, gqo2)
    gqi = cb.msiMakeGenQuery("DATA_NAME", "DATA_NAME = 'nothing'", T.GenQueryInp())[
        "arguments"][2]
    ret = cb.msiExecGenQuery(gqi, T.GenQueryOut())
    assert ret["status"] is True and ret["arguments"][1].rowCnt == 0
    gqo = cb.msiExecStrCondQuery(f"SELECT COUNT(DATA_ID) WHERE COLL_NAME = '{HOME}'",
                                 T.GenQueryOut())["arguments"][1]
    assert gqo.sqlResult[0].row(0) == "301"
    assert sb.stats()["zoneA"]["genquery_round_trips"] >= 4


def test_access_and_acl(sb, cb):
    path = f"{HOME}/a.txt"
    assert cb.msiCheckAccess(path, "own", 0)["arguments"][2] == 1
    rods = sb.callback("zoneA", "rods#zoneA")
    # checkPermissionByObjType reads ACL rows for the user and its groups only: a rodsadmin
    # without an ACL gets 0 (irods server/core/src/objMetaOpr.cpp@5.0.2 L603-700). The
    # sandbox's site setup granted the service account write (docs/installation.md): drop it.
    cb.msiSetACL("default", "null", "rods", path)
    assert rods.msiCheckAccess(path, "read_object", 0)["arguments"][2] == 0
    sb.zone("zoneA").catalog.add_user("bob", "zoneA", "rodsuser")
    bobcb = sb.callback("zoneA", "bob#zoneA")
    assert bobcb.msiCheckAccess(path, "read_object", 0)["arguments"][2] == 0
    cb.msiSetACL("default", "read", "bob", path)
    assert bobcb.msiCheckAccess(path, "read_object", 0)["arguments"][2] == 1
    # ACL admin mode 'admin:<level>' (icatGeneralMS.cpp@5.0.2 L405-408): rodsadmin only.
    assert err(rods.msiSetACL, "default", "read", "rods", path) == -818000
    assert err(bobcb.msiSetACL, "default", "admin:own", "bob", path) == -830000
    rods.msiSetACL("default", "admin:read", "rods", path)
    assert rods.msiCheckAccess(path, "read_object", 0)["arguments"][2] == 1


def test_msi_check_access_counts_groups_for_local_users_only(sb, cb):
    # checkPermissionByObjType (objMetaOpr.cpp@5.0.2 L603-700) looks each group up with
    # getUserId(group, the user's zone): groups, 'public' among them, are this zone's, so a
    # user of another zone gets only her own entries.
    path = f"{HOME}/a.txt"
    cat = sb.zone("zoneA").catalog
    cat.add_user("bob", "zoneA", "rodsuser")
    cat.add_user("carol", "zoneB", "rodsuser")
    cb.msiSetACL("default", "read", "public", path)
    bob, carol = sb.callback("zoneA", "bob#zoneA"), sb.callback("zoneA", "carol#zoneB")
    assert bob.msiCheckAccess(path, "read_object", 0)["arguments"][2] == 1
    assert carol.msiCheckAccess(path, "read_object", 0)["arguments"][2] == 0
    cb.msiSetACL("default", "read", "carol#zoneB", path)
    assert carol.msiCheckAccess(path, "read_object", 0)["arguments"][2] == 1


def test_a_rodsadmin_needs_the_admin_keyword_on_other_users_objects(sb, cb):
    path = f"{HOME}/a.txt"
    rods = sb.callback("zoneA", "rods#zoneA")
    cb.msiSetACL("default", "null", "rods", path)  # undo the site setup's grant
    # getDataObjInfo checks the ACL of every client unless ADMIN_KW (checkCondInputAccess,
    # plugins/database/src/general_query.cpp@5.0.2 L2090); a repl/chksum of an unreadable
    # object is refused with CAT_NO_ACCESS_PERMISSION.
    assert err(rods.msiDataObjChksum, path, "", "") == -818000
    assert rods.msiDataObjChksum(path, "irodsAdmin=", "")["arguments"][2].startswith("sha2:")
    sb.zone("zoneA").catalog.add_user("bob", "zoneA", "rodsuser")
    bob = sb.callback("zoneA", "bob#zoneA")
    # ADMIN_KW from a non-admin: rsDataObjChksum.cpp@5.0.2 L267-271.
    assert err(bob.msiDataObjChksum, path, "irodsAdmin=", "") == -830000
    assert err(rods.msiModAVUMetadata, "-d", path, "add", "a", "v", "") == -818000


def test_units_over_250_characters_are_refused_on_every_route(sb, cb):
    """R_META_MAIN.meta_attr_unit is varchar(250) (irods plugins/database/src/
    icatSysTables.sql.pp.in@5.0.2 L81): imeta and msiModAVUMetadata add/set fail with
    CAT_SQL_ERR (the failed insert: Metadata._check_avu) and store nothing; 250 are stored."""
    from b2safe_sandbox.errors import SandboxError

    cat = sb.zone("zoneA").catalog
    path = f"{HOME}/a.txt"
    for op in ("add", "set"):
        assert err(cb.msiModAVUMetadata, "-d", path, op, "A", "1", "u" * 251) == -806000
        with pytest.raises(SandboxError) as info:
            sb.client("alice#zoneA").imeta(op, "-d", path, "B", "1", "u" * 251)
        assert info.value.code == -806000
    assert cat.avu_list("-d", path) == []
    cb.msiModAVUMetadata("-d", path, "set", "A", "1", "u" * 250)
    sb.client("alice#zoneA").imeta("add", "-d", path, "B", "1", "u" * 250)
    assert [a.units for a in cat.avu_list("-d", path)] == ["u" * 250] * 2


def test_atomic_metadata_operations_with_admin_mode(sb, cb):
    import json

    path = f"{HOME}/a.txt"
    rods = sb.callback("zoneA", "rods#zoneA")
    cb.msiSetACL("default", "null", "rods", path)  # undo the site setup's grant
    ops = [{"operation": "add", "attribute": "A", "value": "1"},
           {"operation": "add", "attribute": "A", "value": "1"}]  # an attached AVU: no-op
    plain = json.dumps({"entity_name": path, "entity_type": "data_object", "operations": ops})
    admin = json.dumps({"entity_name": path, "entity_type": "data_object", "admin_mode": True,
                        "operations": ops})
    # atomic_apply_metadata_operations.cpp@5.0.2 L515-531
    assert err(rods.msi_atomic_apply_metadata_operations, plain, "") == -818000
    assert rods.msi_atomic_apply_metadata_operations(admin, "")["arguments"][1] == "{}"
    sb.zone("zoneA").catalog.add_user("bob", "zoneA", "rodsuser")
    bob = sb.callback("zoneA", "bob#zoneA")
    # The entity lookup is a GenQuery as the client (L490-503), before the admin check.
    assert err(bob.msi_atomic_apply_metadata_operations, admin, "") == -130000
    sb.client("bob#zoneA").iput("/zoneA/home/bob/b.txt", b"b")
    own = admin.replace(path, "/zoneA/home/bob/b.txt")
    assert err(bob.msi_atomic_apply_metadata_operations, own, "") == -830000
    assert [(r.name, r.value) for r in sb.zone("zoneA").catalog.avu_list("-d", path)] == \
        [("A", "1")]
    bad = json.dumps({"entity_name": path, "entity_type": "data_object", "admin_mode": True,
                      "operations": [{"operation": "remove", "attribute": "A", "value": "1"},
                                     {"operation": "set", "attribute": "B", "value": "2"}]})
    assert err(rods.msi_atomic_apply_metadata_operations, bad, "") == -1811000
    assert len(sb.zone("zoneA").catalog.avu_list("-d", path)) == 1  # rolled back
    assert err(rods.msi_atomic_apply_metadata_operations, "{", "") == -1084000


def _atomic(entity: str, entity_type: str, *ops: tuple[str, str, str]) -> str:
    import json

    return json.dumps({"entity_name": entity, "entity_type": entity_type, "operations": [
        {"operation": op, "attribute": a, "value": v} for op, a, v in ops]})


def test_atomic_metadata_operations_rights_and_entities(sb, cb):
    """The entity lookup and the permission come from one lookup and one ACL query; every
    answer stays the server's (atomic_apply_metadata_operations.cpp@5.0.2 L490-531)."""
    path = f"{HOME}/a.txt"
    cat = sb.zone("zoneA").catalog
    cat.add_user("bob", "zoneA", "rodsuser")
    bob = sb.callback("zoneA", "bob#zoneA")
    add = _atomic(path, "data_object", ("add", "B", "1"))
    assert err(bob.msi_atomic_apply_metadata_operations, add, "") == -130000  # not visible
    cb.msiSetACL("default", "read", "bob#zoneA", path)
    assert err(bob.msi_atomic_apply_metadata_operations, add, "") == -818000  # read only
    cb.msiSetACL("default", "write", "bob#zoneA", path)
    assert bob.msi_atomic_apply_metadata_operations(add, "")["arguments"][1] == "{}"
    # A collection: an attached AVU's add and a missing one's remove do nothing.
    ops = _atomic(HOME, "collection", ("add", "C", "1"), ("add", "C", "1"), ("remove", "C", "2"))
    cb.msi_atomic_apply_metadata_operations(ops, "")
    assert [(r.name, r.value) for r in cat.avu_list("-C", HOME)] == [("C", "1")]
    remove = _atomic(HOME, "collection", ("remove", "C", "1"))
    cb.msi_atomic_apply_metadata_operations(remove, "")
    assert cat.avu_list("-C", HOME) == []
    assert err(bob.msi_atomic_apply_metadata_operations, ops, "") == -130000  # bob's view
    assert err(cb.msi_atomic_apply_metadata_operations,
               _atomic(f"{HOME}/none", "collection", ("add", "C", "1")), "") == -130000
    # A non-admin on a resource: user_has_permission_to_modify_entity is false, so
    # CAT_NO_ACCESS_PERMISSION (L523-529; catalog_utilities.cpp@5.0.2 L123-126).
    resource = _atomic("demoResc", "resource", ("add", "R", "1"))
    assert err(cb.msi_atomic_apply_metadata_operations, resource, "") == -818000
    assert err(cb.msi_atomic_apply_metadata_operations,
               _atomic("noResc", "resource", ("add", "R", "1")), "") == -130000
    # An empty attribute or value, even in an unknown operation (L375-381), undoes the rest.
    empty = _atomic(path, "data_object", ("add", "E", "1"), ("set", "", "1"))
    assert err(cb.msi_atomic_apply_metadata_operations, empty, "") == -130000
    assert err(cb.msi_atomic_apply_metadata_operations,
               _atomic(path, "data_object", ("remove", "B", "")), "") == -130000
    assert "E" not in {r.name for r in cat.avu_list("-d", path)}


def test_pid_microservices_cost_few_catalog_statements(sb, cb):
    """What a new PID costs in the catalog (bench_pids: msiDataObjChksum computing a checksum,
    then the PID AVUs in one atomic call): one object lookup and one ACL query each, no
    repeated lookups (31 statements per PID before, 11 now)."""
    cat = sb.zone("zoneA").catalog
    path = f"{HOME}/a.txt"
    assert cat.hash_scheme == "SHA256"  # read once per catalog object
    with cat.db.statement_meter() as checksum:
        assert cb.msiDataObjChksum(path, "", "")["arguments"][2].startswith("sha2:")
    ops = _atomic(path, "data_object", ("add", "PID", "21.T1/X"), ("add", "FIXED", "False"))
    with cat.db.statement_meter() as atomic:
        cb.msi_atomic_apply_metadata_operations(ops, "")
    # replicas, ACL, BEGIN, UPDATE, COMMIT / object id, ACL, BEGIN, 2 INSERT, COMMIT
    assert (checksum[0], atomic[0]) == (5, 6)
    assert {(r.name, r.value) for r in cat.avu_list("-d", path)} == {
        ("PID", "21.T1/X"), ("FIXED", "False")}


def test_times(sb, cb):
    now = sb.clock.now()
    assert cb.msiGetSystemTime("", "unix")["arguments"][0] == f"{now:011d}"
    human = cb.msiGetIcatTime("", "human")["arguments"][0]
    assert len(human) == 19 and human[10] == "."


def test_write_line_targets(sb, cb):
    cb.writeLine("serverLog", "hello log")
    assert any("writeLine: inString = hello log" in x for x in sb.server_log["zoneA"])
    assert "hello log" in sb.zone("zoneA").server_log_path.read_text()
    cb.writeLine(f"{HOME}/a.txt", "more")
    assert sb.zone("zoneA").catalog.data_read(f"{HOME}/a.txt") == b"hello worldmore\n"


def _page_through(cb, condition: str) -> int:
    gqi = cb.msiMakeGenQuery("DATA_NAME, DATA_ID", condition, T.GenQueryInp())["arguments"][2]
    gqo = cb.msiExecGenQuery(gqi, T.GenQueryOut())["arguments"][1]
    rows = gqo.rowCnt
    while gqo.continueInx > 0:
        gqo = cb.msiGetMoreRows(gqi, gqo, 0)["arguments"][1]
        rows += gqo.rowCnt
    return rows


def test_genquery_paging_work_grows_linearly(sb, cb):
    """Paging N rows costs O(N) catalog work (SQLite VM steps), not O(N^2/256) as re-running
    the query with OFFSET for every page did (server: continueInx fetches from the open
    statement, plugins/database/src/general_query.cpp)."""
    cat = sb.zone("zoneA").catalog
    work = {}
    for n in (512, 4096):
        coll = f"{HOME}/n{n}"
        with cat.batch():
            cat.coll_create(coll, "alice#zoneA")
            for i in range(n):
                cat.data_put(f"{coll}/f{i:05d}", b"x", "alice#zoneA")
        with cat.db.work_meter() as steps:
            assert _page_through(cb, f"COLL_NAME = '{coll}'") == n
        work[n] = steps[0] / n
    assert work[4096] < 1.5 * work[512], work


def test_a_query_between_pages_holds_no_read_transaction(sb, cb):
    """Between two pages nothing of the query pins the catalog's WAL: after a write, another
    connection's TRUNCATE checkpoint restarts the log (an SQLite statement left open between
    pages kept a read transaction, so the WAL grew with every write a workflow made while it
    paged: 145 MB after 5,000 PIDs). Checked after the first page (read with LIMIT) and after
    the second (the rest copied to a temporary table); the pages still give every row once."""
    client = sb.client("alice#zoneA")
    for name in "bcde":
        client.iput(f"{HOME}/{name}.txt", b"x")
    gqi = cb.msiMakeGenQuery("DATA_NAME", f"COLL_NAME = '{HOME}'", T.GenQueryInp())
    gqi = gqi["arguments"][2]
    gqi.maxRows = 2
    gqo = cb.msiExecGenQuery(gqi, T.GenQueryOut())["arguments"][1]
    names = [gqo.sqlResult[0].row(i) for i in range(gqo.rowCnt)]
    catalog_file = sb.zone("zoneA").catalog.db.zone_dir / "catalog.sqlite"
    for step in range(2):
        sb.zone("zoneA").catalog.avu_add("-d", f"{HOME}/b.txt", f"step{step}", "1")
        other = sqlite3.connect(catalog_file)
        try:
            assert other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone() == (0, 0, 0)
        finally:
            other.close()
        gqo = cb.msiGetMoreRows(gqi, gqo, 0)["arguments"][1]
        names += [gqo.sqlResult[0].row(i) for i in range(gqo.rowCnt)]
    assert int(gqo.continueInx) == 0
    assert sorted(names) == sorted(["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"])


def _open_query(cb):
    """A query with more rows than its page (maxRows 1): it stays open in the agent."""
    gqi = cb.msiMakeGenQuery("DATA_NAME", f"COLL_NAME = '{HOME}'", T.GenQueryInp())["arguments"][2]
    gqi.maxRows = 1
    return cb.msiExecGenQuery(gqi, T.GenQueryOut())["arguments"][1]


def test_an_agent_holds_at_most_fifty_open_queries_and_they_end_with_it(sb, cb):
    """As the server's catalog connection (MAX_NUM_OF_CONCURRENT_STMTS 50, continueInx = slot
    + 1): the 51st open query of one agent fails with CAT_STATEMENT_TABLE_FULL; closing one
    frees its slot; another agent (a new rule call) starts with an empty table, so what one
    rule left open does not pile up in the sandbox."""
    sb.client("alice#zoneA").iput(f"{HOME}/b.txt", b"x")
    opened = [_open_query(cb) for _ in range(50)]
    assert [int(gqo.continueInx) for gqo in opened] == list(range(1, 51))
    assert err(_open_query, cb) == -860000  # CAT_STATEMENT_TABLE_FULL
    cb.msiCloseGenQuery(T.GenQueryInp(), opened[6])
    assert int(_open_query(cb).continueInx) == 7
    other = sb.callback("zoneA", "alice#zoneA")
    assert int(_open_query(other).continueInx) == 1
