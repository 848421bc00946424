"""Zone creation, persistence, users, groups, zones and resources."""

from __future__ import annotations

import pytest
from b2safe_sandbox.catalog import ZoneCatalog
from b2safe_sandbox.errors import (
    CAT_INVALID_ARGUMENT,
    CAT_INVALID_USER,
    CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME,
    SYS_INVALID_INPUT_PARAM,
    SYS_RESC_DOES_NOT_EXIST,
)
from cat_helpers import ALICE, HOME, RODS, ZONE, FakeClock, make_zone, raises_code


def test_create_makes_the_standard_layout(cat, tmp_path):
    for path in ("/", f"/{ZONE}", HOME, f"/{ZONE}/trash", f"/{ZONE}/trash/home",
                 f"{HOME}/public", f"{HOME}/alice", f"/{ZONE}/trash/home/alice"):
        assert cat.coll_get(path) is not None, path
    assert cat.coll_get(f"{HOME}/carol") is None  # remote users get no home
    zone = cat.get_zone(ZONE)
    assert (zone.type, zone.connection) == ("local", "tempzone.sandbox:1247")
    resc = cat.get_resource("demoResc")
    assert resc.vault_path == str(tmp_path / "zone" / "vault" / "demoResc")
    assert cat.default_resource == "demoResc"
    assert cat.hash_scheme == "SHA256"
    assert (cat.host, cat.port) == ("tempzone.sandbox", 1247)
    assert cat.coll_get(f"{HOME}/alice").owner_name == "alice"
    assert cat.owner_of(f"{HOME}/alice") == ALICE


def test_state_persists_and_is_shared_between_instances(cat, tmp_path, clock):
    other = ZoneCatalog(tmp_path / "zone", ZONE, clock)
    try:
        cat.data_put(f"{HOME}/alice/f", b"data", ALICE)
        assert other.data_read(f"{HOME}/alice/f") == b"data"
        with other.batch():
            other.avu_add("-d", f"{HOME}/alice/f", "a", "1")
        assert [a.name for a in cat.avu_list("-d", f"{HOME}/alice/f")] == ["a"]
    finally:
        other.close()


def test_open_errors(tmp_path, clock):
    with pytest.raises(FileNotFoundError):
        ZoneCatalog(tmp_path / "nothing", ZONE)
    make_zone(tmp_path / "z", clock).close()
    with pytest.raises(FileExistsError):
        ZoneCatalog.create(tmp_path / "z", ZONE)
    with pytest.raises(ValueError, match="belongs to zone"):
        ZoneCatalog(tmp_path / "z", "otherZone")
    with raises_code(SYS_INVALID_INPUT_PARAM):
        ZoneCatalog.create(tmp_path / "bad", ZONE, hash_scheme="CRC")


def test_times_are_eleven_digit_strings_from_the_clock(cat, clock):
    clock.advance(5)
    row = cat.coll_create(f"{HOME}/alice/c", ALICE)
    assert row.create_time == f"{clock.value:011d}" and len(row.create_time) == 11
    assert cat.now() == clock.value


def test_users(cat):
    alice = cat.get_user("alice", ZONE)
    assert (alice.type, alice.qualified) == ("rodsuser", ALICE)
    assert cat.get_user(ALICE) == alice
    assert cat.get_user("carol#otherZone").zone == "otherZone"
    assert cat.get_user("nobody", ZONE) is None
    assert cat.is_admin(RODS) and not cat.is_admin(ALICE) and not cat.is_admin(None)
    assert not cat.is_admin("nobody#tempZone")
    cat.add_user("rods", "otherZone", "rodsadmin", create_home=False)
    assert not cat.is_admin("rods#otherZone")  # admin of another zone
    names = [u.qualified for u in cat.list_users()]
    assert ALICE in names and "public#tempZone" in names
    with raises_code(CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME):
        cat.add_user("alice", ZONE, "rodsuser")
    with raises_code(CAT_INVALID_ARGUMENT):
        cat.add_user("eve", ZONE, "superuser")
    with raises_code(CAT_INVALID_ARGUMENT):
        cat.add_user("e#ve", ZONE)


def test_groups(cat):
    cat.add_user("team", ZONE, "rodsgroup")
    assert cat.coll_get(f"{HOME}/team") is None
    cat.group_add_member("team", ALICE)
    cat.group_add_member("team", ALICE)
    assert [u.name for u in cat.group_members("team")] == ["alice"]
    cat.group_remove_member("team", ALICE)
    assert cat.group_members("team") == []
    with raises_code(CAT_INVALID_USER):
        cat.group_add_member("alice", RODS)
    with raises_code(CAT_INVALID_USER):
        cat.group_add_member("team", "ghost#tempZone")


def test_zones(cat):
    assert [z.name for z in cat.list_zones()] == [ZONE, "otherZone"]
    assert cat.get_zone("nowhere") is None
    with raises_code(CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME):
        cat.add_zone("otherZone", "remote", "x:1")
    with raises_code(CAT_INVALID_ARGUMENT):
        cat.add_zone("z3", "galactic", "x:1")


def test_resources(cat, tmp_path):
    resc = cat.add_resource("replResc")
    assert (tmp_path / "zone" / "vault" / "replResc").is_dir()
    assert cat.get_resource("replResc") == resc
    custom = cat.add_resource("archive", "unixfilesystem", tmp_path / "elsewhere")
    assert custom.vault_path == str(tmp_path / "elsewhere")
    assert [r.name for r in cat.list_resources()] == ["archive", "demoResc", "replResc"]
    assert cat.get_resource("missing") is None
    with raises_code(CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME):
        cat.add_resource("replResc")
    with raises_code(CAT_INVALID_ARGUMENT):
        cat.add_resource("a/b")
    cat.set_default_resource("replResc")
    assert cat.default_resource == "replResc"
    with raises_code(SYS_RESC_DOES_NOT_EXIST):
        cat.set_default_resource("missing")


def test_failed_batch_rolls_back_everything(cat):
    with pytest.raises(RuntimeError), cat.batch():
        cat.add_user("dave", ZONE)
        cat.coll_create(f"{HOME}/alice/x", ALICE)
        raise RuntimeError("boom")
    assert cat.get_user("dave", ZONE) is None
    assert cat.coll_get(f"{HOME}/alice/x") is None


def test_error_inside_a_batch_undoes_only_that_call(cat):
    with cat.batch():
        cat.coll_create(f"{HOME}/alice/a", ALICE)
        with raises_code(CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME):
            cat.coll_create(f"{HOME}/alice/a", ALICE)
        cat.coll_create(f"{HOME}/alice/b", ALICE)
    assert cat.coll_get(f"{HOME}/alice/a") and cat.coll_get(f"{HOME}/alice/b")


def test_fake_clock_helper_is_deterministic():
    clock = FakeClock(10)
    clock.advance(5)
    assert clock() == 15


def test_the_catalog_offers_every_public_method_of_its_parts(cat):
    # A method added to a part is the catalog's API unless it is named a helper between parts.
    from b2safe_sandbox.catalog import zone

    for part, (cls, forwarded) in zone._FORWARDED.items():
        public = {n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n))}
        assert public - set(forwarded) - zone.PART_HELPERS == set(), part
        assert isinstance(getattr(cat, part), cls)
        for name in forwarded:
            assert getattr(ZoneCatalog, name).__doc__ == getattr(cls, name).__doc__
