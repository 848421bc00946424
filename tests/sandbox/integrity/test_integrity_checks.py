"""EUDATCheckIntegrity* in the sandbox: original forms and responses, the three witnesses."""

from __future__ import annotations

from b2safe.workflows.integrity import PENDING_AVU, parse_pending

from .conftest import DST, SRC


def test_do_agrees_after_replication(tree):
    args = tree.call("EUDATCheckIntegrityDO", f"{SRC}/a.txt", f"{DST}/a.txt", "true", "", "")
    assert args[4] == "true"
    assert args[3].startswith(f"checksum({SRC}/a.txt):sha2:")
    assert f" = checksum({DST}/a.txt):sha2:" in args[3]


def test_size_mismatch_is_reported_in_b2safe_words(tree):
    tree.sb.zone("zoneB").catalog.data_put(f"{DST}/a.txt", b"alpha-longer", "alice#zoneB",
                                           force=True)
    args = tree.call("EUDATCheckIntegrityDO", f"{SRC}/a.txt", "demoResc", f"{DST}/a.txt",
                     "demoResc", "true", "", "")
    assert args[6] == "false"
    assert f"size({SRC}/a.txt:demoResc:):5 != size({DST}/a.txt:demoResc:):12" in args[5]
    assert args[5].endswith("disagreeing witness: replica")
    pending = parse_pending(tree.avus(f"{SRC}/a.txt")[PENDING_AVU][0])
    assert pending is not None and pending[1:] == ("size", "replica", f"{DST}/a.txt")


def test_checksum_mismatch_names_both_checksums(tree):
    tree.sb.zone("zoneB").catalog.data_put(f"{DST}/b.txt", b"BRAVO", "alice#zoneB", force=True)
    args = tree.call("EUDATCheckIntegrity", f"{SRC}/b.txt", f"{DST}/b.txt", "false", "0", "",
                     "")
    assert args[5] == "false"
    assert f"checksum({SRC}/b.txt):sha2:" in args[4]
    assert f" != checksum({DST}/b.txt):sha2:" in args[4]
    assert "modification time" in args[4]
    assert PENDING_AVU not in tree.avus(f"{SRC}/b.txt")  # logEnabled false: no state


def test_missing_replica(tree):
    tree.sb.zone("zoneB").catalog.data_unlink(f"{DST}/sub/c.txt", None)
    args = tree.call("EUDATCheckIntegrityColl", SRC, DST, "true", "", "")
    assert args[4] == "false"
    assert args[3] == (f"{SRC}/sub/c.txt::{DST}/sub/c.txt::false::missing replicated object, "
                       "disagreeing witness: replica")
    assert PENDING_AVU in tree.avus(f"{SRC}/sub/c.txt")
    assert PENDING_AVU not in tree.avus(f"{SRC}/a.txt")


def test_collection_check_clears_state_once_fixed(tree):
    cat_b = tree.sb.zone("zoneB").catalog
    cat_b.data_put(f"{DST}/sub/d.txt", b"DELTA", "alice#zoneB", force=True)
    assert tree.call("EUDATCheckIntegrityColl", SRC, DST, "true", "", "")[4] == "false"
    cat_b.data_put(f"{DST}/sub/d.txt", b"delta", "alice#zoneB", force=True)
    assert tree.call("EUDATCheckIntegrityColl", SRC, DST, "true", "", "")[4] == "true"
    assert PENDING_AVU not in tree.avus(f"{SRC}/sub/d.txt")


def test_collection_check_streams_pages_not_objects(tree):
    tree.client().imkdir(f"{SRC}/many")
    cat = tree.sb.zone("zoneA").catalog
    with cat.batch():
        for i in range(600):
            cat.data_put(f"{SRC}/many/f{i:04d}", b"x", "alice#zoneA", checksum=True)
    from .conftest import replicate

    replicate(tree)
    tree.sb.reset_stats()
    args = tree.call("EUDATCheckIntegrityColl", SRC, DST, "false", "", "")
    assert args[4] == "true", args[3]
    stats = tree.sb.stats()
    trips = stats["zoneA"]["genquery_round_trips"] + stats["zoneB"]["genquery_round_trips"]
    assert trips <= 3 * (604 // 256 + 1) + 2
    assert stats["zoneA"]["msi"].get("msiObjStat", 0) <= 2


def test_missing_source_is_an_error(tree):
    error = tree.fails("EUDATCheckIntegrityDO", f"{SRC}/nope", f"{DST}/nope", "true", "")
    assert error.code == -310000
