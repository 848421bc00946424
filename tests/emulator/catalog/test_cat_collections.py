"""Collections: create, remove, rename, list, path checks."""

from __future__ import annotations

import pytest
from b2safe_sandbox.errors import (
    CAT_COLLECTION_NOT_EMPTY,
    CAT_INVALID_ARGUMENT,
    CAT_NAME_EXISTS_AS_COLLECTION,
    CAT_NAME_EXISTS_AS_DATAOBJ,
    CAT_NO_ACCESS_PERMISSION,
    CAT_UNKNOWN_COLLECTION,
    CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME,
    SYS_INVALID_ZONE_NAME,
    USER_INPUT_PATH_ERR,
)
from cat_helpers import AHOME, ALICE, BHOME, BOB, HOME, RODS, ZONE, raises_code


@pytest.mark.parametrize("path", ["relative", f"{AHOME}/", f"{AHOME}//x", f"{AHOME}/./x",
                                  f"{AHOME}/../bob"])
def test_malformed_paths_are_rejected(cat, path):
    with raises_code(USER_INPUT_PATH_ERR):
        cat.coll_create(path, ALICE)


def test_paths_of_other_zones_are_rejected(cat):
    with raises_code(SYS_INVALID_ZONE_NAME):
        cat.coll_get("/otherZone/home")


def test_create_and_get(cat):
    row = cat.coll_create(f"{AHOME}/c", ALICE)
    assert (row.path, row.parent, row.owner_name, row.owner_zone, row.inherit) == (
        f"{AHOME}/c", AHOME, "alice", ZONE, False)
    assert cat.coll_get(f"{AHOME}/c") == row
    assert cat.coll_get(f"{AHOME}/missing") is None
    assert cat.coll_get("/").parent == ""


def test_create_errors(cat):
    cat.coll_create(f"{AHOME}/c", ALICE)
    with raises_code(CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME):
        cat.coll_create(f"{AHOME}/c", ALICE)
    assert cat.coll_create(f"{AHOME}/c", ALICE, recursive=True).path == f"{AHOME}/c"
    with raises_code(CAT_UNKNOWN_COLLECTION):
        cat.coll_create(f"{AHOME}/x/y", ALICE)
    cat.data_put(f"{AHOME}/f", b"", ALICE)
    with raises_code(CAT_NAME_EXISTS_AS_DATAOBJ):
        cat.coll_create(f"{AHOME}/f", ALICE)
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.coll_create(f"{BHOME}/intruder", ALICE)


def test_recursive_create_makes_parents_owned_by_actor(cat):
    cat.coll_create(f"{AHOME}/a/b/c", ALICE, recursive=True)
    for path in (f"{AHOME}/a", f"{AHOME}/a/b", f"{AHOME}/a/b/c"):
        assert cat.owner_of(path) == ALICE
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.coll_create(f"{BHOME}/x/y", ALICE, recursive=True)
    assert cat.coll_get(f"{BHOME}/x") is None


def test_a_rodsadmin_needs_acls_and_internal_calls_bypass_them(cat):
    # rsCollCreate checks write on the parent for every client (cmlCheckDir,
    # mid_level_routines.cpp@5.0.2 L804-850); a rodsadmin gets no bypass.
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.coll_create(f"{BHOME}/by_rods", RODS)
    cat.coll_create(f"/{ZONE}/home/by_rods", RODS)  # rods owns /zone/home from the bootstrap
    assert cat.owner_of(f"/{ZONE}/home/by_rods") == RODS
    cat.coll_create(f"{BHOME}/internal", None)
    assert cat.owner_of(f"{BHOME}/internal") == RODS


def test_remove(cat):
    cat.coll_create(f"{AHOME}/c/d", ALICE, recursive=True)
    cat.data_put(f"{AHOME}/c/d/f", b"xyz", ALICE)
    phys = cat.data_get(f"{AHOME}/c/d/f")[0].phys_path
    with raises_code(CAT_COLLECTION_NOT_EMPTY):
        cat.coll_remove(f"{AHOME}/c", ALICE)
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.coll_remove(f"{AHOME}/c", BOB, recursive=True)
    cat.coll_remove(f"{AHOME}/c", ALICE, recursive=True)
    assert cat.coll_get(f"{AHOME}/c") is None and cat.coll_get(f"{AHOME}/c/d") is None
    assert not cat.data_exists(f"{AHOME}/c/d/f")
    from pathlib import Path
    assert not Path(phys).exists()
    with raises_code(CAT_UNKNOWN_COLLECTION):
        cat.coll_remove(f"{AHOME}/c", ALICE)
    cat.coll_create(f"{AHOME}/empty", ALICE)
    cat.coll_remove(f"{AHOME}/empty", ALICE)
    assert cat.coll_get(f"{AHOME}/empty") is None


def test_recursive_remove_needs_own_on_everything(cat):
    cat.coll_create(f"{AHOME}/shared", ALICE)
    cat.acl_set(f"{AHOME}/shared", BOB, "own", ALICE)
    cat.data_put(f"{AHOME}/shared/alices", b"", ALICE)
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.coll_remove(f"{AHOME}/shared", BOB, recursive=True)
    assert cat.data_exists(f"{AHOME}/shared/alices")
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.coll_remove(f"{AHOME}/shared", RODS, recursive=True)
    cat.coll_remove(f"{AHOME}/shared", None, recursive=True)
    assert cat.coll_get(f"{AHOME}/shared") is None


def test_fixed_collections_cannot_go(cat):
    for path in (f"/{ZONE}", HOME, f"/{ZONE}/trash"):
        with raises_code(CAT_INVALID_ARGUMENT):
            cat.coll_remove(path, RODS, recursive=True)


def test_sibling_with_common_prefix_is_not_part_of_the_subtree(cat):
    cat.coll_create(f"{AHOME}/c", ALICE)
    cat.coll_create(f"{AHOME}/c0", ALICE)
    cat.coll_create(f"{AHOME}/c-x", ALICE)
    cat.coll_remove(f"{AHOME}/c", ALICE, recursive=True)
    assert cat.coll_get(f"{AHOME}/c0") and cat.coll_get(f"{AHOME}/c-x")


def test_rename_moves_subtree_catalog_and_vault(cat):
    cat.coll_create(f"{AHOME}/src/sub", ALICE, recursive=True)
    cat.data_put(f"{AHOME}/src/sub/f", b"payload", ALICE)
    cat.avu_add("-C", f"{AHOME}/src/sub", "k", "v")
    renamed = cat.coll_rename(f"{AHOME}/src", f"{AHOME}/dst", ALICE)
    assert renamed.path == f"{AHOME}/dst" and renamed.parent == AHOME
    sub = cat.coll_get(f"{AHOME}/dst/sub")
    assert sub.parent == f"{AHOME}/dst"
    assert cat.coll_get(f"{AHOME}/src") is None
    rep = cat.data_get(f"{AHOME}/dst/sub/f")[0]
    assert rep.phys_path.endswith("home/alice/dst/sub/f")
    assert cat.data_read(f"{AHOME}/dst/sub/f") == b"payload"
    assert cat.avu_list("-C", f"{AHOME}/dst/sub")[0].value == "v"
    # The old place is free again, and a new object there does not touch the moved one.
    cat.coll_create(f"{AHOME}/src/sub", ALICE, recursive=True)
    cat.data_put(f"{AHOME}/src/sub/f", b"new", ALICE)
    assert cat.data_read(f"{AHOME}/dst/sub/f") == b"payload"


def test_rename_errors(cat):
    cat.coll_create(f"{AHOME}/a", ALICE)
    cat.coll_create(f"{AHOME}/b", ALICE)
    cat.data_put(f"{AHOME}/f", b"", ALICE)
    with raises_code(CAT_NAME_EXISTS_AS_COLLECTION):
        cat.coll_rename(f"{AHOME}/a", f"{AHOME}/b", ALICE)
    with raises_code(CAT_NAME_EXISTS_AS_DATAOBJ):
        cat.coll_rename(f"{AHOME}/a", f"{AHOME}/f", ALICE)
    with raises_code(CAT_UNKNOWN_COLLECTION):
        cat.coll_rename(f"{AHOME}/missing", f"{AHOME}/c", ALICE)
    with raises_code(CAT_UNKNOWN_COLLECTION):
        cat.coll_rename(f"{AHOME}/a", f"{AHOME}/no/c", ALICE)
    with raises_code(CAT_INVALID_ARGUMENT):
        cat.coll_rename(f"{AHOME}/a", f"{AHOME}/a/inside", ALICE)
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.coll_rename(f"{AHOME}/a", f"{BHOME}/a", ALICE)
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.coll_rename(f"{AHOME}/a", f"{AHOME}/z", BOB)


def test_list_children_sorted_data_first(cat):
    for name in ("b", "a"):
        cat.coll_create(f"{AHOME}/{name}", ALICE)
    for name in ("z", "y"):
        cat.data_put(f"{AHOME}/{name}", b"", ALICE)
    cat.add_resource("r2")
    cat.data_replicate(f"{AHOME}/z", "r2", ALICE)  # two replicas, one entry
    assert list(cat.coll_list(AHOME)) == [("d", "y"), ("d", "z"), ("C", "a"), ("C", "b")]
    with raises_code(CAT_UNKNOWN_COLLECTION):
        cat.coll_list(f"{AHOME}/missing")


def test_list_is_filtered_by_read_access(cat):
    cat.data_put(f"{AHOME}/secret", b"", ALICE)
    cat.data_put(f"{AHOME}/shared", b"", ALICE)
    cat.acl_set(f"{AHOME}/shared", BOB, "read", ALICE)
    assert list(cat.coll_list(AHOME, BOB)) == [("d", "shared")]
    assert list(cat.coll_list(AHOME, RODS)) == [("d", "secret"), ("d", "shared")]
    # Collections are filtered by their own ACL too: bob sees his home and 'public' only.
    assert list(cat.coll_list(HOME, BOB)) == [("C", "bob"), ("C", "public")]


def test_a_name_another_agent_inserted_since_the_check_is_already_there(cat, monkeypatch):
    """Another process inserts the collection between the existence check and the insert: the
    unique constraint answers CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME (the server's database layer
    maps SQLSTATE 23505 so, low_level_odbc.cpp), never sqlite3.IntegrityError; ``mkdir -p``
    takes it as done (rsMkCollR, server/core/src/collection.cpp)."""
    path = f"{AHOME}/raced"
    cat.coll_create(path, ALICE)
    with raises_code(CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME):
        cat.namespace.insert_coll(path, "alice", ZONE)
    real = cat.namespace.coll_row
    seen = []

    def first_check_misses(p):  # the race: the first look happens before the other's insert
        if p == path and not seen:
            seen.append(p)
            return None
        return real(p)

    monkeypatch.setattr(cat.namespace, "coll_row", first_check_misses)
    assert cat.namespace.coll_create(path, ALICE, recursive=True) == cat.coll_get(path)
    monkeypatch.setattr(cat.namespace, "coll_row", real)
    seen.clear()
    monkeypatch.setattr(cat.namespace, "coll_row", first_check_misses)
    with raises_code(CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME):
        cat.namespace.coll_create(path, ALICE)
