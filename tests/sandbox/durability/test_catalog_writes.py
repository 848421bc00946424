"""PrepCatalog writes against the sandbox catalog: what is tolerated and what is not lost."""

from __future__ import annotations

import contextlib

import pytest

from b2safe import errors
from b2safe.adapters.prep.catalog import PrepCatalog

PATH = "/zoneA/home/alice/avu.dat"


@contextlib.contextmanager
def catalog(world, user="alice#zoneA"):
    """A PrepCatalog of zoneA for ``user``, used as a rule running there would (the zone's
    PREP modules current)."""
    with world.sb.toplevel(), world.sb.zone("zoneA").env.active():
        yield PrepCatalog(world.sb.callback("zoneA", user), "zoneA",
                          admin=user.startswith("rods#"))


@pytest.mark.parametrize("known_absent", [False, True])
def test_add_avu_of_a_present_pair_is_tolerated(world, known_absent):
    world.client("alice#zoneA").iput(PATH, b"x")
    with catalog(world) as cat:
        cat.add_avu(PATH, "-d", "color", "blue")
        cat.add_avu(PATH, "-d", "color", "blue", known_absent=known_absent)
    assert world.avus(PATH)["color"] == ["blue"]


def test_add_avu_that_the_catalog_refuses_raises_instead_of_being_lost(world):
    """Issue 15: CAT_SQL_ERR was taken for "already present", so a value longer than iRODS'
    2,700 characters (R_META_MAIN varchar(2700)) vanished without an error."""
    world.client("alice#zoneA").iput(PATH, b"x")
    with catalog(world) as cat:
        with pytest.raises(errors.B2SafeError) as caught:
            cat.add_avu(PATH, "-d", "long", "v" * 2701, known_absent=True)
    assert caught.value.code == errors.CAT_SQL_ERR
    assert "long" not in world.avus(PATH)


@pytest.mark.parametrize("user", ["alice#zoneA", "rods#zoneA"])
def test_add_avu_keeps_its_units_on_either_route(world, user):
    """msiModAVUMetadata (alice) and, for a rodsadmin, msi_atomic_apply_metadata_operations
    with admin_mode: the units given are stored (the admin route wrote '' before)."""
    world.client("alice#zoneA").iput(PATH, b"x")
    with catalog(world, user) as cat:
        cat.add_avu(PATH, "-d", "color", "blue", units="hue")
        assert [(a.value, a.units) for a in cat.avus(PATH, "-d", "color")] == [("blue", "hue")]

