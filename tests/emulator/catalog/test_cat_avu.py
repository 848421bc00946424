"""AVUs on data objects, collections, resources and users."""

from __future__ import annotations

import pytest
from b2safe_sandbox.catalog import AvuRow
from b2safe_sandbox.errors import (
    CAT_INSUFFICIENT_PRIVILEGE_LEVEL,
    CAT_INVALID_ARGUMENT,
    CAT_INVALID_RESOURCE,
    CAT_INVALID_USER,
    CAT_NO_ACCESS_PERMISSION,
    CAT_SQL_ERR,
    CAT_SUCCESS_BUT_WITH_NO_INFO,
    CAT_UNKNOWN_COLLECTION,
    CAT_UNKNOWN_FILE,
    CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME,
)
from cat_helpers import AHOME, ALICE, BOB, RODS, raises_code

F = f"{AHOME}/f"


@pytest.fixture
def targets(cat):
    cat.data_put(F, b"", ALICE)
    return {"-d": F, "-C": AHOME, "-R": "demoResc", "-u": ALICE}


@pytest.mark.parametrize("kind", ["-d", "-C", "-R", "-u"])
def test_add_set_rm_list(cat, targets, kind):
    target = targets[kind]
    cat.avu_add(kind, target, "a", "1")
    cat.avu_add(kind, target, "a", "2", "units")
    cat.avu_add(kind, target, "b", "1")
    assert cat.avu_list(kind, target) == [AvuRow("a", "1", ""), AvuRow("a", "2", "units"),
                                         AvuRow("b", "1", "")]
    with raises_code(CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME):
        cat.avu_add(kind, target, "a", "1")
    cat.avu_set(kind, target, "a", "3")
    assert cat.avu_list(kind, target, "a") == [AvuRow("a", "3", "")]
    cat.avu_set(kind, target, "a", "3")  # identical set is fine
    cat.avu_rm(kind, target, "b", "1")
    with raises_code(CAT_SUCCESS_BUT_WITH_NO_INFO):
        cat.avu_rm(kind, target, "b", "1")
    with raises_code(CAT_SUCCESS_BUT_WITH_NO_INFO):
        cat.avu_rm(kind, target, "a", "3", "wrong-units")
    assert cat.avu_list(kind, target) == [AvuRow("a", "3", "")]


def test_kind_spellings(cat, targets):
    cat.avu_add("-c", AHOME, "x", "y")
    assert cat.avu_list("-C", AHOME) == [AvuRow("x", "y", "")]
    with raises_code(CAT_INVALID_ARGUMENT):
        cat.avu_add("-z", AHOME, "x", "y")


def test_missing_targets(cat):
    with raises_code(CAT_UNKNOWN_FILE):
        cat.avu_add("-d", f"{AHOME}/none", "a", "1")
    with raises_code(CAT_UNKNOWN_COLLECTION):
        cat.avu_list("-C", f"{AHOME}/none")
    with raises_code(CAT_INVALID_RESOURCE):
        cat.avu_add("-R", "none", "a", "1")
    with raises_code(CAT_INVALID_USER):
        cat.avu_add("-u", "ghost#tempZone", "a", "1")


def test_empty_attribute_or_value(cat, targets):
    with raises_code(CAT_INVALID_ARGUMENT):
        cat.avu_add("-d", F, "", "1")
    with raises_code(CAT_INVALID_ARGUMENT):
        cat.avu_set("-d", F, "a", "")


def test_longer_than_the_columns_is_a_database_error(cat, targets):
    """R_META_MAIN holds names and values of 2700 characters, units of 250 (irods
    plugins/database/src/icatSysTables.sql.pp.in@5.0.2 L81); nothing is stored otherwise, on
    every route (avu_add, avu_set, avu_attach)."""
    with raises_code(CAT_SQL_ERR):
        cat.avu_add("-d", F, "a", "v" * 2701)
    with raises_code(CAT_SQL_ERR):
        cat.avu_add("-d", F, "a", "v", "u" * 251)
    with raises_code(CAT_SQL_ERR):
        cat.avu_set("-d", F, "a", "v", "u" * 251)
    object_id = cat.entity_rights(F, False, None)[0]
    with raises_code(CAT_SQL_ERR):
        cat.avu_attach(object_id, "-d", "a", "v", "u" * 251)
    assert cat.avu_list("-d", F) == []
    cat.avu_attach(object_id, "-d", "a", "v", "u" * 250)
    assert [a.units for a in cat.avu_list("-d", F)] == ["u" * 250]


def test_actor_permissions(cat, targets):
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.avu_add("-d", F, "a", "1", actor=BOB)
    cat.acl_set(F, BOB, "read", ALICE)
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.avu_add("-d", F, "a", "1", actor=BOB)
    cat.acl_set(F, BOB, "write", ALICE)
    cat.avu_add("-d", F, "a", "1", actor=BOB)
    with raises_code(CAT_INSUFFICIENT_PRIVILEGE_LEVEL):
        cat.avu_add("-R", "demoResc", "a", "1", actor=ALICE)
    cat.avu_add("-R", "demoResc", "a", "1", actor=RODS)


def test_avus_are_per_object(cat, targets):
    cat.data_put(f"{AHOME}/g", b"", ALICE)
    cat.avu_add("-d", F, "a", "1")
    assert cat.avu_list("-d", f"{AHOME}/g") == []


def _shared_avu_work(cat, first: int, count: int) -> int:
    """SQLite VM steps (x10) of adding the AVU ``shared=yes`` to collections first..first+count
    (created beforehand), every earlier one already having it."""
    with cat.db.work_meter(every=10) as steps:
        for i in range(first, first + count):
            cat.avu_add("-C", f"{AHOME}/c{i:04d}", "shared", "yes")
    return steps[0]


def test_adding_an_avu_many_objects_share_costs_the_same_at_any_count(cat):
    """Adding a value every object carries (EUDAT/FIXED_CONTENT=False on each new PID) looks up
    only this object's AVUs: the 50 adds after 950 objects cost what the first 50 did, not 20
    times as much (the lookup used the (attr, value) index and scanned every object having
    it: quadratic PID registration in a collection)."""
    with cat.batch():
        for i in range(1000):
            cat.coll_create(f"{AHOME}/c{i:04d}", ALICE)
    early = _shared_avu_work(cat, 0, 50)
    with cat.batch():
        for i in range(50, 950):
            cat.avu_add("-C", f"{AHOME}/c{i:04d}", "shared", "yes")
    late = _shared_avu_work(cat, 950, 50)
    assert late < 1.5 * early, (early, late)


def _page_avu_work(cat, ids: list) -> int:
    """SQLite VM steps (x10) of reading the PID and EUDAT/ROR AVUs of the objects ``ids`` with
    one GenQuery, as a replication page does."""
    listed = ", ".join(f"'{i}'" for i in ids)
    with cat.db.work_meter(every=10) as steps:
        rows = cat.genquery(["DATA_ID", "META_DATA_ATTR_NAME", "META_DATA_ATTR_VALUE",
                             "META_DATA_ATTR_UNITS", "META_DATA_ATTR_ID"],
                            f"DATA_ID in ({listed}) AND META_DATA_ATTR_NAME in "
                            "('PID', 'EUDAT/ROR')", RODS).rows
    assert len(rows) == 2 * len(ids)
    return steps[0]


def test_a_page_of_avus_by_object_id_costs_the_same_in_a_larger_zone(cat):
    """The AVUs of a page of objects (ids and attribute names given) are read through each
    object's id: the same page costs the same after 1,000 more objects carry those attributes,
    not more (without the planner's statistics, schema.PLANNER_STATISTICS, SQLite walked the
    attribute index through every PID of the zone: O(N) per page, quadratic replication)."""
    def add(first: int, count: int) -> list:
        ids = []
        with cat.batch():
            for i in range(first, first + count):
                path = f"{AHOME}/f{i:05d}"
                cat.data_put(path, b"", ALICE)
                cat.avu_add("-d", path, "PID", f"21.T/{i}")
                cat.avu_add("-d", path, "EUDAT/ROR", f"21.T/{i}")
                ids.append(cat.data_get(path)[0].data_id)
        return ids

    page = add(0, 64)
    small = _page_avu_work(cat, page)
    add(64, 1000)
    assert _page_avu_work(cat, page) < 1.5 * small, small
