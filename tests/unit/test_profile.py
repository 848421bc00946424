"""The EUDAT PID profile value object: Handle value lists, REPLICA lists, URLs, checksums."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b2safe.domain import profile
from b2safe.domain.profile import HsAdmin, PidRecord
from b2safe.errors import InvalidInput, InvalidPid

SERVER_ID = "irods://irods.example.org:1247"
API = "https://irods.example.org/api/registered"

path_elements = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
    min_size=1, max_size=20).filter(lambda s: s not in (".", ".."))
paths = st.lists(path_elements, min_size=1, max_size=6).map(lambda parts: "/" + "/".join(parts))
checksums = st.text(min_size=1, max_size=80)
# ".." is refused in a PID (it would escape the prefix in a Handle URL path).
pid_suffixes = st.text(alphabet="ABCDEFabcdef0123456789-._", min_size=1,
                       max_size=12).filter(lambda s: ".." not in s)
pids = pid_suffixes.map(lambda s: f"21.T12345/{s}")


def test_to_values_has_the_profile_indices():
    record = PidRecord(url="irods://h:1247/z/a", checksum="sha2:abc=", fixed_content=True,
                       replicas=("21.T1/A", "21.T1/B"), ror="21.T1/R", fio="21.T1/F",
                       parent="21.T1/P", checksum_timestamp="2024-01-02T03:04:05Z")
    values = record.to_values("21.T12345/X")
    by_type = {v["type"]: v for v in values}
    assert [v["index"] for v in values] == sorted(v["index"] for v in values)
    assert {t: v["index"] for t, v in by_type.items()} == profile.DEFAULT_INDICES
    assert by_type["EUDAT/REPLICA"]["data"]["value"] == "21.T1/A,21.T1/B"
    assert by_type["EUDAT/FIXED_CONTENT"]["data"]["value"] == "True"
    assert by_type["EUDAT/PROFILE_VERSION"]["data"]["value"] == "1"
    assert by_type["EUDAT/CHECKSUM"]["data"]["value"] == "sha2:abc="  # padding kept
    assert by_type["HS_ADMIN"]["data"] == {
        "format": "admin",
        "value": {"handle": "0.NA/21.T12345", "index": 200, "permissions": "011111110011"}}


def test_from_values_keeps_foreign_indices_and_extra_types():
    values = [
        {"index": 100, "type": "HS_ADMIN", "data": {"format": "admin", "value": {
            "handle": "0.NA/21.T1", "index": "200", "permissions": "011111110011"}}},
        {"index": 1, "type": "URL", "data": "irods://h:1247/z/a"},
        {"index": 2, "type": "EUDAT/FIXED_CONTENT", "data": {"format": "string",
                                                            "value": "false"}},
        {"index": 3, "type": "EUDAT/REPLICA", "data": "21.T1/A, 21.T1/a,21.T1/B"},
        {"index": 4, "type": "10320/LOC", "data": "<locations/>"},
        {"index": 5, "type": "EUDAT/PROFILE_VERSION", "data": "1"},
    ]
    record = PidRecord.from_values(values)
    assert record.replicas == ("21.T1/A", "21.T1/B")
    assert record.fixed_content is False
    assert record.admin == HsAdmin("0.NA/21.T1", 200)
    assert record.extra == ((4, "10320/LOC", "<locations/>"),)
    values = record.with_replica("21.T1/C").to_values()
    assert [v["index"] for v in values] == [1, 2, 3, 4, 5, 100]  # in index order
    out = {v["type"]: v["index"] for v in values}
    assert out["EUDAT/REPLICA"] == 3 and out["10320/LOC"] == 4 and out["URL"] == 1
    assert out["EUDAT/FIXED_CONTENT"] == 2
    assert out["EUDAT/PROFILE_VERSION"] == 5
    # A new type takes its default index when free, else the next free one (never 1, 100-199).
    from dataclasses import replace

    grown = replace(record, checksum="md5:1", ror="21.T1/R")
    new = {v["type"]: v["index"] for v in grown.to_values()}
    assert new["EUDAT/CHECKSUM"] == 6  # default 2 is taken by FIXED_CONTENT
    assert new["EUDAT/ROR"] == 7  # default 4 is taken by 10320/LOC


def test_from_values_needs_a_url():
    with pytest.raises(InvalidInput):
        PidRecord.from_values([{"index": 2, "type": "EUDAT/ROR", "data": "x"}])


def test_bad_values_are_refused():
    with pytest.raises(InvalidInput):
        PidRecord(url="")
    with pytest.raises(InvalidInput):
        PidRecord(url="x", checksum_timestamp="2024-01-02 03:04:05")
    with pytest.raises(InvalidPid):
        PidRecord(url="x", replicas=("not a pid",))
    with pytest.raises(InvalidInput):
        profile.parse_bool("yes")


def test_resolve_self_and_changes():
    record = PidRecord(url="u", ror="pid", fio="21.T1/F")
    resolved = record.resolve_self("21.T1/ME")
    assert resolved.ror == "21.T1/ME" and resolved.fio == "21.T1/F"
    changed = profile.changes_between(record, PidRecord(url="u2", ror="pid",
                                                         checksum="md5:1"))
    assert changed == {"URL": "u2", "EUDAT/CHECKSUM": "md5:1", "EUDAT/FIO": None}


def test_iso8601_utc():
    assert profile.iso8601_utc(0) == "1970-01-01T00:00:00Z"
    tz = dt.timezone(dt.timedelta(hours=2))
    assert profile.iso8601_utc(dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=tz)) == \
        "2024-05-01T10:00:00Z"


@given(st.integers(min_value=0, max_value=253402300799) | st.floats(min_value=0, max_value=4e9))
def test_iso8601_utc_of_epoch_seconds_is_the_datetime_form(seconds):
    expected = dt.datetime.fromtimestamp(int(seconds), tz=dt.timezone.utc)
    assert profile.iso8601_utc(seconds) == expected.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_checksum_matches_legacy_lost_padding():
    assert profile.checksum_matches("sha2:abc=", "sha2:abc=")
    assert profile.checksum_matches("sha2:abc", "sha2:abc=")  # written by epicclient2
    assert not profile.checksum_matches("sha2:abd", "sha2:abc=")
    assert not profile.checksum_matches(None, "x")


def test_object_url_bases():
    assert profile.object_url("/z/home/a b#c", server_id=SERVER_ID) == \
        SERVER_ID + "/z/home/a%20b%23c"
    assert profile.object_url("/z/x*y", api_base=API + "/") == API + "/z/x%2Ay"
    with pytest.raises(InvalidInput):
        profile.object_url("/z/a")
    with pytest.raises(InvalidInput):
        profile.object_url("relative", server_id=SERVER_ID)


@given(path=paths, base=st.sampled_from([SERVER_ID, API]))
def test_any_path_round_trips_through_its_url(path, base):
    url = profile.object_url(path, server_id=SERVER_ID, api_base=base if base == API else "")
    assert url.isascii() and " " not in url and "*" not in url and "#" not in url
    assert profile.path_from_url(url, [base]) == path


@given(path=paths)
def test_url_encodes_the_path_as_one_piece(path):
    from urllib.parse import quote

    # The collection is encoded apart (cached): the result is the whole path's encoding.
    expected = SERVER_ID + quote(path, safe=profile._URL_SAFE)
    assert profile.object_url(path, server_id=SERVER_ID) == expected
    assert profile.object_url(path, server_id=SERVER_ID) == expected  # from the cache


@settings(max_examples=200)
@given(path=paths, checksum=checksums, replicas=st.lists(pids, max_size=5),
       fixed=st.booleans(), ror=st.none() | pids)
def test_any_record_round_trips_through_handle_values(path, checksum, replicas, fixed, ror):
    record = PidRecord(url=profile.object_url(path, server_id=SERVER_ID), checksum=checksum,
                       replicas=tuple(replicas), fixed_content=fixed, ror=ror,
                       admin=HsAdmin("0.NA/21.T12345"))
    values = record.to_values()
    again = PidRecord.from_values(values)
    assert again == record
    assert again.checksum == checksum  # stored whole, padding and all
    assert again.to_values() == values  # stable indices


@given(existing=st.lists(pids, max_size=8), new=pids)
def test_replica_list_stays_duplicate_free(existing, new):
    listed = profile.add_replica(existing, new)
    folded = [pid.casefold() for pid in listed]
    assert len(folded) == len(set(folded))
    assert profile.contains_pid(listed, new.upper()) and profile.contains_pid(listed, new)
    assert profile.add_replica(listed, new.swapcase()) == listed
    text = profile.format_replicas(listed)
    assert " " not in text and profile.parse_replicas(text) == listed
