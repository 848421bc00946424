"""delayExec condition tags and the EF grammar."""

from __future__ import annotations

import pytest
from b2safe_sandbox import delayspec as ds
from b2safe_sandbox.errors import INPUT_ARG_NOT_WELL_FORMED_ERR, IrodsCallError
from hypothesis import given
from hypothesis import strategies as st

PY = "irods_rule_engine_plugin-python-instance"


def _code(exc: pytest.ExceptionInfo) -> int:
    return exc.value.code


def test_full_condition() -> None:
    cond = ds.parse_condition(
        f"<INST_NAME>{PY}</INST_NAME><PLUSET>30s</PLUSET><EF>1h REPEAT 5 TIMES</EF>"
        "<PRIORITY>3</PRIORITY>")
    assert cond.inst_name == PY
    assert cond.plus_set_seconds == 30
    assert cond.exe_time is None
    assert cond.frequency == "1h REPEAT 5 TIMES"
    assert cond.priority == 3
    assert cond.due_time(1000) == 1030


def test_empty_condition_runs_now() -> None:
    cond = ds.parse_condition("")
    assert cond.due_time(50) == 50 and cond.frequency == "" and cond.inst_name == ""


def test_absolute_time_wins() -> None:
    cond = ds.parse_condition("<ET>2024-01-02.03:04:05</ET><PLUSET>1h</PLUSET>")
    assert cond.exe_time == 1704164645
    assert cond.due_time(0) == 1704164645
    assert ds.parse_condition("<ET>1700000000</ET>").exe_time == 1700000000


@pytest.mark.parametrize("text", [
    "<PLUSET>30s",                       # unclosed
    "<PLUSET>30s</ET>",                  # closed by another tag
    "garbage<PLUSET>30s</PLUSET>",       # text outside tags
    "<PLUSET>30s</PLUSET>tail",
    "<PLUSET>soon</PLUSET>",             # bad duration
    "<ET>yesterday</ET>",                # bad absolute time
    "<ET>2024-13-40</ET>",
    "<EF>REPEAT FOR EVER</EF>",          # EF without <n><unit>
    "<EF>1h SOMETIMES</EF>",
    "<PRIORITY>high</PRIORITY>",
    "<PLUSET>1s</PLUSET><PLUSET>2s</PLUSET>",
    "<PLUSET><EF>1h</EF></PLUSET>",
])
def test_malformed_conditions(text: str) -> None:
    with pytest.raises(IrodsCallError) as exc:
        ds.parse_condition(text)
    assert _code(exc) == INPUT_ARG_NOT_WELL_FORMED_ERR


@pytest.mark.parametrize(("text", "seconds"), [
    ("30", 30), ("30s", 30), ("5m", 300), ("1h", 3600), ("2d", 172800), ("1y", 31536000),
    ("01:30", 5400), ("1:00:05", 3605),
])
def test_durations(text: str, seconds: int) -> None:
    assert ds.parse_duration(text) == seconds


@pytest.mark.parametrize(("ef", "expected"), [
    ("1h", ds.Frequency(3600, text="1h")),
    ("1h REPEAT FOR EVER", ds.Frequency(3600, text="1h REPEAT FOR EVER")),
    ("10m REPEAT UNTIL SUCCESS", ds.Frequency(600, until_success=True,
                                              text="10m REPEAT UNTIL SUCCESS")),
    ("1h REPEAT 5 TIMES", ds.Frequency(3600, times=5, text="1h REPEAT 5 TIMES")),
    ("1h REPEAT UNTIL SUCCESS OR 5 TIMES",
     ds.Frequency(3600, until_success=True, times=5, text="1h REPEAT UNTIL SUCCESS OR 5 TIMES")),
    ("1h REPEAT UNTIL 1700000000", ds.Frequency(3600, until_time=1700000000,
                                               text="1h REPEAT UNTIL 1700000000")),
    ("30s DOUBLE UNTIL SUCCESS", ds.Frequency(30, double=True, until_success=True,
                                              text="30s DOUBLE UNTIL SUCCESS")),
])
def test_parse_frequency(ef: str, expected: ds.Frequency) -> None:
    assert ds.parse_frequency(ef) == expected


def test_next_run_semantics() -> None:
    assert ds.next_run("", 100, True, 1) is None
    assert ds.next_run("1h", 100, False, 7) == 3700
    assert ds.next_run("1h REPEAT UNTIL SUCCESS", 100, True, 1) is None
    assert ds.next_run("1h REPEAT UNTIL SUCCESS", 100, False, 1) == 3700
    assert ds.next_run("1h REPEAT 2 TIMES", 100, True, 1) == 3700
    assert ds.next_run("1h REPEAT 2 TIMES", 3700, True, 2) is None
    assert ds.next_run("1h REPEAT UNTIL SUCCESS OR 3 TIMES", 0, False, 3) is None
    assert ds.next_run("1h REPEAT UNTIL 5000", 1000, False, 1) == 4600
    assert ds.next_run("1h REPEAT UNTIL 5000", 2000, False, 2) is None
    assert ds.next_run("10s DOUBLE FOR EVER", 0, False, 1) == 10
    assert ds.next_run("10s DOUBLE FOR EVER", 0, False, 3) == 40


_unit = st.sampled_from(["", "s", "m", "h", "d", "y"])
_tail = st.one_of(
    st.just(""), st.just(" REPEAT FOR EVER"), st.just(" REPEAT UNTIL SUCCESS"),
    st.integers(1, 99).map(lambda n: f" REPEAT {n} TIMES"),
    st.integers(1, 99).map(lambda n: f" DOUBLE UNTIL SUCCESS OR {n} TIMES"),
    st.integers(0, 2**31).map(lambda t: f" REPEAT UNTIL {t}"),
)


@given(st.integers(1, 10_000), _unit, _tail, st.integers(0, 2**31), st.booleans(),
       st.integers(1, 200))
def test_grammar_properties(n: int, unit: str, tail: str, last: int, ok: bool,
                            runs: int) -> None:
    ef = f"{n}{unit}{tail}"
    freq = ds.parse_frequency(ef)
    assert freq.interval == n * ds.UNIT_SECONDS[unit or "s"]
    nxt = ds.next_run(freq, last, ok, runs)
    if nxt is not None:
        assert nxt > last  # always strictly later
        assert not (freq.until_success and ok)
        assert freq.times is None or runs < freq.times
        assert freq.until_time is None or nxt <= freq.until_time
    elif freq.forever:
        pytest.fail("a for-ever rule was removed")


@given(st.text(max_size=30))
def test_garbage_never_crashes(text: str) -> None:
    try:
        ds.parse_frequency(text)
    except IrodsCallError as exc:
        assert exc.code == INPUT_ARG_NOT_WELL_FORMED_ERR
    try:
        ds.parse_condition(text)
    except IrodsCallError as exc:
        assert exc.code == INPUT_ARG_NOT_WELL_FORMED_ERR
