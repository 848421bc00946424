"""Pending work is a claim unless b2safe signed it: forged, altered, copied, malformed or
non-ASCII records are never carried out, never crash a retry, never starve its window, and are
moved aside where ``b2safe status`` shows them. A user's retry acts only on her own records.
"""

from __future__ import annotations

import pytest
from attack_helpers import (
    avu_rows,
    exists,
    private_file,
    set_avu_without_peps,
    user_file,
    victim_file,
)

from b2safe.state import codec, faillog, keys, quarantine
from b2safe.workflows import integrity

RETRY = "EUDATTransferUsingFailLog"


def _forge(world, holder, record, user="alice#zoneA", units=None):
    set_avu_without_peps(world, user, "-d", holder, record.attribute, record.message,
                         record.units if units is None else units)


def _moved_aside(world, path):
    return [r for r in avu_rows(world, path) if r[0].startswith(quarantine.PREFIX)]


def test_a_forged_fail_log_record_is_moved_aside_not_carried_out_by_the_admin(fed):
    victim = victim_file(fed)
    source = user_file(fed, "/zoneA/home/alice/f.dat", content=b"alice's bytes")
    forged = faillog.FailRecord(source=source, destination=victim, cause="forged",
                                registered=False, recursive=False, user="rods#zoneA")
    _forge(fed, source, forged)
    stats = fed.call(RETRY, "10", "", user="rods#zoneA")[1]
    assert stats == "# of successes:0, # of failures:0"
    assert fed.client("rods#zoneB").iget(victim) == b"precious"
    assert not [r for r in avu_rows(fed, source) if r[0].startswith(faillog.AVU_PREFIX)]
    assert _moved_aside(fed, source)


def test_a_genuine_record_with_its_requester_changed_is_forged(fed):
    """The signature binds the requester: alice cannot relabel her own record as bob's."""
    source = user_file(fed, "/zoneA/home/alice/f.dat")
    fed.call("EUDATUpdateLogging", "false", source, "/zoneB/replicas/f.dat", "down",
             user="alice#zoneA")
    (name, value, units), = [r for r in avu_rows(fed, source)
                             if r[0].startswith(faillog.AVU_PREFIX)]
    fields = codec.decode_units(units)
    assert fields is not None and fields["user"] == "alice#zoneA"
    fields["user"] = "bob#zoneA"
    set_avu_without_peps(fed, "alice#zoneA", "-d", source, name, value,
                         codec.encode_units(fields))
    fed.sb.clock.advance(3600)
    fed.call(RETRY, "10", "", user="bob#zoneA")
    assert not exists(fed, "/zoneB/replicas/f.dat")
    fed.call(RETRY, "10", "", user="rods#zoneA")
    assert not exists(fed, "/zoneB/replicas/f.dat")
    assert _moved_aside(fed, source)


def test_a_forged_integrity_record_is_not_repaired_by_the_admin(fed):
    victim = victim_file(fed)
    source = user_file(fed, "/zoneA/home/alice/f.dat")
    value = f"1700000000::{integrity.CHECKSUM}::{integrity.REPLICA}::{victim}"
    set_avu_without_peps(fed, "alice#zoneA", "-d", source, integrity.PENDING_AVU, value,
                         "v2;user=rods%23zoneA;sig=k1-aaaa.0123456789abcdef0123456789abcdef")
    stats = fed.call(RETRY, "10", "", user="rods#zoneA")[1]
    assert stats == "# of successes:0, # of failures:0"
    assert fed.client("rods#zoneB").iget(victim) == b"precious"
    assert _moved_aside(fed, source)


def _key_id(world, zone="zoneA"):
    """The id of the zone's current signing key (a forger can read it off any record)."""
    return keys.load(str(world.sb.zone(zone).config_dir / "signing.key")).current.key_id


@pytest.mark.parametrize("mac", ["\u00e9" * 16, "\u00e9", "0" * 31 + "\u00e9"])
def test_a_non_ascii_signature_does_not_crash_the_admin_retry(fed, mac):
    """A signature naming the real key, with non-ASCII bytes where the MAC goes (comparing
    such a str with hmac.compare_digest raises): the admin's run goes on. (32 of them would
    make the record's units longer than the catalog's varchar(250): not storable.)"""
    source = user_file(fed, "/zoneA/home/alice/f.dat")
    good = user_file(fed, "/zoneA/home/alice/g.dat")
    forged = faillog.FailRecord(source=source, destination="/zoneB/replicas/x.dat", cause="x",
                                registered=False, recursive=False, user="rods#zoneA",
                                signature=f"{_key_id(fed)}.{mac}")
    _forge(fed, source, forged)
    fed.call("EUDATUpdateLogging", "false", good, "/zoneB/replicas/g.dat", "down",
             user="alice#zoneA")
    fed.sb.clock.advance(3600)
    stats = fed.call(RETRY, "10", "", user="rods#zoneA")[1]
    assert stats == "# of successes:1, # of failures:0"
    assert fed.client("rods#zoneB").iget("/zoneB/replicas/g.dat") == b"data"
    assert _moved_aside(fed, source)


def test_forged_records_do_not_starve_the_retry_window(fed):
    """More forged records than the window holds, all met before the valid one (the retry reads
    them in path order: /zoneA/home/alice/junk sorts before /zoneA/home/alice/zz): the valid one
    still runs in the first run, and the forged ones are moved aside (no later run reads them)."""
    alice = fed.client("alice#zoneA")
    alice.imkdir("/zoneA/home/alice/junk", parents=True)
    for i in range(25):
        path = f"/zoneA/home/alice/junk/j{i:02d}.dat"
        alice.iput(path, b"j")
        _forge(fed, path, faillog.FailRecord(
            source=path, destination=f"/zoneB/replicas/j{i}.dat", cause="spam",
            registered=False, recursive=False, user="rods#zoneA"))
    good = user_file(fed, "/zoneA/home/alice/zz/good.dat")
    fed.call("EUDATUpdateLogging", "false", good, "/zoneB/replicas/good.dat", "down",
             user="alice#zoneA")
    fed.sb.clock.advance(3600)
    stats = fed.call(RETRY, "10", "", user="rods#zoneA")[1]
    assert stats == "# of successes:1, # of failures:0"
    assert exists(fed, "/zoneB/replicas/good.dat")
    assert all(_moved_aside(fed, f"/zoneA/home/alice/junk/j{i:02d}.dat") for i in range(25))


def test_another_users_retry_does_not_act_on_a_record_naming_her(fed):
    """alice names bob as requester and bob's private file as source (on her own object): bob's
    retry must not copy his file to alice's area."""
    secret = private_file(fed)
    holder = user_file(fed, "/zoneA/home/alice/bait.dat")
    record = faillog.FailRecord(source=secret, destination="/zoneB/replicas/leak.dat",
                                cause="x", registered=False, recursive=False, user="bob#zoneA")
    set_avu_without_peps(fed, "alice#zoneA", "-d", holder, record.attribute, record.message,
                         record.units)
    fed.call(RETRY, "10", "", user="bob#zoneA")
    fed.call(RETRY, "10", "", user="rods#zoneA")
    assert not exists(fed, "/zoneB/replicas/leak.dat")


def _replay_alices_record_on_bobs_object(fed, level):
    """alice, holding ``level`` on bob's object, moves her genuine signed fail-log record from
    her own object onto bob's; the admin's retry runs. Returns bob's object."""
    source = user_file(fed, "/zoneA/home/alice/f.dat")
    bobs = private_file(fed, "/zoneA/home/bob/shared.dat", b"bob's bytes")
    fed.client("bob#zoneA").ichmod(level, "alice#zoneA", bobs)
    fed.call("EUDATUpdateLogging", "false", source, "/zoneB/replicas/f.dat", "down",
             user="alice#zoneA")
    (name, value, units), = [r for r in avu_rows(fed, source)
                             if r[0].startswith(faillog.AVU_PREFIX)]
    set_avu_without_peps(fed, "alice#zoneA", "-d", source, name, value, units, op="rm")
    set_avu_without_peps(fed, "alice#zoneA", "-d", bobs, name, value, units)
    fed.sb.clock.advance(3600)
    fed.call(RETRY, "10", "", user="rods#zoneA")
    return bobs


def test_a_genuine_record_copied_onto_someone_elses_object_is_not_carried_out(fed):
    """Replaying a signed record of alice's onto bob's object (which alice may write): a record
    away from its source is followed only onto an object its requester owns (a rename)."""
    _replay_alices_record_on_bobs_object(fed, "write")
    assert not exists(fed, "/zoneB/replicas/f.dat")


def test_records_written_by_b2safe_are_signed_and_carried_out(fed):
    source = user_file(fed, "/zoneA/home/alice/f.dat")
    fed.call("EUDATUpdateLogging", "false", source, "/zoneB/replicas/ok.dat", "network down",
             user="alice#zoneA")
    (_, _, units), = [r for r in avu_rows(fed, source) if r[0].startswith(faillog.AVU_PREFIX)]
    fields = codec.decode_units(units)
    assert fields is not None and fields["user"] == "alice#zoneA" and fields["sig"]
    fed.sb.clock.advance(3600)
    stats = fed.call(RETRY, "10", "", user="rods#zoneA")[1]
    assert stats == "# of successes:1, # of failures:0"


def test_changing_the_pid_credentials_file_does_not_orphan_pending_work(fed):
    """The signing key is its own secret, not derived from the Handle credentials."""
    source = user_file(fed, "/zoneA/home/alice/f.dat")
    fed.call("EUDATUpdateLogging", "false", source, "/zoneB/replicas/ok.dat", "down",
             user="alice#zoneA")
    credentials = fed.sb.zone("zoneA").config_dir / "pid-credentials.json"
    with open(credentials, "a", encoding="utf-8") as handle:
        handle.write("\n")
    fed.sb.clock.advance(3600)
    stats = fed.call(RETRY, "10", "", user="rods#zoneA")[1]
    assert stats == "# of successes:1, # of failures:0"


def test_a_users_retry_leaves_other_users_records_alone(fed):
    """bob's own retry must not pick alice's (genuine) record, even on an object he may read
    (his GenQuery sees it): not carry it out, not count a failed attempt against it, not
    change it at all."""
    source = user_file(fed, "/zoneA/home/alice/f.dat")
    fed.client("alice#zoneA").ichmod("read", "bob#zoneA", source)
    fed.call("EUDATUpdateLogging", "false", source, "/zoneB/replicas/f.dat", "down",
             user="alice#zoneA")
    before = avu_rows(fed, source)
    fed.sb.clock.advance(3600)
    stats = fed.call(RETRY, "10", "", user="bob#zoneA")[1]
    assert stats == "# of successes:0, # of failures:0"
    assert avu_rows(fed, source) == before
    assert not exists(fed, "/zoneB/replicas/f.dat")


def test_a_genuine_record_copied_onto_an_object_she_co_owns_is_not_followed(fed):
    """alice holds 'own' on bob's object (so re-authorizing her would pass): her signed record
    moved there is still not followed, because the object is not hers (a record follows its
    source only through a rename by its requester)."""
    bobs = _replay_alices_record_on_bobs_object(fed, "own")
    assert not exists(fed, "/zoneB/replicas/f.dat")
    (_, _, left), = [r for r in avu_rows(fed, bobs) if r[0].startswith(faillog.AVU_PREFIX)]
    assert (codec.decode_units(left) or {}).get("state") == faillog.GAVE_UP


def test_a_record_follows_its_source_renamed_by_its_requester(fed):
    """The legitimate case of the check above: alice renames her source, the retry follows."""
    source = user_file(fed, "/zoneA/home/alice/f.dat")
    fed.call("EUDATUpdateLogging", "false", source, "/zoneB/replicas/f.dat", "down",
             user="alice#zoneA")
    fed.client("alice#zoneA").imv(source, "/zoneA/home/alice/renamed.dat")
    fed.sb.clock.advance(3600)
    stats = fed.call(RETRY, "10", "", user="rods#zoneA")[1]
    assert stats == "# of successes:1, # of failures:0"
    assert exists(fed, "/zoneB/replicas/f.dat")


def test_the_4x_queue_never_pops_a_record_that_b2safe_did_not_sign(fed):
    """EUDATQueue pop/queuesize (4.x's fail queue over the fail log) see only signed work: a
    record an owner wrote in the fail-log format, naming rods as requester, is a claim."""
    victim = victim_file(fed)
    source = user_file(fed, "/zoneA/home/alice/q.dat", content=b"alice's bytes")
    forged = faillog.FailRecord(source=source, destination=victim, cause="forged",
                                registered=False, recursive=False, user="rods#zoneA")
    _forge(fed, source, forged)
    assert fed.call("EUDATQueue", "queuesize", "", "0", user="rods#zoneA")[1] == "0"
    assert fed.call("EUDATQueue", "pop", "", "1", user="rods#zoneA")[1] == "None"
    assert [r for r in avu_rows(fed, source) if r[0].startswith(faillog.AVU_PREFIX)]
