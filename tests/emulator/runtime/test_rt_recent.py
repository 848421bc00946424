"""The sandbox's in-memory logs keep only their newest entries."""

from __future__ import annotations

from b2safe_sandbox.runtime.recent import RecentList


def test_a_recent_list_drops_its_oldest_quarter_past_its_bound():
    log: RecentList[int] = RecentList(maxlen=8)
    for i in range(8):
        log.append(i)
    assert log == list(range(8)) and log.dropped == 0
    log.append(8)
    assert log == [3, 4, 5, 6, 7, 8] and log.dropped == 3
    for i in range(9, 1000):
        log.append(i)
    assert len(log) <= 8 and log[-1] == 999


def test_the_sandbox_logs_are_bounded(tmp_path):
    from b2safe_sandbox.sandbox import Sandbox

    sb = Sandbox.create(tmp_path / "sb", zones=("zoneA",))
    try:
        assert isinstance(sb.events, RecentList)
        assert isinstance(sb.server_log["zoneA"], RecentList)
        sb.log("zoneA", "a line")
        assert isinstance(sb.server_log["zoneA"], RecentList)
    finally:
        sb.close()
