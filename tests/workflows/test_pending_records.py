"""Pending PIDs and removal marks (state/pending.py) in the one signed codec, over the fakes.

Each record round-trips any text, its signature binds requester, object, operation and what
is done (not the retry bookkeeping), and a record that is unsigned, altered, copied elsewhere or
of the old unsigned ``v1`` format is moved aside, never returned for a run.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from b2safe.errors import SYS_INVALID_INPUT_PARAM, InvalidInput
from b2safe.state import codec, faillog, keys, quarantine
from b2safe.state.pending import (
    PENDING_PID_AVU,
    GivenUpPid,
    PendingMark,
    PendingMarks,
    PendingPid,
    PendingPids,
    parse,
    parse_mark,
)
from b2safe.state.signing import Signer

HOME = "/zoneA/home/alice"
PID = "21.T12995/ABC-1"
ODD = "a;b=c %41 d\u00e9\nnext line"


@pytest.fixture
def signer(signing_key):
    return Signer(keys.load(signing_key))


def moved_aside(catalog, path):
    """{original name: reason} of the records moved aside on ``path``."""
    out = {}
    for avu in catalog.avus(path, ""):
        if avu.name.startswith(quarantine.PREFIX):
            fields = codec.decode_units(avu.units)
            assert fields is not None
            out[avu.name[len(quarantine.PREFIX):]] = fields["reason"]
    return out


def test_a_pending_pid_round_trips_any_text_and_is_signed(catalog, signer):
    catalog.put(f"{HOME}/a.dat")
    store = PendingPids(catalog, signer)
    mark = PendingPid(f"{HOME}/a.dat", ODD, "alice#zoneA", since=5, attempts=2, cause="x")
    store.write(mark)
    [avu] = catalog.avus(f"{HOME}/a.dat", "-d", PENDING_PID_AVU)
    assert avu.units.startswith("v2;user=alice#zoneA;since=5;attempts=2;cause=x;sig=")
    [read] = store.marks()
    assert replace(read, signature="") == mark
    assert signer.verify(read.signature, mark.work().message())


def test_a_mark_asking_for_replications_says_so_and_others_are_unchanged(catalog, signer):
    catalog.put(f"{HOME}/a.dat")
    store = PendingPids(catalog, signer)
    store.write(PendingPid(f"{HOME}/a.dat", "archive", "alice#zoneA", replicate=True))
    [avu] = catalog.avus(f"{HOME}/a.dat", "-d", PENDING_PID_AVU)
    assert ";replicate=1;sig=" in avu.units
    [read] = store.marks()
    assert read.replicate
    plain = PendingPid(f"{HOME}/a.dat", "archive", "alice#zoneA")
    assert "replicate" not in plain.units and plain.work().params == {"policy": "archive"}


def test_a_removal_mark_round_trips_any_text_and_is_signed(catalog, signer):
    catalog.mkdir(HOME)
    store = PendingMarks(catalog, signer)
    mark = PendingMark(PID, f"{HOME}/gone;x=1.dat", HOME, "alice#zoneA", deleted=7,
                       cause=ODD)
    store.write(mark)
    [read] = store.marks()
    assert replace(read, signature="", cause=mark.cause) == mark
    assert read.cause == "a;b=c %41 d\u00e9 next line"  # one line
    assert parse_mark(HOME, mark.name, mark.removed, "v2;user=a;user=b") is None


@pytest.mark.parametrize("change", [
    {"user": "bob#zoneA"}, {"path": f"{HOME}/b.dat"}, {"policy": "other"}, {"replicate": True},
])
def test_the_signature_binds_requester_object_and_policy(change, signer):
    mark = PendingPid(f"{HOME}/a.dat", "archive", "alice#zoneA")
    signature = codec.seal(signer, mark.work())
    assert codec.check(signer, mark.work(), signature) == codec.VALID
    assert codec.check(signer, replace(mark, **change).work(), signature) == codec.FORGED
    # retry bookkeeping is not signed: a failed attempt keeps the signature valid
    assert codec.check(signer, mark.failed("down").work(), signature) == codec.VALID


@pytest.mark.parametrize("change", [
    {"user": "bob#zoneA"}, {"holder": "/zoneA/home"}, {"pid": "21.T12995/OTHER"},
    {"removed": f"{HOME}/other.dat"}, {"deleted": 8},
])
def test_the_removal_mark_signature_binds_what_is_marked(change, signer):
    mark = PendingMark(PID, f"{HOME}/gone.dat", HOME, "alice#zoneA", deleted=7)
    signature = codec.seal(signer, mark.work())
    assert codec.check(signer, replace(mark, **change).work(), signature) == codec.FORGED


def test_forged_altered_copied_and_v1_marks_are_moved_aside(catalog, signer):
    for name in ("genuine", "unsigned", "relabelled", "copied", "old", "junk"):
        catalog.put(f"{HOME}/{name}.dat")
    store = PendingPids(catalog, signer)
    store.write(PendingPid(f"{HOME}/genuine.dat", "archive", "alice#zoneA"))
    catalog.set_avu(f"{HOME}/unsigned.dat", "-d", PENDING_PID_AVU, "archive",
                    "v2;user=rods%23zoneA;since=1;attempts=0;cause=x;sig=")
    store.write(PendingPid(f"{HOME}/relabelled.dat", "archive", "alice#zoneA"))
    [avu] = catalog.avus(f"{HOME}/relabelled.dat", "-d", PENDING_PID_AVU)
    catalog.set_avu(f"{HOME}/relabelled.dat", "-d", PENDING_PID_AVU, "archive",
                    avu.units.replace("alice", "rods"))
    [avu] = catalog.avus(f"{HOME}/genuine.dat", "-d", PENDING_PID_AVU)
    catalog.set_avu(f"{HOME}/copied.dat", "-d", PENDING_PID_AVU, avu.value, avu.units)
    catalog.set_avu(f"{HOME}/old.dat", "-d", PENDING_PID_AVU, "archive",
                    "v1;user=rods#zoneA;since=1;attempts=0;cause=x")
    catalog.set_avu(f"{HOME}/junk.dat", "-d", PENDING_PID_AVU, "archive", "garbage")

    assert [m.path for m in store.marks()] == [f"{HOME}/genuine.dat"]

    for name, reason in [("unsigned", "forged"), ("relabelled", "forged"), ("copied", "forged"),
                         ("old", "unsigned v1"), ("junk", "malformed")]:
        path = f"{HOME}/{name}.dat"
        assert catalog.avus(path, "-d", PENDING_PID_AVU) == []
        assert moved_aside(catalog, path)[PENDING_PID_AVU].startswith(reason), name


def test_a_users_run_moves_aside_only_her_own_forged_marks(catalog, signer):
    catalog.put(f"{HOME}/a.dat")
    catalog.set_avu(f"{HOME}/a.dat", "-d", PENDING_PID_AVU, "archive",
                    "v2;user=bob%23zoneA;since=1;attempts=0;cause=x;sig=k.0")
    store = PendingPids(catalog, signer)
    assert list(store.marks("alice#zoneA")) == []
    assert catalog.avus(f"{HOME}/a.dat", "-d", PENDING_PID_AVU)  # bob's claim: left
    assert list(store.marks("bob#zoneA")) == []
    assert moved_aside(catalog, f"{HOME}/a.dat")


def test_without_a_key_nothing_is_signed_carried_out_or_moved(catalog):
    catalog.put(f"{HOME}/a.dat")
    PendingPids(catalog, None).write(PendingPid(f"{HOME}/a.dat", "archive", "alice#zoneA"))
    assert list(PendingPids(catalog, None).marks()) == []
    assert catalog.avus(f"{HOME}/a.dat", "-d", PENDING_PID_AVU)
    assert moved_aside(catalog, f"{HOME}/a.dat") == {}


def test_a_removal_mark_copied_to_another_collection_is_moved_aside(catalog, signer):
    catalog.mkdir(f"{HOME}/other")
    store = PendingMarks(catalog, signer)
    mark = PendingMark(PID, f"{HOME}/gone.dat", HOME, "alice#zoneA", deleted=7)
    store.write(mark)
    [avu] = catalog.avus(HOME, "-C", mark.name)
    catalog.set_avu(f"{HOME}/other", "-C", avu.name, avu.value, avu.units)
    v1_name = mark.name.replace("ABC-1", "V1")
    catalog.set_avu(HOME, "-C", v1_name, f"{HOME}/gone.dat",
                    "v1;user=alice#zoneA;deleted=1;attempts=0;cause=x")
    # what a removal pre-PEP reads: only signed marks, and nothing is moved
    assert list(store.marks(below=f"{HOME}/other", move_aside=False)) == []
    assert catalog.avus(f"{HOME}/other", "-C", mark.name)
    assert [(m.holder, m.pid) for m in store.marks()] == [(HOME, PID)]
    assert moved_aside(catalog, f"{HOME}/other")[mark.name].startswith("forged")
    assert moved_aside(catalog, HOME)[v1_name].startswith("unsigned v1")

def test_parse_gives_none_for_other_formats():
    assert parse(f"{HOME}/a.dat", "archive", "v1;user=a;since=1") is None
    assert parse(f"{HOME}/a.dat", "archive", "v2;user=a;user=b") is None
    assert parse_mark(HOME, "eudat_pending:deleted:not a pid", "x", "v2;user=a") is None


@pytest.mark.parametrize("stage", list(faillog.Stage))
def test_a_fail_log_record_keeps_its_stage_as_a_value(catalog, signer, stage):
    catalog.put(f"{HOME}/a.dat")
    log = faillog.FailLog(catalog, signer)
    log.write(faillog.FailRecord(f"{HOME}/a.dat", "/zoneB/r/a.dat", cause=ODD, stage=stage,
                                 user="alice#zoneA"))
    read = log.get(f"{HOME}/a.dat", "-d", "/zoneB/r/a.dat")
    assert read is not None and read.stage is stage
    assert log.authentic(read)  # the stage is bookkeeping, not part of the signed work


def test_a_fail_log_record_without_a_stage_reads_as_failed():
    record = faillog.parse("/z/a::/y/a::false::down", "v2;attempts=1;user=alice#zoneA")
    assert record is not None and record.stage is faillog.Stage.FAILED


# --- units fit the catalog's 250 characters (R_META_MAIN.meta_attr_unit varchar(250)) ---------

LONG_CAUSE = "Zugriff verweigert: \u00e9\u00e8 \u2603 100% ; key=value " * 12  # non-ASCII, %, ;, =


def _cut_prefix(read: str, written: str) -> None:
    """``read`` is ``written`` (one line) cut at a whole character, marked by an ellipsis."""
    assert read.endswith("\u2026") and len(read) > 1
    assert " ".join(written.split()).startswith(read[:-1])


def test_a_pending_pid_with_a_long_cause_fits_and_still_verifies(catalog, signer):
    catalog.put(f"{HOME}/a.dat")
    store = PendingPids(catalog, signer)
    store.write(PendingPid(f"{HOME}/a.dat", "archive", "alice#zoneA", cause=LONG_CAUSE,
                           replicate=True))
    [avu] = catalog.avus(f"{HOME}/a.dat", "-d", PENDING_PID_AVU)
    assert len(avu.units) <= codec.MAX_UNITS
    [read] = store.marks()  # signature verified: nothing moved aside
    assert read.replicate and read.user == "alice#zoneA"
    _cut_prefix(read.cause, LONG_CAUSE)
    assert moved_aside(catalog, f"{HOME}/a.dat") == {}


def test_a_given_up_pid_and_a_removal_mark_with_long_causes_fit(catalog, signer):
    catalog.mkdir(HOME)
    pids = PendingPids(catalog, signer)
    pids.give_up(GivenUpPid(f"{HOME}/gone.dat", "archive-policy", HOME, "alice#zoneA", since=9,
                            cause=LONG_CAUSE))
    marks = PendingMarks(catalog, signer)
    marks.write(PendingMark(PID, f"{HOME}/gone.dat", HOME, "alice#zoneA", deleted=7,
                            cause=LONG_CAUSE))
    assert all(len(a.units) <= codec.MAX_UNITS for a in catalog.avus(HOME, "-C"))
    [given_up] = pids.given_up(HOME)
    _cut_prefix(given_up.cause, LONG_CAUSE)
    [mark] = marks.marks()
    _cut_prefix(mark.cause, LONG_CAUSE)
    assert moved_aside(catalog, HOME) == {}


@pytest.mark.parametrize("size", range(200, 260))
def test_the_cut_never_splits_an_escape_or_a_character(size):
    cause = ("\u00e9" * size)[:size] + "a%;\u2603" * 20
    units = codec.encode_units({"user": "a" * (size - 180), "cause": cause, "sig": "k.0"})
    fields = codec.decode_units(units)
    assert len(units) <= codec.MAX_UNITS and fields is not None
    assert fields["cause"] == "" or cause.startswith(fields["cause"][:-1])


def test_a_record_too_long_without_its_cause_is_refused_and_nothing_is_written(catalog,
                                                                                signer):
    catalog.put(f"{HOME}/a.dat")
    catalog.put(f"{HOME}/b.dat")
    store = PendingPids(catalog, signer)
    user = "u" * 63 + "#" + "z" * 63
    store.write(PendingPid(f"{HOME}/a.dat", "archive", user, cause="x"))  # fits: 63+63 names
    with pytest.raises(InvalidInput, match="more than the 250 an iRODS catalog stores") as err:
        store.write(PendingPid(f"{HOME}/b.dat", "archive", "\u00e9" * 60 + user, cause="x"))
    assert err.value.code == SYS_INVALID_INPUT_PARAM
    assert catalog.avus(f"{HOME}/b.dat", "-d", PENDING_PID_AVU) == []


def test_a_long_forged_record_is_moved_aside_cut_to_fit(catalog, signer):
    catalog.put(f"{HOME}/a.dat")
    forged = "v2;user=bob%23zoneA;cause=" + "%25%3B" * 35 + ";sig=k.0"  # 240 characters
    catalog.set_avu(f"{HOME}/a.dat", "-d", PENDING_PID_AVU, "archive", forged)
    assert list(PendingPids(catalog, signer).marks()) == []
    [avu] = [a for a in catalog.avus(f"{HOME}/a.dat", "-d") if a.name != PENDING_PID_AVU]
    fields = codec.decode_units(avu.units)
    assert len(avu.units) <= codec.MAX_UNITS and fields is not None
    assert fields["reason"].startswith("forged")
    _cut_prefix(fields["units"], forged)


def test_a_record_that_cannot_be_moved_aside_is_only_skipped(catalog):
    catalog.put(f"{HOME}/a.dat")
    catalog.set_avu(f"{HOME}/a.dat", "-d", PENDING_PID_AVU, "archive", "junk")
    assert not quarantine.move_aside(catalog, f"{HOME}/a.dat", "-d", PENDING_PID_AVU,
                                     "archive", "junk", "r" * 300)  # no room: logged, kept
    assert [a.units for a in catalog.avus(f"{HOME}/a.dat", "-d")] == ["junk"]
