"""Fault injection and counters, persisted across Sandbox.open."""

from __future__ import annotations

import pytest
from b2safe_sandbox.sandbox import Sandbox
from rt_helpers import code_of

HOME = "/zoneA/home/alice"


def test_fail_next_persists_and_counts(sb):
    sb.faults.fail_next("zoneA", "msiGetSystemTime", -305000, count=2)
    again = Sandbox.open(sb.directory)
    cb = again.callback("zoneA", "rods#zoneA")
    for _ in range(2):
        with pytest.raises(RuntimeError) as err:
            cb.msiGetSystemTime("", "unix")
        assert code_of(err.value) == -305000
    assert cb.msiGetSystemTime("", "unix")["status"] is True


def test_corrupt_replica(sb):
    sb.client("alice#zoneA").iput(f"{HOME}/x", b"abcdef")
    sb.faults.corrupt(f"{HOME}/x", 0, "truncate")
    assert sb.zone("zoneA").catalog.data_read(f"{HOME}/x") != b"abcdef"


def test_unreachable_persisted(sb):
    sb.faults.set_unreachable("zoneA", True)
    assert Sandbox.open(sb.directory).faults.is_unreachable("zoneA")


def test_counters_persist(make_sb):
    sb = make_sb("def r(rule_args, callback, rei):\n    callback.msiGetSystemTime('', 'unix')\n")
    sb.exec_rule("zoneA", "r", [], "rods#zoneA")
    sb.exec_rule("zoneA", "r", [], "rods#zoneA")
    sb.client("alice#zoneA").iquest("SELECT COLL_NAME")
    st = Sandbox.open(sb.directory).stats()["zoneA"]
    assert st["msi"]["msiGetSystemTime"] == 2
    assert st["rules"]["r"] == 2
    assert st["genquery_round_trips"] == 1
    sb.reset_stats()
    assert Sandbox.open(sb.directory).stats()["zoneA"]["msi"] == {}
