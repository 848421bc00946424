"""Callback dispatch, error semantics, write-back and placeholder rules."""

from __future__ import annotations

import threading

import pytest
from b2safe_sandbox.runtime import irods_types as T
from rt_helpers import code_of

CORE = '''
import irods_types

def echo(rule_args, callback, rei):
    rule_args[1] = rule_args[0].upper()

def fails(rule_args, callback, rei):
    callback.msiDataObjUnlink("/zoneA/home/alice/missing", 0)

def negative(rule_args, callback, rei):
    return -12345000

def cont(rule_args, callback, rei):
    return irods_errors.RULE_ENGINE_CONTINUE

def rebinds(rule_args, callback, rei):
    rule_args = ["x", "y"]

def plain_raise(rule_args, callback, rei):
    raise ValueError("boom")

def writeLine(rule_args, callback, rei):
    rule_args[1] = "shadowed"

def spawn(rule_args, callback, rei):
    box = {}
    def work():
        try:
            callback.msiGetSystemTime("", "unix")
        except RuntimeError as exc:
            box["err"] = str(exc)
    t = threading.Thread(target=work)
    t.start()
    t.join()
    rule_args[0] = box.get("err", "")

import threading
'''


@pytest.fixture
def zsb(make_sb):
    return make_sb(CORE)


def test_rule_first_then_msi(zsb):
    cb = zsb.callback("zoneA", "rods#zoneA")
    ret = cb.echo("abc", "")
    assert ret == {"arguments": ["abc", "ABC"], "code": 0, "status": True}
    # a rule named like a microservice shadows it
    assert cb.writeLine("serverLog", "x")["arguments"][1] == "shadowed"


def test_unknown_name_and_arg_count(zsb):
    cb = zsb.callback("zoneA", "rods#zoneA")
    assert hasattr(cb, "anything_at_all")
    with pytest.raises(RuntimeError) as err:
        cb.noSuchMicroservice("a")
    assert code_of(err.value) == -1102000
    with pytest.raises(RuntimeError) as err:
        cb.msiGetSystemTime("")
    assert code_of(err.value) == -1021000


def test_non_marshallable_args_raise_before_running(zsb):
    cb = zsb.callback("zoneA", "rods#zoneA")
    for bad in (None, T.DataObjInp(), [1]):
        with pytest.raises(RuntimeError) as err:
            cb.writeLine("serverLog", bad)
        assert "iRods__Error__Code" not in str(err.value)
    assert not any("writeLine" in line for line in zsb.server_log["zoneA"])


def test_keyword_args_ignored_and_positive_codes_lost(zsb):
    cb = zsb.callback("zoneA", "rods#zoneA")
    ret = cb.msiGetSystemTime("", "unix", ignored="yes")
    assert ret["status"] is True and ret["code"] == 0
    assert ret["arguments"][0] == f"{zsb.clock.now():011d}"


def test_nested_rule_errors(zsb):
    cb = zsb.callback("zoneA", "rods#zoneA")
    with pytest.raises(RuntimeError) as err:
        cb.fails()
    assert code_of(err.value) == -310000 or code_of(err.value) < 0
    with pytest.raises(RuntimeError) as err:
        cb.negative()
    assert code_of(err.value) == -12345000
    with pytest.raises(RuntimeError) as err:
        cb.plain_raise()
    assert code_of(err.value) == -1
    assert "ValueError: boom" in str(err.value)
    assert cb.cont()["code"] == 5000000


def test_exec_rule_write_back(zsb):
    args = ["hello", "", 7]
    res = zsb.exec_rule("zoneA", "echo", args, "rods#zoneA")
    assert res.code == 0 and args == ["hello", "HELLO", 7]
    args = ["a", "b"]
    assert zsb.exec_rule("zoneA", "rebinds", args, "rods#zoneA").code == 0
    assert args == ["a", "b"]
    res = zsb.exec_rule("zoneA", "plain_raise", [], "rods#zoneA")
    assert res.code == -1 and "ValueError" in res.traceback
    assert zsb.exec_rule("zoneA", "negative", [], "rods#zoneA").code == -12345000
    assert zsb.exec_rule("zoneA", "fails", [], "rods#zoneA").code < 0


def test_exec_rule_first_embedded_code_wins(make_sb):
    core = '''
    def chained(rule_args, callback, rei):
        try:
            callback.msiGetValByKey(irods_types.KeyValPair(), "k", "")
        except RuntimeError as inner:
            raise RuntimeError("[iRods__Error__Code:-130000] outer") from inner
    import irods_types
    '''
    sb = make_sb(core)
    assert sb.exec_rule("zoneA", "chained", [], "rods#zoneA").code == -313000


def test_callback_from_other_thread_refused(zsb):
    args = [""]
    zsb.exec_rule("zoneA", "spawn", args, "rods#zoneA")
    assert "thread" in args[0]


def test_callback_outside_rule_thread(zsb):
    cb = zsb.callback("zoneA", "rods#zoneA")
    box = {}

    def work():
        try:
            cb.msiGetSystemTime("", "unix")
        except RuntimeError as exc:
            box["e"] = exc

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert "thread" in str(box["e"])


def test_broken_core_breaks_every_call(make_sb):
    sb = make_sb("import does_not_exist_module\n")
    cb = sb.callback("zoneA", "rods#zoneA")
    with pytest.raises(RuntimeError) as err:
        cb.msiGetSystemTime("", "unix")
    assert code_of(err.value) == -1828000
    assert sb.exec_rule("zoneA", "x", [], "rods#zoneA").code == -1828000
    sb.zone("zoneA").install_core("def x(rule_args, callback, rei):\n    rule_args[0] = 'ok'\n")
    args = [""]
    assert sb.exec_rule("zoneA", "x", args, "rods#zoneA").code == 0 and args == ["ok"]


def test_core_injection_and_rule_exists(make_sb):
    sb = make_sb("import json\n\ndef f(rule_args, callback, rei):\n"
                 "    rule_args[0] = str(irods_errors.CAT_NO_ROWS_FOUND)\n")
    args = [""]
    sb.exec_rule("zoneA", "f", args, "rods#zoneA")
    assert args == ["-808000"]
    # any attribute of core is a 'rule': json is a module, calling it fails with -1
    cb = sb.callback("zoneA", "rods#zoneA")
    with pytest.raises(RuntimeError) as err:
        cb.json()
    assert code_of(err.value) == -1


def test_zones_have_separate_core_and_env(make_sb):
    core_a = ("import os\nNAME='A'\ndef who(rule_args, callback, rei):\n"
              "    rule_args[0] = NAME + ':' + os.environ['B2SAFE_CONFIG']\n")
    sb = make_sb(core_a, zones=("zoneA", "zoneB"))
    sb.zone("zoneB").install_core(core_a.replace("'A'", "'B'"))
    a, b = [""], [""]
    sb.exec_rule("zoneA", "who", a, "rods#zoneA")
    sb.exec_rule("zoneB", "who", b, "rods#zoneB")
    assert a[0].startswith("A:") and a[0].endswith("zoneA/etc/irods/b2safe.json")
    assert b[0].startswith("B:") and "zoneB" in b[0]
    import os
    import sys

    assert "core" not in sys.modules or getattr(sys.modules["core"], "NAME", None) is None
    assert os.environ.get("B2SAFE_CONFIG", "") == "" or "zoneA" not in os.environ.get(
        "B2SAFE_CONFIG", "")


def test_placeholders(sb):
    cb = sb.callback("zoneA", "rods#zoneA")
    # STR output into a non-str placeholder is silently lost
    ret = cb.msiGetSystemTime(0, "unix")
    assert ret["arguments"][0] == 0
    # KVP output into a str placeholder: bad_any_cast
    with pytest.raises(RuntimeError) as err:
        cb.msiString2KeyValPair("a=1", "")
    assert "bad_any_cast" in str(err.value)
    # KVP in/out given a str: USER_PARAM_TYPE_ERR
    with pytest.raises(RuntimeError) as err:
        cb.msiAddKeyVal("", "k", "v")
    assert code_of(err.value) == -323000


def test_bad_any_cast_after_side_effect(sb):
    cb = sb.callback("zoneA", "rods#zoneA")
    with pytest.raises(RuntimeError) as err:
        cb.msiCollCreate("/zoneA/home/rods/newcoll", "0", "")
    assert "bad_any_cast" in str(err.value)
    assert sb.zone("zoneA").catalog.coll_get("/zoneA/home/rods/newcoll") is not None
    # an int-like placeholder (BytesBuf, as Yoda does) receives the int
    ret = cb.msiCollCreate("/zoneA/home/rods/c2", "0", T.BytesBuf())
    assert ret["arguments"][2] == 0


def test_no_rows_is_status_false_and_version_switch(make_sb):
    core = "def f(rule_args, callback, rei):\n    return -808000\n"
    sb = make_sb(core)
    cb = sb.callback("zoneA", "rods#zoneA")
    ret = cb.f()
    assert ret["status"] is False and ret["code"] == -808000
    sb43 = make_sb("")
    cb = sb43.callback("zoneA", "rods#zoneA")
    ret = cb.msiModAVUMetadata("-C", "/zoneA/home/rods", "rm", "a", "v", "")
    assert ret["status"] is False and ret["code"] == -819000
    sb5 = make_sb("", irods_version="5.0")
    cb = sb5.callback("zoneA", "rods#zoneA")
    with pytest.raises(RuntimeError) as err:
        cb.msiModAVUMetadata("-C", "/zoneA/home/rods", "rm", "a", "v", "")
    assert code_of(err.value) == -819000


def test_nrep_flag_controls_split_path(make_sb):
    sb = make_sb("")
    ret = sb.callback("zoneA", "rods#zoneA").msiSplitPath("/zoneA/home/x", "", "")
    assert ret["arguments"][1:] == ["/zoneA/home", "x"]
    sb2 = make_sb("", nrep_loaded=False)
    with pytest.raises(RuntimeError) as err:
        sb2.callback("zoneA", "rods#zoneA").msiSplitPath("/zoneA/home/x", "", "")
    assert code_of(err.value) == -1102000


def test_exec_cmd_unusable(sb):
    cb = sb.callback("zoneA", "rods#zoneA")
    with pytest.raises(RuntimeError) as err:
        cb.msiExecCmd("hello", "", "null", "null", "null", "")
    assert "bad_any_cast" in str(err.value)
    with pytest.raises(RuntimeError) as err:
        cb.msiExecCmd("hello", "", "null", "null", "null", 0)
    assert "Unknown type in msParam" in str(err.value)
