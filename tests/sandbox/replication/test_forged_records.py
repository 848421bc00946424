"""Pending-work AVUs can be written by any user with write access; a rodsadmin's retry must not
carry out records b2safe did not sign (it would act with administrator rights)."""

from __future__ import annotations

from repl_helpers import fail_log, make_tree

from b2safe.state import faillog
from b2safe.workflows import integrity

VICTIM = "/zoneB/replicas/victim.dat"


def _victim_area(world):
    """A file in zoneB that rods#zoneA may write but alice#zoneA may not."""
    b = world.client("rods#zoneB")
    b.imkdir("/zoneB/private", parents=True)
    b.ichmod("own", "rods#zoneA", "/zoneB/private")
    b.iput("/zoneB/private/victim.dat", b"precious")
    b.ichmod("own", "rods#zoneA", "/zoneB/private/victim.dat")
    return "/zoneB/private/victim.dat"


def test_a_forged_fail_log_record_is_not_carried_out_by_the_admin(fed):
    victim = _victim_area(fed)
    source = make_tree(fed, files=1, subdirs=())[0]
    forged = faillog.FailRecord(source=source, destination=victim, cause="forged",
                                registered=False, recursive=False, user="rods#zoneA")
    fed.client("alice#zoneA").imeta("set", "-d", source, forged.attribute, forged.message,
                                    forged.units)
    assert len(fail_log(fed)) == 1
    stats = fed.call("EUDATTransferUsingFailLog", "10", "", user="rods#zoneA")[1]
    assert stats == "# of successes:0, # of failures:1"
    assert fed.client("rods#zoneB").iget(victim) == b"precious"


def test_a_forged_integrity_record_is_not_repaired_by_the_admin(fed):
    victim = _victim_area(fed)
    source = make_tree(fed, files=1, subdirs=())[0]
    value = f"1700000000::{integrity.CHECKSUM}::{integrity.REPLICA}::{victim}"
    fed.client("alice#zoneA").imeta("set", "-d", source, integrity.PENDING_AVU, value)
    stats = fed.call("EUDATTransferUsingFailLog", "10", "", user="rods#zoneA")[1]
    assert stats == "# of successes:0, # of failures:0"
    assert fed.client("rods#zoneB").iget(victim) == b"precious"


def test_records_written_by_b2safe_are_signed_and_carried_out(fed):
    source = make_tree(fed, files=1, subdirs=())[0]
    fed.call("EUDATUpdateLogging", "false", source, "/zoneB/replicas/ok.dat", "network down",
             user="alice#zoneA")
    units = fed.avus(source)  # value only; check the units through the catalog
    assert units
    rows = fed.sb.zone("zoneA").catalog.avu_list("-d", source)
    record = next(r for r in rows if r.name.startswith(faillog.AVU_PREFIX))
    assert ";sig=" in record.units and not record.units.endswith(";sig=")
    fed.sb.clock.advance(3600)
    stats = fed.call("EUDATTransferUsingFailLog", "10", "", user="rods#zoneA")[1]
    assert stats == "# of successes:1, # of failures:0"
