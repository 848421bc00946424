"""The delayed-rule table."""

from __future__ import annotations

from b2safe_sandbox.errors import CAT_NO_ROWS_FOUND
from cat_helpers import ALICE, RODS, raises_code


def test_add_get_list_update_remove(cat, clock):
    first = cat.delay_add("callback.r1()", ALICE, clock.value + 60, "1h", 5, '{"x": 1}')
    second = cat.delay_add("callback.r2()", RODS, clock.value + 10, "", "3", "")
    row = cat.delay_get(first)
    assert (row.id, row.name, row.user_name, row.user_zone) == (first, "callback.r1()", "alice",
                                                                "tempZone")
    assert (row.exe_time, row.frequency, row.priority, row.context) == (
        f"{clock.value + 60:011d}", "1h", "5", '{"x": 1}')
    assert (row.last_exe_time, row.status, row.address) == ("", "", "tempzone.sandbox")
    assert [r.id for r in cat.delay_list()] == [second, first]
    assert [r.id for r in cat.delay_list(ALICE)] == [first]
    assert [r.id for r in cat.delay_due(clock.value + 30)] == [second]
    updated = cat.delay_update(first, exe_time=clock.value + 3600, last_exe_time=clock.value,
                               status="RE_RUNNING", frequency="2h", priority=1, context="c")
    assert (updated.exe_time, updated.last_exe_time, updated.status, updated.frequency,
            updated.priority, updated.context) == (
        f"{clock.value + 3600:011d}", f"{clock.value:011d}", "RE_RUNNING", "2h", "1", "c")
    cat.delay_remove(first)
    assert cat.delay_get(first) is None
    with raises_code(CAT_NO_ROWS_FOUND):
        cat.delay_remove(first)
    with raises_code(CAT_NO_ROWS_FOUND):
        cat.delay_update(first, status="x")


def test_rule_exec_columns_in_genquery(cat, clock):
    rid = cat.delay_add("callback.b2safe_replicate('/a', '/b')", ALICE, clock.value, "1h", 5,
                        "ctx")
    res = cat.genquery(
        ["RULE_EXEC_ID", "RULE_EXEC_NAME", "RULE_EXEC_USER_NAME", "RULE_EXEC_TIME",
         "RULE_EXEC_FREQUENCY", "RULE_EXEC_PRIORITY", "RULE_EXEC_LAST_EXE_TIME",
         "RULE_EXEC_STATUS", "RULE_EXEC_CONTEXT", "RULE_EXEC_ADDRESS",
         "RULE_EXEC_REI_FILE_PATH", "RULE_EXEC_ESTIMATED_EXE_TIME",
         "RULE_EXEC_NOTIFICATION_ADDR"],
        "RULE_EXEC_NAME like '%b2safe_replicate%'", ALICE)
    assert len(res.rows) == 1
    row = res.rows[0]
    assert row[:9] == [str(rid), "callback.b2safe_replicate('/a', '/b')", "alice",
                       f"{clock.value:011d}", "1h", "5", "", "", "ctx"]
    assert row[9] == "tempzone.sandbox" and row[10].endswith(f"rei.{rid}")
