"""PrepCatalog.check_access_many: the client's rights on many paths from her ACL rows (one
GenQuery per page), answering as msiCheckAccess answers each path (irods/irods
server/re/src/icatGeneralMS.cpp msiCheckAccess -> server/core/src/objMetaOpr.cpp
checkPermissionByObjType), which EUDATRegisterReplicas used to call once per replica."""

from __future__ import annotations

import contextlib

import pytest

from b2safe.adapters.prep.catalog import PrepCatalog
from b2safe.ports import Caller

BOB = "/zoneA/home/bob"
SHARED = f"{BOB}/shared"


@contextlib.contextmanager
def catalog(world, zone, user):
    """A PrepCatalog of ``zone`` for the client ``user`` (as a rule there gets it)."""
    name, user_zone = user.split("#")
    client = Caller(name, user_zone, 3, "rodsuser")
    with world.sb.toplevel(), world.sb.zone(zone).env.active():
        yield PrepCatalog(world.sb.callback(zone, user), zone, client=client)


@pytest.fixture
def grants(world):
    """bob's objects with every kind of right for alice: direct write, read only, none,
    write through a group of this zone, a collection she may write, a name no GenQuery
    ``in`` list can carry."""
    zone = world.sb.zone("zoneA").catalog
    zone.add_user("bob", "zoneA", "rodsuser")
    admin = world.client("rods#zoneA")
    admin.imkdir(BOB, parents=True)
    admin.ichmod("own", "bob#zoneA", BOB, admin=True)
    bob = world.client("bob#zoneA")
    bob.imkdir(SHARED, parents=True)
    paths = {}
    for name in ("write", "read", "none", "group", "a,b(c).dat"):
        bob.iput(f"{BOB}/{name}", b"x")
        paths[name] = f"{BOB}/{name}"
    zone.add_user("team", "zoneA", "rodsgroup")
    zone.group_add_member("team", "alice#zoneA")
    bob.ichmod("write", "alice#zoneA", paths["write"])
    bob.ichmod("read", "alice#zoneA", paths["read"])
    bob.ichmod("write", "team#zoneA", paths["group"])
    bob.ichmod("write", "alice#zoneA", paths["a,b(c).dat"])
    bob.ichmod("write", "alice#zoneA", SHARED)
    return [*paths.values(), SHARED, BOB]


@pytest.mark.parametrize("level", ["read_object", "modify_object", "own"])
def test_a_local_users_rights_are_msiCheckAccess_answers(world, grants, level):
    with catalog(world, "zoneA", "alice#zoneA") as cat:
        one_by_one = {p for p in grants if cat.check_access(p, level)}
        world.sb.reset_stats()
        many = cat.check_access_many([*grants, f"{BOB}/absent"], level)
    assert many == one_by_one
    if level == "modify_object":
        assert many == {f"{BOB}/write", f"{BOB}/group", f"{BOB}/a,b(c).dat", SHARED}
    msi = world.sb.stats()["zoneA"]["msi"]
    assert msi.get("msiCheckAccess", 0) == 0
    # the listable names, the odd name, the remaining paths as collections (the odd one alone)
    assert msi["msiExecGenQuery"] <= 4


def test_a_user_of_another_zone_has_only_her_own_entries(fed):
    """checkPermissionByObjType looks a group up as getUserId(group, the user's zone): this
    zone's groups are not found for a user of another zone, so only her own entries count
    (here: the rodsadmin of zoneA in zoneB's replica area, own by inheritance, not a right
    the public group holds)."""
    b = fed.client("rods#zoneB")
    b.iput("/zoneB/replicas/mine.dat", b"x")
    b.imkdir("/zoneB/open", parents=True)
    b.iput("/zoneB/open/public.dat", b"x")
    b.ichmod("write", "public#zoneB", "/zoneB/open/public.dat")
    with catalog(fed, "zoneB", "rods#zoneA") as cat:
        many = cat.check_access_many(["/zoneB/replicas/mine.dat", "/zoneB/open/public.dat"],
                                     "modify_object")
    assert many == {"/zoneB/replicas/mine.dat"}
