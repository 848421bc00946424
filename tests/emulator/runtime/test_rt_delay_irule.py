"""Delay queue (EF repeats, UNTIL SUCCESS, NREP form), irule forms, py_remote."""

from __future__ import annotations

import pytest
from b2safe_sandbox.runtime.engine import expression_source
from rt_helpers import code_of

PY = "irods_rule_engine_plugin-python-instance"
NREP = "irods_rule_engine_plugin-irods_rule_language-instance"

CORE = '''
import irods_errors
COUNT = {"n": 0}

def tick(rule_args, callback, rei):
    COUNT["n"] += 1
    callback.writeLine("serverLog", "tick " + str(COUNT["n"]) + " " + ",".join(rule_args))

def flaky(rule_args, callback, rei):
    COUNT["n"] += 1
    if COUNT["n"] < 3:
        return -1000
    callback.writeLine("serverLog", "flaky ok")

def schedule(rule_args, callback, rei):
    callback.delayExec(rule_args[0], rule_args[1], "")

def hello(rule_args, callback, rei):
    callback.writeLine("stdout", "hello from core")

def raiser(rule_args, callback, rei):
    raise RuntimeError("[iRods__Error__Code:-130000] nope")
'''


@pytest.fixture
def dsb(make_sb):
    return make_sb(CORE, zones=("zoneA", "zoneB"))


def sched(sb, cond, text, user="alice#zoneA"):
    res = sb.exec_rule("zoneA", "schedule", [cond, text], user)
    assert res.code == 0, res.traceback


def ticks(sb, zone="zoneA"):
    return [x for x in sb.server_log[zone] if "tick" in x]


def test_expression_wrapping():
    assert expression_source("a = 1\nif a:\n    b = 2") == (
        "def expressionFcn(rule_args, callback, rei):\n a = 1\n if a:\n     b = 2")


def test_one_shot_and_ordering(dsb):
    sched(dsb, f"<INST_NAME>{PY}</INST_NAME><PLUSET>60s</PLUSET>", "callback.tick('late')")
    sched(dsb, f"<INST_NAME>{PY}</INST_NAME><PLUSET>30s</PLUSET>", "callback.tick('early')")
    assert dsb.run_delayed(10) == []
    res = dsb.run_delayed(60)
    assert [r.succeeded for r in res] == [True, True]
    assert ticks(dsb)[0].endswith("early") and ticks(dsb)[1].endswith("late")
    assert dsb.zone("zoneA").catalog.delay_list() == []
    assert dsb.run_delayed(1000) == []


def test_due_rules_run_highest_priority_first(dsb):
    # irodsDelayServer.cpp@5.0.2 L729-732: due rules are selected order_desc(RULE_EXEC_PRIORITY),
    # whatever their execution times; equal priorities keep the order they were queued in.
    for prio, delay, name in (("3", "10s", "low"), ("7", "30s", "high"), ("5", "20s", "mid"),
                              ("5", "20s", "mid2")):
        sched(dsb, f"<INST_NAME>{PY}</INST_NAME><PLUSET>{delay}</PLUSET>"
                   f"<PRIORITY>{prio}</PRIORITY>", f"callback.tick('{name}')")
    dsb.run_delayed(60)
    assert [t.split()[-1] for t in ticks(dsb)] == ["high", "mid", "mid2", "low"]


def test_repeat_n_times(dsb):
    sched(dsb, f"<INST_NAME>{PY}</INST_NAME><PLUSET>1s</PLUSET><EF>10s REPEAT 3 TIMES</EF>",
          "callback.tick()")
    for _ in range(5):
        dsb.run_delayed(10)
    assert len(ticks(dsb)) == 3
    assert dsb.zone("zoneA").catalog.delay_list() == []


def test_until_success_records_failures(dsb):
    sched(dsb, f"<INST_NAME>{PY}</INST_NAME><EF>1m REPEAT UNTIL SUCCESS</EF>",
          "ret = callback.flaky()")
    r1 = dsb.run_delayed(0)
    assert r1[0].succeeded is False and r1[0].code == -1828000
    row = dsb.zone("zoneA").catalog.delay_list()[0]
    assert row.status and int(row.last_exe_time) == dsb.clock.now()
    dsb.run_delayed(60)
    r3 = dsb.run_delayed(60)
    assert r3[0].succeeded
    assert dsb.zone("zoneA").catalog.delay_list() == []


def test_nrep_instance_forwarding(dsb):
    sched(dsb, f"<INST_NAME>{NREP}</INST_NAME>", "tick('x', 'y')")
    res = dsb.run_delayed(0)
    assert res[0].succeeded and ticks(dsb)[0].endswith("x,y")


def test_malformed_condition(dsb):
    res = dsb.exec_rule("zoneA", "schedule", ["<PLUSET>soon</PLUSET>", "x"], "alice#zoneA")
    assert res.code == -1084000


def test_delay_runs_as_scheduler(dsb):
    core_add = '''
def whoami(rule_args, callback, rei):
    callback.writeLine("serverLog", "who " + str(rei.uoic.userName) + "#" + str(rei.uoic.rodsZone))
'''
    dsb.zone("zoneA").install_core(CORE + core_add)
    sched(dsb, f"<INST_NAME>{PY}</INST_NAME>", "callback.whoami()")
    dsb.run_delayed(0)
    assert any("who alice#zoneA" in x for x in dsb.server_log["zoneA"])


RULE_FILE = '''def main(rule_args, callback, rei):
    callback.writeLine("stdout", "name=" + irods_rule_vars["*name"])
    callback.hello()
INPUT *name="world"
OUTPUT ruleExecOut
'''


def test_irule_file_and_overrides(dsb):
    c = dsb.client("rods#zoneA")
    res = c.irule_file(RULE_FILE)
    assert res.code == 0 and res.stdout == 'name="world"\nhello from core\n'
    res = c.irule_file(RULE_FILE, ['*name="you"'])
    assert res.stdout.startswith('name="you"')


def test_irule_requires_admin(dsb):
    res = dsb.client("alice#zoneA").irule_file(RULE_FILE)
    assert res.code == -13000 and "Insufficient privileges" in res.error
    assert dsb.client("alice#zoneA").irule_rule("hello").code == -13000


def test_irule_rule_and_errors(dsb):
    c = dsb.client("rods#zoneA")
    res = c.irule_rule("hello")
    assert res.code == 0 and res.stdout == "hello from core\n"
    assert c.irule_rule("raiser").code == -1828000
    bad = ("def main(rule_args, callback, rei):\n    raise ValueError('x')\n"
           "INPUT null\nOUTPUT ruleExecOut\n")
    assert c.irule_file(bad).code == -1828000


def test_py_remote(dsb):
    text = ("def main(rule_args, callback, rei):\\n"
            "    callback.writeLine('serverLog', 'remote ran')\\n")
    rule = ("def main(rule_args, callback, rei):\n"
            f"    callback.py_remote('zoneb.sandbox:1247', '<INST_NAME>{PY}</INST_NAME>', "
            f"\"{text}\", '')\n"
            "INPUT null\nOUTPUT ruleExecOut\n")
    res = dsb.client("rods#zoneA").irule_file(rule)
    assert res.code == 0, res.error
    assert any("remote ran" in x for x in dsb.server_log["zoneB"])
    # PREP main.cpp@5.0.1 L60-89: the instance is named only by <INST_NAME>; with it the
    # engine's error comes back (L729-737 SYS_NO_API_PRIV; an exception RULE_ENGINE_ERROR) ...
    inst = f"<INST_NAME>{PY}</INST_NAME>"
    cb = dsb.callback("zoneA", "alice#zoneA")
    with pytest.raises(RuntimeError) as err:
        cb.py_remote("zoneb.sandbox", inst, "def main(a, c, r):\n    pass\n", "")
    assert code_of(err.value) == -13000
    cb = dsb.callback("zoneA", "rods#zoneA")
    with pytest.raises(RuntimeError) as err:
        cb.py_remote("zoneb.sandbox", inst, "def main(a, c, r):\n    raise ValueError()\n", "")
    assert code_of(err.value) == -1828000
    # ... without it every engine runs the text, errors are only logged (irods_re_plugin.hpp
    # @5.0.2 L644-656) and py_remote succeeds.
    assert cb.py_remote("zoneb.sandbox", "", "def main(a, c, r):\n    raise ValueError()\n",
                        "")["code"] == 0
    assert dsb.callback("zoneA", "alice#zoneA").py_remote(
        "zoneb.sandbox", "", "def main(a, c, r):\n    pass\n", "")["code"] == 0
