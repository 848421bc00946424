"""GenQuery1 execution: joins, operators, ordering, distinct, aggregates, paging, permissions."""

from __future__ import annotations

import pytest
from b2safe_sandbox import gq
from b2safe_sandbox.errors import INPUT_ARG_NOT_WELL_FORMED_ERR, NO_COLUMN_NAME_FOUND
from cat_helpers import AHOME, ALICE, BHOME, BOB, RODS, ZONE, raises_code

Q = f"{AHOME}/q"


@pytest.fixture
def qcat(cat):
    """alice's collection q with objects a..e (sizes 1..5), AVUs, a second replica of 'a'."""
    cat.add_resource("replResc")
    cat.coll_create(Q, ALICE)
    for size, name in enumerate("abcde", start=1):
        cat.data_put(f"{Q}/{name}", b"x" * size, ALICE)
        cat.avu_add("-d", f"{Q}/{name}", "num", str(size * 3))
    cat.data_replicate(f"{Q}/a", "replResc", ALICE)
    cat.avu_add("-C", Q, "project", "demo")
    return cat


def rows(cat, cols, cond="", actor=RODS, **kw):
    return cat.genquery(cols, cond, actor, **kw).rows


def test_data_with_collection_join(qcat):
    assert rows(qcat, ["COLL_NAME", "DATA_NAME"], f"COLL_NAME = '{Q}'") == [
        [Q, n] for n in "abcde"]


def test_one_row_per_replica_and_distinct(qcat):
    reps = rows(qcat, ["DATA_NAME", "DATA_REPL_NUM", "DATA_RESC_NAME"], "DATA_NAME = 'a'")
    assert reps == [["a", "0", "demoResc"], ["a", "1", "replResc"]]
    assert rows(qcat, ["DATA_NAME"], "DATA_NAME = 'a'") == [["a"]]
    assert rows(qcat, ["DATA_NAME"], "DATA_NAME = 'a'", no_distinct=True) == [["a"], ["a"]]


def test_operators(qcat):
    def names(cond):
        return [r[0] for r in rows(qcat, ["DATA_NAME"], f"COLL_NAME = '{Q}' and {cond}")]

    assert names("DATA_NAME = 'a' || = 'c'") == ["a", "c"]
    assert names("DATA_NAME <> 'a'") == ["b", "c", "d", "e"]
    assert names("DATA_NAME in ('b', 'd', 'zz')") == ["b", "d"]
    assert names("DATA_NAME not in ('b', 'd')") == ["a", "c", "e"]
    assert names("DATA_NAME between 'b' 'd'") == ["b", "c", "d"]
    assert names("DATA_SIZE > '3'") == ["d", "e"]
    assert names("DATA_SIZE <= '2'") == ["a", "b"]
    assert names("DATA_SIZE >= '2' && < '4'") == ["b", "c"]
    assert names("DATA_SIZE n>= '4'") == ["d", "e"]
    assert names("DATA_NAME like '_'") == list("abcde")
    assert names("DATA_NAME not like 'a%'") == ["b", "c", "d", "e"]
    assert names("DATA_NAME like 'A%'") == []  # LIKE is case-sensitive
    assert names("META_DATA_ATTR_NAME = 'num' and META_DATA_ATTR_VALUE n> '9'") == ["d", "e"]
    # a text comparison differs from the numeric one: '12' < '6' as strings
    assert names("META_DATA_ATTR_NAME = 'num' and META_DATA_ATTR_VALUE < '6'") == ["a", "d", "e"]
    assert names("META_DATA_ATTR_VALUE n< '6'") == ["a"]
    assert names("META_DATA_ATTR_VALUE n= '15'") == ["e"]


def test_like_treats_glob_characters_literally_and_backslash_escapes(cat):
    for name in ("a_b", "axb", "x[1]", "st*r", "q?"):
        cat.data_put(f"{AHOME}/{name}", b"", ALICE)

    def names(pattern):
        return [r[0] for r in rows(cat, ["DATA_NAME"], f"DATA_NAME like '{pattern}'")]

    assert names("a_b") == ["a_b", "axb"]
    assert names("a\\_b") == ["a_b"]
    assert names("x[1]") == ["x[1]"]
    assert names("st*r") == ["st*r"]
    assert names("st%") == ["st*r"]
    assert names("q?") == ["q?"]
    assert gq.like_to_glob("50\\%") == "50%"


def test_upper_case_where(qcat):
    res = rows(qcat, ["DATA_NAME"], "DATA_NAME = 'A' || LIKE 'B%'", upper_case_where=True)
    assert res == [["a"], ["b"]]


def test_ordering(qcat):
    assert [r[0] for r in rows(qcat, ["ORDER_DESC(DATA_NAME)"], f"COLL_NAME = '{Q}'")] == list(
        "edcba")
    got = rows(qcat, ["DATA_NAME", "ORDER_DESC(DATA_SIZE)"], f"COLL_NAME = '{Q}'")
    assert [r[0] for r in got] == list("edcba")
    got = rows(qcat, ["ORDER(DATA_SIZE)", "DATA_NAME"], f"COLL_NAME = '{Q}'")
    assert [r[1] for r in got] == list("abcde")
    # integer columns order numerically, text columns as strings
    with qcat.batch():
        for i in (9, 10, 11):
            qcat.data_put(f"{Q}/s{i}", b"x" * i, ALICE)
    sizes = [r[0] for r in rows(qcat, ["DATA_SIZE"], f"COLL_NAME = '{Q}'")]
    assert sizes == ["1", "2", "3", "4", "5", "9", "10", "11"]
    names = [r[0] for r in rows(qcat, ["DATA_NAME"], "DATA_NAME like 's%'")]
    assert names == ["s10", "s11", "s9"]


def test_aggregates(qcat):
    assert rows(qcat, ["COUNT(DATA_ID)"], f"COLL_NAME = '{Q}'") == [["6"]]  # replicas counted
    assert rows(qcat, ["SUM(DATA_SIZE)"], f"COLL_NAME = '{Q}'") == [["16"]]
    assert rows(qcat, ["MIN(DATA_SIZE)", "MAX(DATA_SIZE)"], f"COLL_NAME = '{Q}'") == [["1", "5"]]
    assert rows(qcat, ["AVG(DATA_SIZE)"], f"COLL_NAME = '{Q}' and DATA_NAME in ('a','b')") == [
        ["1.3333333333333333"]]
    assert rows(qcat, ["AVG(DATA_SIZE)"], f"COLL_NAME = '{Q}' and DATA_REPL_NUM = '0'") == [
        ["3"]]
    grouped = rows(qcat, ["DATA_RESC_NAME", "COUNT(DATA_ID)"], f"COLL_NAME = '{Q}'")
    assert grouped == [["demoResc", "5"], ["replResc", "1"]]
    assert rows(qcat, ["COUNT(DATA_ID)"], "DATA_NAME = 'nothing'") == [["0"]]


def test_metadata_joins(qcat):
    assert rows(qcat, ["DATA_NAME", "META_COLL_ATTR_VALUE"],
                "META_COLL_ATTR_NAME = 'project' and DATA_NAME = 'b'") == [["b", "demo"]]
    assert rows(qcat, ["COLL_NAME"], "META_COLL_ATTR_NAME = 'project'") == [[Q]]
    qcat.avu_add("-R", "replResc", "tier", "cold")
    qcat.avu_add("-u", BOB, "role", "tester")
    assert rows(qcat, ["RESC_NAME"], "META_RESC_ATTR_NAME = 'tier'") == [["replResc"]]
    assert rows(qcat, ["USER_NAME", "USER_ZONE", "META_USER_ATTR_VALUE"],
                "META_USER_ATTR_NAME = 'role'") == [["bob", ZONE, "tester"]]
    assert rows(qcat, ["DATA_NAME", "RESC_TYPE_NAME"], "RESC_NAME = 'replResc'") == [
        ["a", "unixfilesystem"]]


def test_acl_columns(qcat):
    qcat.acl_set(f"{Q}/a", BOB, "read", ALICE)
    got = rows(qcat, ["USER_NAME", "DATA_ACCESS_NAME", "DATA_ACCESS_TYPE"],
               f"COLL_NAME = '{Q}' and DATA_NAME = 'a'")
    assert got == [["alice", "own", "1200"], ["bob", "read_object", "1050"]]
    bob_id = qcat.get_user(BOB).id
    assert rows(qcat, ["DATA_NAME"], f"DATA_ACCESS_USER_ID = '{bob_id}'") == [["a"]]
    got = rows(qcat, ["COLL_NAME", "COLL_ACCESS_NAME", "USER_NAME"], f"COLL_NAME = '{Q}'")
    assert got == [[Q, "own", "alice"]]


def test_users_zones_resources(qcat):
    users = rows(qcat, ["USER_NAME", "USER_TYPE"], f"USER_ZONE = '{ZONE}'")
    assert ["rods", "rodsadmin"] in users and ["public", "rodsgroup"] in users
    assert rows(qcat, ["ZONE_NAME", "ZONE_TYPE", "ZONE_CONNECTION"], "ZONE_TYPE = 'local'") == [
        [ZONE, "local", "tempzone.sandbox:1247"]]
    assert [r[0] for r in rows(qcat, ["RESC_NAME"])] == ["demoResc", "replResc"]
    assert rows(qcat, ["RESC_VAULT_PATH"], "RESC_NAME = 'demoResc'")[0][0].endswith(
        "vault/demoResc")


def test_collection_columns(qcat, clock):
    got = rows(qcat, ["COLL_NAME", "COLL_PARENT_NAME", "COLL_OWNER_NAME", "COLL_OWNER_ZONE",
                      "COLL_INHERITANCE", "COLL_CREATE_TIME"], f"COLL_NAME = '{Q}'")
    assert got == [[Q, AHOME, "alice", ZONE, "0", f"{clock.value:011d}"]]
    qcat.acl_inherit(Q, True, ALICE)
    assert rows(qcat, ["COLL_INHERITANCE"], f"COLL_NAME = '{Q}'") == [["1"]]
    got = rows(qcat, ["COLL_NAME"], f"COLL_PARENT_NAME = '{AHOME}'")
    assert got == [[Q]]


def test_data_columns(qcat, clock):
    qcat.data_checksum(f"{Q}/b")
    rep = qcat.data_get(f"{Q}/b")[0]
    got = rows(qcat, ["DATA_ID", "DATA_SIZE", "DATA_TYPE_NAME", "DATA_PATH", "DATA_OWNER_NAME",
                      "DATA_OWNER_ZONE", "DATA_REPL_STATUS", "DATA_CHECKSUM",
                      "DATA_CREATE_TIME", "DATA_MODIFY_TIME", "DATA_RESC_HIER", "DATA_MODE",
                      "DATA_COLL_ID"], f"COLL_NAME = '{Q}' and DATA_NAME = 'b'")
    assert got == [[str(rep.data_id), "2", "generic", rep.phys_path, "alice", ZONE, "1",
                    rep.checksum, rep.create_time, rep.modify_time, "demoResc", "",
                    str(qcat.coll_get(Q).id)]]
    assert rows(qcat, ["DATA_NAME"], f"DATA_MODIFY_TIME n<= '{clock.value}' and "
                f"COLL_NAME = '{Q}'")[0] == ["a"]


def test_permission_filtering(qcat):
    assert rows(qcat, ["DATA_NAME"], f"COLL_NAME = '{Q}'", actor=BOB) == []
    qcat.acl_set(f"{Q}/c", BOB, "read", ALICE)
    assert rows(qcat, ["DATA_NAME"], f"COLL_NAME = '{Q}'", actor=BOB) == [["c"]]
    # a readable object is listed even in a collection bob cannot read (Guess in the docs)
    assert rows(qcat, ["COLL_NAME"], f"COLL_NAME = '{Q}'", actor=BOB) == []
    assert rows(qcat, ["COUNT(DATA_ID)"], f"COLL_NAME = '{Q}'", actor=BOB) == [["1"]]
    assert len(rows(qcat, ["DATA_NAME"], f"COLL_NAME = '{Q}'", actor=RODS)) == 5
    assert len(rows(qcat, ["DATA_NAME"], f"COLL_NAME = '{Q}'", actor=None)) == 5
    assert rows(qcat, ["DATA_NAME"], f"COLL_NAME = '{Q}'", actor="ghost#nowhere") == []
    qcat.acl_set(Q, "public", "read", ALICE)
    assert rows(qcat, ["COLL_NAME"], f"COLL_NAME = '{Q}'", actor="carol#otherZone") == [[Q]]
    # users, zones and resources are not filtered
    assert rows(qcat, ["ZONE_NAME"], "ZONE_TYPE = 'local'", actor=BOB) == [[ZONE]]
    assert rows(qcat, ["DATA_NAME"], f"COLL_NAME like '{BHOME}%'", actor=ALICE) == []


def test_paging_with_total(qcat):
    with qcat.batch():
        for i in range(600):
            qcat.data_put(f"{Q}/p{i:04d}", b"", ALICE)
    seen = []
    offset = 0
    while True:
        page = qcat.genquery(["DATA_NAME"], f"COLL_NAME = '{Q}' and DATA_NAME like 'p%'", ALICE,
                             offset=offset, total_row_count=True)
        assert page.total == 600
        assert len(page.rows) <= 256
        seen += [r[0] for r in page.rows]
        offset += len(page.rows)
        if not page.has_more:
            break
    assert seen == [f"p{i:04d}" for i in range(600)]
    small = qcat.genquery(["DATA_NAME"], f"COLL_NAME = '{Q}'", ALICE, max_rows=3)
    assert [r[0] for r in small.rows] == ["a", "b", "c"] and small.has_more
    assert small.total is None
    assert len(qcat.genquery(["DATA_NAME"], "", ALICE, max_rows=1000).rows) == 256
    none = qcat.genquery(["DATA_NAME"], "", ALICE, max_rows=0, total_row_count=True)
    assert none.rows == [] and not none.has_more and none.total >= 605


def test_result_metadata(qcat):
    res = qcat.genquery(["COLL_NAME", "COUNT(DATA_ID)"], f"COLL_NAME = '{Q}'", ALICE)
    assert res.columns == ["COLL_NAME", "COUNT(DATA_ID)"] and res.column_ids == [501, 401]
    parsed = gq.parse_query(f"SELECT DATA_NAME WHERE COLL_NAME = '{Q}' and DATA_NAME = 'e'")
    assert qcat.genquery(parsed, actor=ALICE).rows == [["e"]]
    assert qcat.genquery("DATA_NAME, DATA_SIZE", "DATA_NAME = 'e'", ALICE).rows == [["e", "5"]]


def test_errors(qcat):
    with raises_code(NO_COLUMN_NAME_FOUND):
        qcat.genquery(["DATA_NAMEX"], "", ALICE)
    with raises_code(NO_COLUMN_NAME_FOUND):
        qcat.genquery(["DATA_NAME"], "NOPE = 'x'", ALICE)
    with raises_code(INPUT_ARG_NOT_WELL_FORMED_ERR):
        qcat.genquery(["DATA_NAME"], "DATA_NAME = x", ALICE)
    with raises_code(INPUT_ARG_NOT_WELL_FORMED_ERR):
        qcat.genquery([], "", ALICE)


def test_values_are_parameters_not_sql(qcat):
    assert rows(qcat, ["DATA_NAME"], "DATA_NAME = 'a; DROP TABLE data'") == []
    assert rows(qcat, ["DATA_NAME"], "DATA_NAME = '\" OR 1=1 --'") == []
    assert len(rows(qcat, ["DATA_NAME"], f"COLL_NAME = '{Q}'")) == 5


def _temp_tables(cat) -> int:
    return int(cat.db.one("SELECT COUNT(*) FROM temp.sqlite_master WHERE type = 'table'")[0])


def test_an_open_cursor_pages_from_a_copy_that_goes_with_it(qcat):
    """After the first page, an open cursor reads the rest from a copy (a temporary table) in
    the query's order; a ROLLBACK that takes the copy away does not lose or repeat rows; the
    copy goes with close(), and a cursor dropped unclosed has its copy removed at the next
    one's (so a rule that stops paging early leaks nothing that grows)."""
    cursor = qcat.open_genquery(["ORDER_DESC(DATA_NAME)"], f"COLL_NAME = '{Q}'", ALICE)
    seen = [r[0] for r in cursor.next_page(1).rows]
    with pytest.raises(RuntimeError), qcat.batch():
        seen += [r[0] for r in cursor.next_page(1).rows]  # the copy, made in the transaction
        assert _temp_tables(qcat) == 1
        raise RuntimeError("undo")
    assert _temp_tables(qcat) == 0
    while True:
        page = cursor.next_page(1)
        seen += [r[0] for r in page.rows]
        if not page.has_more:
            break
    assert seen == ["e", "d", "c", "b", "a"] and _temp_tables(qcat) == 0
    for _ in range(3):
        dropped = qcat.open_genquery(["DATA_NAME"], f"COLL_NAME = '{Q}'", ALICE)
        dropped.next_page(1)
        dropped.next_page(1)
        del dropped
    assert _temp_tables(qcat) == 1  # the last one's copy; the others were removed
