"""A zone with MD5 checksums (zoneB) and one with SHA256 (zoneA): integrity checks and
replication compare across the schemes by computing the checksum the other side needs from the
object's bytes (msiDataObjOpen/Read in the sandbox), not by refusing. B2SAFE devel PR #124 is
the 4.x line's answer to the same federations."""

from __future__ import annotations

import hashlib

import pytest

SRC = "/zoneA/home/alice/mixed.dat"
REPLICA = "/zoneB/replicas/mixed.dat"
DATA = b"the same bytes in two zones\n"


@pytest.fixture
def mixed(fed):
    fed.sb.zone("zoneB").catalog.db.set_setting("hash_scheme", "MD5")
    fed.configure("zoneB", zone={"hash_scheme": "MD5"})
    fed.client().iput(SRC, DATA)
    fed.client().ichksum(SRC)
    return fed


def put_md5_replica(world, data):
    client = world.client("rods#zoneB")
    client.iput(REPLICA, data)
    client.ichmod("own", "alice#zoneA", REPLICA)
    checksum = client.ichksum(REPLICA)
    assert checksum == hashlib.md5(data).hexdigest()  # noqa: S324 - zoneB is an MD5 zone
    return checksum


def test_integrity_passes_for_equal_bytes_under_different_schemes(mixed):
    put_md5_replica(mixed, DATA)
    out = mixed.call("EUDATCheckIntegrityDO", SRC, REPLICA, "false", "", "")
    assert out[4] == "true", out[3]
    assert "!=" not in out[3]


def test_integrity_finds_different_bytes_under_different_schemes(mixed):
    put_md5_replica(mixed, b"other bytes of the same size!\n"[:len(DATA)])
    out = mixed.call("EUDATCheckIntegrityDO", SRC, REPLICA, "false", "", "")
    assert out[4] == "false"
    assert "checksum" in out[3] and "!=" in out[3]


def test_replication_into_an_md5_zone_verifies_and_registers(mixed):
    out = mixed.call("EUDATReplication", SRC, REPLICA, "true", "false", "")
    assert out[4].startswith(f"{SRC}::{REPLICA}::")
    mixed.client("rods#zoneB").ichksum(REPLICA, force=True)  # zoneB's own MD5 now
    out = mixed.call("EUDATCheckIntegrityDO", SRC, REPLICA, "false", "", "")
    assert out[4] == "true", out[3]


def _replica_row(world):
    return world.sb.zone("zoneB").catalog.data_get(REPLICA)[0]


def test_replication_does_not_copy_again_a_replica_equal_under_another_scheme(mixed):
    """rsync compares checksum strings (rsDataObjRsync.cpp: strcmp), so an MD5-registered copy
    of the same bytes would be copied on every run; b2safe compares across the schemes first."""
    md5 = put_md5_replica(mixed, DATA)
    before = _replica_row(mixed)
    mixed.sb.clock.advance(60)
    out = mixed.call("EUDATReplication", SRC, REPLICA, "false", "false", "")
    assert out[4] == f"{SRC}::{REPLICA}::null::registered=false::recursive=false"
    after = _replica_row(mixed)
    assert (after.checksum, after.modify_time) == (md5, before.modify_time)  # not copied


def test_replication_copies_a_replica_that_differs_under_another_scheme(mixed):
    put_md5_replica(mixed, b"other bytes of the same size!\n"[:len(DATA)])
    mixed.call("EUDATReplication", SRC, REPLICA, "false", "false", "")
    assert mixed.client("rods#zoneB").iget(REPLICA) == DATA
    assert _replica_row(mixed).checksum == mixed.client().ichksum(SRC)  # rsync registered it


TREE, TREE_COPY = "/zoneA/home/alice/mixedtree", "/zoneB/replicas/mixedtree"
NAMES = ("a.dat", "sub/b.dat", "sub/c.dat")
OTHER = b"other bytes of the same size!\n"[:len(DATA)]


def mixed_tree(world):
    """A source tree (SHA256) and its copy in the MD5 zone: a.dat and sub/b.dat the same bytes,
    sub/c.dat other bytes of the same size; returns the copies' rows before any replication."""
    here, there = world.client(), world.client("rods#zoneB")
    here.imkdir(f"{TREE}/sub", parents=True)
    there.imkdir(f"{TREE_COPY}/sub", parents=True)
    for name in NAMES:
        here.iput(f"{TREE}/{name}", DATA)
        here.ichksum(f"{TREE}/{name}")
        there.iput(f"{TREE_COPY}/{name}", OTHER if name == "sub/c.dat" else DATA)
        there.ichksum(f"{TREE_COPY}/{name}")
    world.sb.clock.advance(60)
    return copy_rows(world)


def copy_rows(world):
    catalog = world.sb.zone("zoneB").catalog
    return {name: catalog.data_get(f"{TREE_COPY}/{name}")[0] for name in NAMES}


def assert_only_the_different_copy_was_copied(world, before):
    after = copy_rows(world)
    for name in ("a.dat", "sub/b.dat"):  # equal bytes: left alone, still MD5-registered
        assert (after[name].checksum, after[name].modify_time) == \
            (before[name].checksum, before[name].modify_time), name
        assert after[name].checksum == hashlib.md5(DATA).hexdigest()  # noqa: S324
    assert world.client("rods#zoneB").iget(f"{TREE_COPY}/sub/c.dat") == DATA
    assert after["sub/c.dat"].checksum == world.client().ichksum(f"{TREE}/sub/c.dat")
    assert after["sub/c.dat"].modify_time > before["sub/c.dat"].modify_time


def test_collection_replication_copies_only_copies_that_differ_under_another_scheme(mixed):
    """msiCollRsync would rsync every object (reDataObjOpr.cpp _rsCollRsync), each compared by
    checksum strings: the two equal MD5-registered copies would be copied again."""
    before = mixed_tree(mixed)
    out = mixed.call("EUDATReplication", TREE, TREE_COPY, "false", "true", "")
    assert out[4].startswith(f"{TREE}::{TREE_COPY}::"), out
    assert_only_the_different_copy_was_copied(mixed, before)


def test_batched_replication_copies_only_copies_that_differ_under_another_scheme(mixed):
    before = mixed_tree(mixed)
    out = mixed.call("EUDATReplicationBatched", TREE, TREE_COPY, "false", "10", "",
                     user="alice#zoneA")
    assert out[-1].startswith("scheduled=2 "), out
    results = mixed.sb.run_delayed(advance=2)
    assert results and all(r.succeeded for r in results), results
    assert_only_the_different_copy_was_copied(mixed, before)
