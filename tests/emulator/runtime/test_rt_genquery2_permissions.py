"""GenQuery2 rows as the permission joins give them: a non-admin sees the rows of the ACL entries
that give *her* read (directly or through a group), one row per such entry; a rodsadmin every
row, one per ACL entry and user it applies to, and objects nobody may read.

Sources: irods server/genquery2/src/genquery2_sql.cpp@5.0.2 generate_joins_for_permissions
(L325-390: LEFT JOIN for a rodsadmin, R_USER_GROUP between the ACL holder and the user) and
generate_condition_clause (L392-520: pdu.user_name = the client, access >= 1050); tests
scripts/irods/test/test_iquery.py@5.0.2
::test_genquery2_maps_genquery_user_zone_columns_to_correct_database_columns__issue_8134_8135,
::test_genquery2_honors_group_permissions__issue_8259,
::test_rodsadmin_can_use_genquery2_to_find_data_objects_without_any_permissions__issue_8546.
"""

from __future__ import annotations

import pytest
from rt_helpers import code_of

HOME = "/zoneA/home/alice"


@pytest.fixture(params=["4.3", "5.0"])
def sb(request, make_sb):
    sandbox = make_sb("", irods_version=request.param)
    sandbox.zone("zoneA").catalog.add_user("bob", "zoneA")
    sandbox.client("alice#zoneA").iput(f"{HOME}/f.txt", b"data")
    return sandbox


def query(sb, user: str, text: str, width: int = 1):
    cb = sb.callback("zoneA", user)
    try:
        handle = cb.msi_genquery2_execute("", text)["arguments"][0]
    except RuntimeError as exc:
        return code_of(exc)
    rows = []
    while True:
        try:
            cb.msi_genquery2_next_row(handle)
        except RuntimeError:
            break
        rows.append([cb.msi_genquery2_column(handle, str(i), "")["arguments"][2]
                     for i in range(width)])
    cb.msi_genquery2_free(handle)
    return rows


ACL = (f"select DATA_ACCESS_USER_NAME, DATA_ACCESS_USER_ZONE, DATA_ACCESS_PERM_NAME "
       f"where COLL_NAME = '{HOME}' and DATA_NAME = 'f.txt'")


def test_a_user_sees_only_her_own_acl_rows(sb):
    alice = sb.client("alice#zoneA")
    alice.ichmod("read", "bob#zoneA", f"{HOME}/f.txt")
    # issue 8134: the user's query of the permission columns gives her own entry only.
    assert query(sb, "alice#zoneA", ACL, 3) == [["alice", "zoneA", "own"]]
    data_only = ACL.replace(f"COLL_NAME = '{HOME}' and ", "")
    assert query(sb, "bob#zoneA", data_only, 3) == [["bob", "zoneA", "read_object"]]
    # naming a collection column joins the collection's ACL too: bob may not read alice's home.
    assert query(sb, "bob#zoneA", ACL, 3) == []
    # a rodsadmin: every entry (LEFT JOIN, no user condition), and the object once per entry.
    assert sorted(query(sb, "rods#zoneA", ACL, 3)) == [
        ["alice", "zoneA", "own"], ["bob", "zoneA", "read_object"]]
    names = f"select DATA_NAME where COLL_NAME = '{HOME}' and DATA_NAME = 'f.txt'"
    assert query(sb, "rods#zoneA", names) == [["f.txt"], ["f.txt"]]
    assert query(sb, "rods#zoneA", "select distinct" + names[6:]) == [["f.txt"]]


def test_group_permission_is_honoured(sb):
    # issue 8259: read through a group makes the object visible to the member.
    catalog = sb.zone("zoneA").catalog
    catalog.add_user("g8259", "zoneA", type="rodsgroup")
    catalog.group_add_member("g8259#zoneA", "bob#zoneA")
    names = "select DATA_NAME where DATA_NAME = 'f.txt'"
    assert query(sb, "bob#zoneA", names) == []
    sb.client("alice#zoneA").ichmod("read", "g8259#zoneA", f"{HOME}/f.txt")
    assert query(sb, "bob#zoneA", names) == [["f.txt"]]


def test_rodsadmin_finds_an_object_without_any_permission(sb):
    # issue 8546: nobody has a permission on the object; only a rodsadmin still finds it.
    sb.client("alice#zoneA").ichmod("null", "alice#zoneA", f"{HOME}/f.txt")
    names = f"select DATA_NAME where COLL_NAME = '{HOME}' and DATA_NAME = 'f.txt'"
    assert query(sb, "alice#zoneA", names) == []
    assert query(sb, "rods#zoneA", names) == [["f.txt"]]


def test_data_access_time_is_a_genquery2_column_on_50_only(sb):
    # genquery2_table_column_mappings.hpp@5.0.2 L77 (DATA_ACCESS_TIME -> R_DATA_MAIN.access_ts),
    # absent at 4.3.5: an unknown column there (rs_genquery2.cpp@5.0.2 L146-149).
    found = query(sb, "alice#zoneA", f"select DATA_ACCESS_TIME where COLL_NAME = '{HOME}' and "
                                     "DATA_NAME = 'f.txt'")
    if sb.irods_version >= (5, 0):
        assert len(found) == 1 and found[0][0].isdigit()
    else:
        assert found == -130000
