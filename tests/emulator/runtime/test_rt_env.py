"""Per-zone environment stacking across nested cross-zone calls; misc facade behaviour."""

from __future__ import annotations

import os
import sys

PY = "irods_rule_engine_plugin-python-instance"

CORE = '''
import os
import sys

def nested(rule_args, callback, rei):
    before = os.environ["B2SAFE_CONFIG"]
    text = ("def main(rule_args, callback, rei):\\n"
            "    import os, sys\\n"
            "    callback.writeLine('serverLog', 'inner ' + os.environ['B2SAFE_CONFIG'] + ' ' "
            "+ sys.modules['core'].__file__)\\n")
    callback.py_remote("zoneb.sandbox", "<INST_NAME>PY</INST_NAME>", text, "")
    after = os.environ["B2SAFE_CONFIG"]
    rule_args[0] = before
    rule_args[1] = after
    rule_args[2] = sys.modules["core"].__file__

def sched(rule_args, callback, rei):
    ret = callback.delayExec("<PLUSET>10s</PLUSET>", "callback.writeLine('serverLog', 'x')", "")
    rule_args[0] = repr(ret["arguments"]) + " " + str(ret["code"])
'''.replace("PY", PY)


def test_nested_cross_zone_env_stacks(make_sb):
    sb = make_sb(CORE, zones=("zoneA", "zoneB"))
    saved_env = os.environ.get("B2SAFE_CONFIG")
    saved_core = sys.modules.get("core")
    args = ["", "", ""]
    res = sb.exec_rule("zoneA", "nested", args, "rods#zoneA")
    assert res.code == 0, res.traceback
    assert "zoneA" in args[0] and args[0] == args[1]
    assert "/zoneA/etc/irods/core.py" in args[2]
    inner = next(x for x in sb.server_log["zoneB"] if "inString = inner" in x)
    assert "/zoneB/etc/irods/b2safe.json" in inner and "/zoneB/etc/irods/core.py" in inner
    assert os.environ.get("B2SAFE_CONFIG") == saved_env
    assert sys.modules.get("core") is saved_core


def test_delay_exec_returns_no_id(make_sb):
    sb = make_sb(CORE)
    args = [""]
    assert sb.exec_rule("zoneA", "sched", args, "alice#zoneA").code == 0
    assert args[0] == "['<PLUSET>10s</PLUSET>', \"callback.writeLine('serverLog', 'x')\", ''] 0"
    rows = sb.zone("zoneA").catalog.delay_list()
    assert len(rows) == 1 and int(rows[0].exe_time) == sb.clock.now() + 10
    assert rows[0].user_name == "alice"


def test_exec_rule_missing_rule(make_sb):
    sb = make_sb("")
    assert sb.exec_rule("zoneA", "nothing", [], "rods#zoneA").code == -1102000
