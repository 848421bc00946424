"""ACLs: levels, nesting, groups, inheritance, recursion and admin bypass."""

from __future__ import annotations

from b2safe_sandbox.catalog import AclRow
from b2safe_sandbox.errors import (
    CAT_INVALID_ARGUMENT,
    CAT_INVALID_USER,
    CAT_NO_ACCESS_PERMISSION,
    CAT_UNKNOWN_COLLECTION,
    CAT_UNKNOWN_FILE,
)
from cat_helpers import AHOME, ALICE, BOB, CAROL, RODS, ZONE, raises_code

F = f"{AHOME}/f"


def test_owner_owns_new_objects(cat):
    cat.data_put(F, b"", ALICE)
    assert cat.acl_list(F) == [AclRow("alice", ZONE, "own")]
    assert cat.check_access(F, ALICE, "own")


def test_levels_nest(cat):
    cat.data_put(F, b"", ALICE)
    assert not cat.check_access(F, BOB, "read_object")
    cat.acl_set(F, BOB, "read", ALICE)
    assert cat.check_access(F, BOB, "read_object")
    assert not cat.check_access(F, BOB, "modify_object")
    cat.acl_set(F, BOB, "write", ALICE)
    assert cat.check_access(F, BOB, "read") and cat.check_access(F, BOB, "modify_object")
    assert not cat.check_access(F, BOB, "own")
    cat.acl_set(F, BOB, "own", ALICE)
    assert cat.check_access(F, BOB, "own")
    cat.acl_set(F, BOB, "read", ALICE)  # lowering replaces
    assert not cat.check_access(F, BOB, "modify_object")
    cat.acl_set(F, BOB, "null", ALICE)
    assert cat.acl_list(F) == [AclRow("alice", ZONE, "own")]
    assert not cat.check_access(F, BOB, "read")


def test_acl_names_as_irods_reports_them(cat):
    cat.data_put(F, b"", ALICE)
    cat.acl_set(F, BOB, "write", ALICE)
    cat.acl_set(F, CAROL, "read", ALICE)
    assert cat.acl_list(F) == [AclRow("carol", "otherZone", "read_object"),
                               AclRow("alice", ZONE, "own"),
                               AclRow("bob", ZONE, "modify_object")]


def test_a_rodsadmin_is_not_above_acls_and_unknown_paths(cat):
    # irods plugins/database/src/mid_level_routines.cpp@5.0.2 L1012-1075 (cmlCheckDataObjOnly):
    # every client user, rodsadmin included, is checked against R_OBJT_ACCESS; admin mode (the
    # callers' actor None) skips it. msiCheckAccess only reads ACL rows (objMetaOpr.cpp L603).
    cat.data_put(F, b"", ALICE)
    assert not cat.check_access(F, RODS, "read")
    assert cat.check_access(F, None, "own")
    assert cat.visible(F, RODS) and not cat.visible(F, BOB)  # GenQuery: admin sees all
    assert not cat.check_access(f"{AHOME}/none", ALICE, "read")
    assert not cat.check_access("/otherZone/x", ALICE, "read")
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.acl_set(F, BOB, "read", RODS)
    cat.acl_set(F, BOB, "read", None)  # admin mode (ichmod -M, msiSetACL 'admin:read')
    assert cat.check_access(F, BOB, "read")
    with raises_code(CAT_INVALID_ARGUMENT):
        cat.check_access(F, ALICE, "everything")


def test_only_owners_change_acls(cat):
    cat.data_put(F, b"", ALICE)
    cat.acl_set(F, BOB, "write", ALICE)
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.acl_set(F, BOB, "own", BOB)


def test_acl_errors(cat):
    cat.data_put(F, b"", ALICE)
    with raises_code(CAT_UNKNOWN_FILE):
        cat.acl_set(f"{AHOME}/none", BOB, "read", ALICE)
    with raises_code(CAT_INVALID_USER):
        cat.acl_set(F, "ghost#tempZone", "read", ALICE)
    with raises_code(CAT_INVALID_ARGUMENT):
        cat.acl_set(F, BOB, "superpowers", ALICE)
    with raises_code(CAT_UNKNOWN_FILE):
        cat.acl_list(f"{AHOME}/none")


def test_bare_user_name_means_this_zone(cat):
    cat.data_put(F, b"", ALICE)
    cat.acl_set(F, "bob", "read", ALICE)
    assert cat.check_access(F, BOB, "read")


def test_groups_and_public(cat):
    cat.add_user("team", ZONE, "rodsgroup")
    cat.group_add_member("team", BOB)
    cat.data_put(F, b"", ALICE)
    cat.acl_set(F, "team", "write", ALICE)
    assert cat.check_access(F, BOB, "write")
    assert not cat.check_access(F, CAROL, "read")
    cat.acl_set(F, "public", "read", ALICE)
    assert cat.check_access(F, CAROL, "read")


def test_inheritance(cat):
    coll = f"{AHOME}/inh"
    cat.coll_create(coll, ALICE)
    cat.acl_set(coll, BOB, "read", ALICE)
    cat.data_put(f"{coll}/before", b"", ALICE)
    assert not cat.check_access(f"{coll}/before", BOB, "read")
    cat.acl_inherit(coll, True, ALICE)
    assert cat.coll_get(coll).inherit
    cat.data_put(f"{coll}/after", b"", ALICE)
    assert cat.check_access(f"{coll}/after", BOB, "read")
    sub = cat.coll_create(f"{coll}/sub", ALICE)
    assert sub.inherit and cat.check_access(f"{coll}/sub", BOB, "read")
    cat.data_put(f"{coll}/sub/deep", b"", ALICE)
    assert cat.check_access(f"{coll}/sub/deep", BOB, "read")
    # an object created by someone else in an inheriting collection: creator owns it
    cat.acl_set(coll, BOB, "write", ALICE)
    cat.data_put(f"{coll}/bobs", b"", BOB)
    assert cat.check_access(f"{coll}/bobs", BOB, "own")
    assert cat.check_access(f"{coll}/bobs", ALICE, "own")  # alice's 'own' was inherited
    cat.acl_inherit(coll, False, ALICE)
    cat.data_put(f"{coll}/later", b"", ALICE)
    assert not cat.check_access(f"{coll}/later", BOB, "read")


def test_inherit_errors_and_recursion(cat):
    with raises_code(CAT_UNKNOWN_COLLECTION):
        cat.acl_inherit(f"{AHOME}/none", True, ALICE)
    cat.coll_create(f"{AHOME}/a/b", ALICE, recursive=True)
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.acl_inherit(f"{AHOME}/a", True, BOB)
    cat.acl_inherit(f"{AHOME}/a", True, ALICE, recursive=True)
    assert cat.coll_get(f"{AHOME}/a/b").inherit


def test_recursive_acl_set(cat):
    cat.coll_create(f"{AHOME}/r/s", ALICE, recursive=True)
    cat.data_put(f"{AHOME}/r/s/f", b"", ALICE)
    cat.acl_set(f"{AHOME}/r", BOB, "read", ALICE, recursive=True)
    for path in (f"{AHOME}/r", f"{AHOME}/r/s", f"{AHOME}/r/s/f"):
        assert cat.check_access(path, BOB, "read"), path
    cat.acl_set(f"{AHOME}/r", BOB, "null", None, recursive=True)
    assert not cat.check_access(f"{AHOME}/r/s/f", BOB, "read")
