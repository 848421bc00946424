"""The sandbox's in-memory logs keep only their newest entries."""

from __future__ import annotations

import pytest
from b2safe_sandbox.runtime.recent import LOG_MAXLEN, RecentList


def test_a_recent_list_drops_its_oldest_quarter_past_its_bound():
    log: RecentList[int] = RecentList(maxlen=8)
    for i in range(8):
        log.append(i)
    assert log == list(range(8)) and log.dropped == 0
    log.append(8)
    assert log == [3, 4, 5, 6, 7, 8] and log.dropped == 3
    for i in range(9, 1000):
        log.append(i)
    assert len(list(log)) <= 8 and log[-1] == 999


def test_positions_in_a_recent_list_survive_its_trims():
    """A mark taken with len() still points at the same entry after older ones were dropped
    (tests take marks, then read what was logged since); a dropped entry is an error, not
    another entry."""
    log: RecentList[int] = RecentList(maxlen=8)
    for i in range(6):
        log.append(i)
    mark = len(log)
    for i in range(6, 12):
        log.append(i)
    assert log.dropped > 0
    assert len(log) == 12 and log[mark:] == [6, 7, 8, 9, 10, 11]
    assert log[mark] == 6 and log[mark:mark + 2] == [6, 7] and log[-1] == 11
    with pytest.raises(IndexError):
        log[0]
    with pytest.raises(IndexError):
        log[1:]


def test_the_sandbox_logs_are_bounded(tmp_path):
    from b2safe_sandbox.sandbox import Sandbox

    sb = Sandbox.create(tmp_path / "sb", zones=("zoneA",))
    try:
        assert isinstance(sb.events, RecentList)
        assert isinstance(sb.server_log["zoneA"], RecentList)
        for i in range(LOG_MAXLEN + 1):
            sb.log("zoneA", f"line {i}")
        assert len(list(sb.server_log["zoneA"])) <= LOG_MAXLEN
        assert sb.server_log["zoneA"][-1] == f"line {LOG_MAXLEN}"
    finally:
        sb.close()
