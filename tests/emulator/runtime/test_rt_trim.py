"""msiDataObjTrim: which replicas go, the minimum of good copies, permissions, error codes."""

from __future__ import annotations

import pytest
from rt_helpers import code_of

HOME = "/zoneA/home/alice"
OBJ = f"{HOME}/a.txt"


@pytest.fixture
def two(sb):
    """alice's a.txt with replica 0 on demoResc and replica 1 on replResc."""
    sb.zone("zoneA").catalog.add_resource("replResc")
    client = sb.client("alice#zoneA")
    client.iput(OBJ, b"hello world")
    client.irepl(OBJ, "replResc")
    return sb


def err(fn, *args):
    with pytest.raises(RuntimeError) as info:
        fn(*args)
    return code_of(info.value)


def replicas(sb):
    return sorted((r.repl_num, r.resc_name, r.status)
                  for r in sb.zone("zoneA").catalog.data_get(OBJ))


def test_trim_named_replica_keeps_the_other(two):
    cb = two.callback("zoneA", "alice#zoneA")
    ret = cb.msiDataObjTrim(OBJ, "null", "1", "1", "null", 0)
    assert ret["arguments"][5] == 1
    assert replicas(two) == [(0, "demoResc", 1)]
    # the other replica's bytes are untouched
    assert two.zone("zoneA").catalog.data_read(OBJ) == b"hello world"


def test_never_the_last_good_replica(two):
    cb = two.callback("zoneA", "alice#zoneA")
    # default minimum is 2 copies: with two good replicas neither may go
    assert err(cb.msiDataObjTrim, OBJ, "null", "1", "null", "null", 0) == -402000
    cb.msiDataObjTrim(OBJ, "null", "1", "1", "null", 0)
    assert err(cb.msiDataObjTrim, OBJ, "null", "0", "1", "null", 0) == -402000
    assert replicas(two) == [(0, "demoResc", 1)]


def test_a_stale_replica_may_go_even_below_the_minimum(two):
    two.zone("zoneA").catalog.data_set_status(OBJ, 1, 0)
    cb = two.callback("zoneA", "alice#zoneA")
    assert cb.msiDataObjTrim(OBJ, "null", "1", "null", "null", 0)["arguments"][5] == 1
    assert replicas(two) == [(0, "demoResc", 1)]


def test_by_resource(two):
    cb = two.callback("zoneA", "alice#zoneA")
    # two good replicas, minimum 2: nothing goes, status 0
    assert cb.msiDataObjTrim(OBJ, "replResc", "null", "null", "null", 0)["arguments"][5] == 0
    assert cb.msiDataObjTrim(OBJ, "replResc", "null", "1", "null", 0)["arguments"][5] == 1
    assert replicas(two) == [(0, "demoResc", 1)]
    # the last good one stays whatever minimum is asked for
    assert cb.msiDataObjTrim(OBJ, "demoResc", "null", "1", "null", 0)["arguments"][5] == 0
    assert replicas(two) == [(0, "demoResc", 1)]


def test_error_codes(two):
    cb = two.callback("zoneA", "alice#zoneA")
    assert err(cb.msiDataObjTrim, OBJ, "replResc", "1", "1", "null", 0) == -402000
    assert err(cb.msiDataObjTrim, OBJ, "null", "7", "1", "null", 0) == -164000
    assert err(cb.msiDataObjTrim, OBJ, "null", "x", "1", "null", 0) == -130000
    assert replicas(two) == [(0, "demoResc", 1), (1, "replResc", 1)]


def test_permissions(two):
    cat = two.zone("zoneA").catalog
    cat.add_user("bob", "zoneA", "rodsuser")
    cat.acl_set(OBJ, "bob#zoneA", "write", None)
    bob = two.callback("zoneA", "bob#zoneA")
    assert err(bob.msiDataObjTrim, OBJ, "null", "1", "1", "null", 0) == -818000
    # the admin flag is for rodsadmins only
    assert err(bob.msiDataObjTrim, OBJ, "null", "1", "1", "1", 0) == -830000
    assert len(replicas(two)) == 2
    cat.acl_set(OBJ, "bob#zoneA", "own", None)
    assert bob.msiDataObjTrim(OBJ, "null", "1", "1", "null", 0)["arguments"][5] == 1
    assert replicas(two) == [(0, "demoResc", 1)]


def test_admin_flag_for_a_rodsadmin(two):
    rods = two.callback("zoneA", "rods#zoneA")
    assert rods.msiDataObjTrim(OBJ, "null", "0", "1", "1", 0)["arguments"][5] == 1
    assert replicas(two) == [(1, "replResc", 1)]
    assert two.zone("zoneA").catalog.data_read(OBJ) == b"hello world"
