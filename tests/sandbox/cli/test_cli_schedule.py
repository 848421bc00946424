"""``b2safe schedule`` queues the repeating fail-log retry and the sweeps, once."""

from __future__ import annotations


def queued_retry_rules(cli) -> list[str]:
    result = cli("status", "--json")
    assert result.code == 0
    [queue] = [s for s in result.json()["sections"] if s["title"].startswith("delay queue")]
    return [line for line in queue["lines"] if "EUDATTransferUsingFailLog" in line]


def test_schedule_queues_the_retry_once(cli):
    first = cli("schedule")
    assert first.code == 0, first.err
    assert "fail-log retry: queued" in first.out
    assert "none configured" in first.out
    again = cli("schedule", "--json")
    assert again.code == 0
    assert again.json() == {"retry": "already queued", "sweeps": {}}
    [rule] = queued_retry_rules(cli)
    assert "EUDATTransferUsingFailLog" in rule


def test_schedule_is_for_rodsadmins(cli):
    result = cli("schedule", "--user", "alice#zoneA")
    assert result.code != 0
    assert queued_retry_rules(cli) == []
