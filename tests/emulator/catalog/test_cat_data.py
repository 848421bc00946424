"""Data objects and replicas: put, create/write/finalize, read, replicate, copy, rename, unlink."""

from __future__ import annotations

from pathlib import Path

import pytest
from b2safe_sandbox.catalog import ZoneCatalog
from b2safe_sandbox.errors import (
    CAT_INVALID_ARGUMENT,
    CAT_NAME_EXISTS_AS_COLLECTION,
    CAT_NAME_EXISTS_AS_DATAOBJ,
    CAT_NO_ACCESS_PERMISSION,
    CAT_UNKNOWN_COLLECTION,
    CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME,
    OVERWRITE_WITHOUT_FORCE_FLAG,
    SYS_NO_GOOD_REPLICA,
    SYS_NOT_ALLOWED,
    SYS_REPLICA_DOES_NOT_EXIST,
    SYS_RESC_DOES_NOT_EXIST,
    UNIX_FILE_OPEN_ERR,
    USER_CHKSUM_MISMATCH,
    USER_FILE_DOES_NOT_EXIST,
    USER_FILE_SIZE_MISMATCH,
)
from cat_helpers import AHOME, ALICE, BHOME, BOB, RODS, ZONE, raises_code

F = f"{AHOME}/f.txt"


@pytest.fixture
def two_rescs(cat):
    cat.add_resource("replResc")
    return cat


def test_put_creates_replica_zero(cat, clock, tmp_path):
    rep = cat.data_put(F, b"hello", ALICE, data_type="text")
    assert (rep.path, rep.coll_path, rep.name, rep.repl_num, rep.resc_name, rep.resc_hier) == (
        F, AHOME, "f.txt", 0, "demoResc", "demoResc")
    assert (rep.status, rep.size, rep.checksum, rep.owner_name, rep.owner_zone) == (
        1, 5, "", "alice", ZONE)
    assert rep.create_time == rep.modify_time == f"{clock.value:011d}"
    assert rep.data_type == "text"
    assert rep.phys_path == str(tmp_path / "zone" / "vault" / "demoResc" / "home/alice/f.txt")
    assert Path(rep.phys_path).read_bytes() == b"hello"
    assert cat.data_exists(F) and not cat.data_exists(f"{AHOME}/other")
    assert cat.data_get(F) == [rep] and cat.data_get(f"{AHOME}/other") == []
    assert cat.acl_list(F)[0].access == "own"


def test_an_agent_losing_the_race_to_create_a_path_leaves_the_winners_file(cat, monkeypatch):
    # Two agents (two connections) put the same new path; the loser found no such object just
    # before the winner created it. As rsDataObjOpen registers a new replica before it creates
    # the file, the loser fails on the catalog's unique name and never writes the file.
    loser = ZoneCatalog(cat.zone_dir, ZONE)
    checked = loser.data._prepare_write

    def winner_creates_it_after_the_check(*args, **kwargs):
        found = checked(*args, **kwargs)
        cat.data_put(F, b"the winner's bytes", ALICE)
        return found

    monkeypatch.setattr(loser.data, "_prepare_write", winner_creates_it_after_the_check)
    try:
        with raises_code(CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME):
            loser.data_put(F, b"the loser's", ALICE)
    finally:
        loser.close()
    assert cat.data_read(F, actor=ALICE) == b"the winner's bytes"
    assert [(r.size, r.status) for r in cat.data_get(F)] == [(18, 1)]


def test_a_put_whose_file_cannot_be_written_leaves_no_object(cat, tmp_path):
    with pytest.raises(FileNotFoundError):
        cat.data_put(F, tmp_path / "no such local file", ALICE)
    assert not cat.data_exists(F)
    cat.data_put(F, b"again", ALICE)
    assert [a.access for a in cat.acl_list(F)] == ["own"]


def test_put_from_a_local_file_with_checksum(cat, tmp_path):
    local = tmp_path / "local.bin"
    local.write_bytes(b"x" * 3000)
    rep = cat.data_put(F, local, ALICE, checksum=True)
    assert rep.size == 3000 and rep.checksum.startswith("sha2:")


def test_put_errors(cat):
    cat.data_put(F, b"a", ALICE)
    with raises_code(OVERWRITE_WITHOUT_FORCE_FLAG):
        cat.data_put(F, b"b", ALICE)
    with raises_code(CAT_UNKNOWN_COLLECTION):
        cat.data_put(f"{AHOME}/none/f", b"", ALICE)
    with raises_code(CAT_NAME_EXISTS_AS_COLLECTION):
        cat.data_put(AHOME, b"", ALICE)
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.data_put(f"{BHOME}/f", b"", ALICE)
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.data_put(F, b"b", BOB, force=True)
    with raises_code(SYS_RESC_DOES_NOT_EXIST):
        cat.data_put(f"{AHOME}/g", b"", ALICE, resc="nope")


def test_overwrite_marks_other_replicas_stale_and_clears_checksum(two_rescs, clock):
    cat = two_rescs
    cat.data_put(F, b"v1", ALICE, checksum=True)
    cat.data_replicate(F, "replResc", ALICE)
    clock.advance(60)
    rep = cat.data_put(F, b"version2", ALICE, force=True)
    assert rep.repl_num == 0 and rep.size == 8 and rep.checksum == ""
    assert rep.modify_time == f"{clock.value:011d}"
    stale = cat.data_get(F, 1)[0]
    assert (stale.status, stale.size) == (0, 2)
    assert cat.data_read(F) == b"version2"
    with raises_code(SYS_NO_GOOD_REPLICA):
        cat.data_read(F, repl_num=1)
    # writing to a resource without a replica adds one and makes the others stale
    cat.add_resource("third")
    rep = cat.data_put(F, b"v3", ALICE, resc="third", force=True)
    assert rep.repl_num == 2
    assert [r.status for r in cat.data_get(F)] == [0, 0, 1]


def test_create_write_finalize(two_rescs):
    cat = two_rescs
    rep = cat.data_create(F, ALICE)
    assert (rep.status, rep.size) == (2, 0)
    assert cat.data_write(F, 0, b"abc", 0) == 3
    cat.data_write(F, 3, b"def", 0)
    done = cat.data_finalize(F, 0)
    assert (done.status, done.size) == (1, 6)
    assert cat.data_read(F) == b"abcdef"
    cat.data_replicate(F, "replResc", ALICE)
    cat.data_create(F, ALICE, force=True)
    cat.data_write(F, 0, b"Z", 0)
    assert cat.data_get(F, 1)[0].status == 1  # still good until the new one is closed
    cat.data_finalize(F, 0)
    assert [(r.status, r.size) for r in cat.data_get(F)] == [(1, 1), (0, 6)]
    with raises_code(OVERWRITE_WITHOUT_FORCE_FLAG):
        cat.data_create(F, ALICE)
    with raises_code(SYS_REPLICA_DOES_NOT_EXIST):
        cat.data_write(F, 0, b"x", 7)
    with raises_code(USER_FILE_DOES_NOT_EXIST):
        cat.data_finalize(f"{AHOME}/nothing", 0)


def test_read_permissions_and_ranges(cat):
    cat.data_put(F, b"0123456789", ALICE)
    assert cat.data_read(F, offset=2, length=3, actor=ALICE) == b"234"
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.data_read(F, actor=BOB)
    with raises_code(CAT_NO_ACCESS_PERMISSION):  # a rodsadmin too (cmlCheckDataObjOnly)
        cat.data_read(F, actor=RODS)
    assert cat.data_read(F, actor=None) == b"0123456789"  # admin keyword / internal
    cat.acl_set(F, BOB, "read", ALICE)
    with cat.data_open_stream(F, actor=BOB) as stream:
        assert stream.read() == b"0123456789"
    with raises_code(USER_FILE_DOES_NOT_EXIST):
        cat.data_read(f"{AHOME}/nothing")
    with raises_code(SYS_REPLICA_DOES_NOT_EXIST):
        cat.data_read(F, repl_num=3)
    Path(cat.data_get(F)[0].phys_path).unlink()
    with raises_code(UNIX_FILE_OPEN_ERR):
        cat.data_read(F)


def test_replicate(two_rescs):
    cat = two_rescs
    cat.data_put(F, b"content", ALICE, checksum=True)
    rep = cat.data_replicate(F, "replResc", ALICE)
    assert (rep.repl_num, rep.resc_name, rep.status, rep.size) == (1, "replResc", 1, 7)
    assert rep.checksum == cat.data_get(F, 0)[0].checksum
    assert cat.data_read(F, repl_num=1) == b"content"
    assert cat.data_replicate(F, "replResc", ALICE) == rep  # already good: no-op
    assert len(cat.data_get(F)) == 2
    with raises_code(SYS_RESC_DOES_NOT_EXIST):
        cat.data_replicate(F, "nope", ALICE)
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.data_replicate(F, "replResc", BOB)
    with raises_code(USER_FILE_DOES_NOT_EXIST):
        cat.data_replicate(f"{AHOME}/nothing", "replResc", ALICE)


def test_replicate_updates_a_stale_replica_from_a_named_source(two_rescs):
    cat = two_rescs
    cat.data_put(F, b"old", ALICE)
    cat.data_replicate(F, "replResc", ALICE)
    cat.data_put(F, b"newer", ALICE, force=True)
    assert cat.data_get(F, 1)[0].status == 0
    with raises_code(SYS_NOT_ALLOWED):
        cat.data_replicate(F, "demoResc", ALICE, src_repl=1)
    rep = cat.data_replicate(F, "replResc", ALICE, src_repl=0, update=True)
    assert (rep.repl_num, rep.status, rep.size) == (1, 1, 5)
    assert cat.data_read(F, repl_num=1) == b"newer"
    with raises_code(SYS_REPLICA_DOES_NOT_EXIST):
        cat.data_replicate(F, "replResc", ALICE, src_repl=9)


def test_replicate_without_good_replica(two_rescs):
    cat = two_rescs
    cat.data_put(F, b"x", ALICE)
    cat.data_set_status(F, 0, 0)
    with raises_code(SYS_NO_GOOD_REPLICA):
        cat.data_replicate(F, "replResc", ALICE)


def test_replicate_detects_corrupt_source(two_rescs):
    cat = two_rescs
    cat.data_put(F, b"content", ALICE, checksum=True)
    cat.corrupt_replica(F, 0, "flip", 0)
    with raises_code(USER_CHKSUM_MISMATCH):
        cat.data_replicate(F, "replResc", ALICE)
    assert len(cat.data_get(F)) == 1
    cat.corrupt_replica(F, 0, "truncate", 2)
    with raises_code(USER_FILE_SIZE_MISMATCH):
        cat.data_replicate(F, "replResc", ALICE)
    assert len(cat.data_get(F)) == 1


def test_copy(two_rescs):
    cat = two_rescs
    cat.data_put(F, b"copy me", ALICE, checksum=True, data_type="text")
    cat.acl_set(F, BOB, "read", ALICE)
    rep = cat.data_copy(F, f"{BHOME}/c", BOB, resc="replResc")
    src = cat.data_get(F)[0]
    assert rep.data_id != src.data_id and rep.owner_name == "bob"
    assert (rep.resc_name, rep.checksum, rep.data_type) == ("replResc", src.checksum, "text")
    assert cat.data_read(f"{BHOME}/c") == b"copy me"
    with raises_code(OVERWRITE_WITHOUT_FORCE_FLAG):
        cat.data_copy(F, f"{BHOME}/c", BOB)
    cat.data_copy(F, f"{BHOME}/c", BOB, force=True)
    with raises_code(CAT_INVALID_ARGUMENT):
        cat.data_copy(F, F, ALICE)
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.data_copy(f"{BHOME}/c", f"{AHOME}/x", ALICE)
    cat.corrupt_replica(F, 0)
    with raises_code(USER_CHKSUM_MISMATCH):
        cat.data_copy(F, f"{AHOME}/bad", ALICE)
    assert not cat.data_exists(f"{AHOME}/bad")


def test_rename_keeps_identity_and_moves_files(two_rescs):
    cat = two_rescs
    cat.data_put(F, b"abc", ALICE)
    cat.data_replicate(F, "replResc", ALICE)
    cat.avu_add("-d", F, "k", "v")
    before = cat.data_get(F)
    cat.coll_create(f"{AHOME}/sub", ALICE)
    moved = cat.data_rename(F, f"{AHOME}/sub/g", ALICE)
    after = cat.data_get(f"{AHOME}/sub/g")
    assert moved == after[0] and len(after) == 2
    assert {r.data_id for r in after} == {before[0].data_id}
    assert all(r.phys_path.endswith("home/alice/sub/g") for r in after)
    assert not any(Path(r.phys_path).exists() for r in before)
    assert cat.data_read(f"{AHOME}/sub/g", repl_num=1) == b"abc"
    assert cat.avu_list("-d", f"{AHOME}/sub/g")[0].name == "k"
    assert not cat.data_exists(F)


def test_rename_errors(cat):
    cat.data_put(F, b"", ALICE)
    cat.data_put(f"{AHOME}/g", b"", ALICE)
    with raises_code(CAT_NAME_EXISTS_AS_DATAOBJ):
        cat.data_rename(F, f"{AHOME}/g", ALICE)
    with raises_code(CAT_NAME_EXISTS_AS_COLLECTION):
        cat.data_rename(F, AHOME, ALICE)
    with raises_code(CAT_UNKNOWN_COLLECTION):
        cat.data_rename(F, f"{AHOME}/x/y", ALICE)
    with raises_code(USER_FILE_DOES_NOT_EXIST):
        cat.data_rename(f"{AHOME}/none", f"{AHOME}/y", ALICE)
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.data_rename(F, f"{AHOME}/y", BOB)
    cat.acl_set(F, BOB, "write", ALICE)
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.data_rename(F, f"{AHOME}/y", BOB)  # Guess: renaming needs own


def test_unlink_replica_then_object(two_rescs):
    cat = two_rescs
    cat.data_put(F, b"abc", ALICE)
    cat.data_replicate(F, "replResc", ALICE)
    cat.avu_add("-d", F, "k", "v")
    data_id = cat.data_get(F)[0].data_id
    phys = [r.phys_path for r in cat.data_get(F)]
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.data_unlink(F, BOB)
    with raises_code(SYS_REPLICA_DOES_NOT_EXIST):
        cat.data_unlink(F, ALICE, repl_num=5)
    cat.data_unlink(F, ALICE, repl_num=0)
    assert [r.repl_num for r in cat.data_get(F)] == [1]
    assert not Path(phys[0]).exists() and Path(phys[1]).exists()
    cat.data_unlink(F, ALICE)
    assert not cat.data_exists(F) and not Path(phys[1]).exists()
    assert cat.genquery(["META_DATA_ATTR_NAME"], f"DATA_ID = '{data_id}'", None).rows == []
    assert cat.genquery(["DATA_ACCESS_USER_ID"], f"DATA_ACCESS_DATA_ID = '{data_id}'",
                        None).rows == []
    with raises_code(USER_FILE_DOES_NOT_EXIST):
        cat.data_unlink(F, ALICE)


def test_status_and_modify_time(cat):
    cat.data_put(F, b"", ALICE)
    cat.data_set_status(F, 0, 0)
    assert cat.data_get(F)[0].status == 0
    cat.set_modify_time(F, 42)
    assert cat.data_get(F)[0].modify_time == "00000000042"
    cat.set_modify_time(F, 43, repl_num=0)
    assert cat.data_get(F)[0].modify_time == "00000000043"
    cat.set_modify_time(AHOME, 44)
    assert cat.coll_get(AHOME).modify_time == "00000000044"
    with raises_code(USER_FILE_DOES_NOT_EXIST):
        cat.set_modify_time(f"{AHOME}/none", 1)
    with raises_code(SYS_REPLICA_DOES_NOT_EXIST):
        cat.data_set_status(F, 3, 1)


def test_owner_of(cat):
    cat.data_put(F, b"", ALICE)
    assert cat.owner_of(F) == ALICE
    assert cat.owner_of(f"{AHOME}/none") is None


def test_remote_users_can_write_where_granted(cat):
    cat.acl_set(AHOME, "carol#otherZone", "write", ALICE)
    rep = cat.data_put(f"{AHOME}/from_carol", b"hi", "carol#otherZone")
    assert (rep.owner_name, rep.owner_zone) == ("carol", "otherZone")
    assert cat.check_access(f"{AHOME}/from_carol", "carol#otherZone", "own")
