"""The rule decorator: argument forms, write-back by index, errors as PREP sees them."""

import builtins
import logging
import re
import traceback

import pytest

from b2safe import errors
from b2safe.prep import REGISTRY, RULE_ENGINE_CONTINUE, pep, rule
from b2safe.prep.registry import REGISTRY as _REG

from .fakeprep import RecordingCallback, make_rei

PREP_CODE = re.compile(r"\[iRods__Error__Code:(-?\d+)\]")


def prep_code_of(exc: BaseException) -> int:
    """What PREP does: the first [iRods__Error__Code:N] in the formatted traceback, else -1."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    found = PREP_CODE.search(text)
    return int(found.group(1)) if found else -1


@pytest.fixture
def scratch_rules():
    before = dict(_REG)
    yield
    _REG.clear()
    _REG.update(before)


@pytest.fixture(autouse=True)
def config_file(tmp_path, monkeypatch):
    path = tmp_path / "b2safe.json"
    path.write_text('{"version": 1, "zone": {"name": "tempZone", '
                    '"server_id": "irods://localhost:1247"}, "logging": {"level": 3}}')
    monkeypatch.setenv("B2SAFE_CONFIG", str(path))
    return path


def test_outputs_written_back_by_index_as_strings(scratch_rules):
    @rule("T_three", params=("a", "flag:bool"), outputs=("out1", "out2"))
    def body(ctx, a, flag):
        return (a.upper(), flag)

    args = ["x", "True", "", ""]
    assert body(args, RecordingCallback(), make_rei()) is None
    assert args == ["x", "True", "X", "true"]


def test_none_output_is_the_string_None(scratch_rules):
    @rule("T_none", params=("p",), outputs=("o",))
    def body(ctx, p):
        return None

    args = ["p", "placeholder"]
    body(args, RecordingCallback(), make_rei())
    assert args[1] == "None"


def test_overloads_dispatch_on_argument_count(scratch_rules):
    @rule("T_over", forms=[("src", "dst", "rec:bool", "OUT resp"),
                           ("src", "dst", "resc", "rec:bool", "OUT resp")])
    def body(ctx, src, dst, rec, resc="default"):
        return f"{src}>{dst}@{resc}:{rec}"

    short = ["a", "b", "false", ""]
    long = ["a", "b", "r1", "true", ""]
    body(short, RecordingCallback(), make_rei())
    body(long, RecordingCallback(), make_rei())
    assert short[-1] == "a>b@default:False"
    assert long[-1] == "a>b@r1:True"


def test_outputs_may_interleave_with_inputs(scratch_rules):
    @rule("T_mixed", forms=[("path", "OUT checksum", "OUT modtime", "resource")])
    def body(ctx, path, resource):
        return {"checksum": f"sum:{path}@{resource}", "modtime": 7}

    args = ["/z/f", "", "", "resc1"]
    body(args, RecordingCallback(), make_rei())
    assert args == ["/z/f", "sum:/z/f@resc1", "7", "resc1"]


def test_wrong_argument_count_is_a_clear_input_error(scratch_rules):
    @rule("T_count", params=("a", "b"), outputs=("o",))
    def body(ctx, a, b):
        return a

    with pytest.raises(RuntimeError) as info:
        body(["only-one"], RecordingCallback(), make_rei())
    assert prep_code_of(info.value) == errors.SYS_INVALID_INPUT_PARAM
    assert "T_count(a, b, OUT o)" in str(info.value)


def test_rule_name_form_reads_irods_rule_vars_and_prints_outputs(scratch_rules, monkeypatch):
    @rule("T_vars", params=("path", "force:bool"), outputs=("result",))
    def body(ctx, path, force):
        return f"{path}:{force}"

    monkeypatch.setattr(builtins, "irods_rule_vars",
                        {"*path": '"/tempZone/a b"', "*force": '"true"'}, raising=False)
    cb = RecordingCallback()
    body([], cb, make_rei())
    assert cb.out("stdout") == ["result = /tempZone/a b:True"]


def test_b2safe_error_code_is_the_first_in_the_traceback(scratch_rules):
    @rule("T_fail", params=("p",), outputs=())
    def body(ctx, p):
        try:
            raise RuntimeError("[iRods__Error__Code:-808000] inner server failure")
        except RuntimeError:
            raise errors.NotFound(f"{p} does not exist") from None

    cb = RecordingCallback()
    with pytest.raises(RuntimeError) as info:
        body(["/tempZone/x"], cb, make_rei())
    assert prep_code_of(info.value) == errors.USER_FILE_DOES_NOT_EXIST
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert "T_fail: /tempZone/x does not exist" in str(info.value)
    logged = cb.out("serverLog")
    assert len(logged) == 1 and "T_fail failed [-310000]" in logged[0]


def test_chained_server_error_does_not_win(scratch_rules):
    @rule("T_chain", params=(), outputs=())
    def body(ctx):
        try:
            raise RuntimeError("[iRods__Error__Code:-817000] cause")
        except RuntimeError as exc:
            raise errors.AccessDenied("denied") from exc

    with pytest.raises(RuntimeError) as info:
        body([], RecordingCallback(), make_rei())
    assert prep_code_of(info.value) == errors.CAT_NO_ACCESS_PERMISSION


def test_unexpected_exception_is_internal_with_traceback_logged(scratch_rules):
    @rule("T_bug", params=(), outputs=())
    def body(ctx):
        return {}["missing"]

    cb = RecordingCallback()
    with pytest.raises(RuntimeError) as info:
        body([], cb, make_rei())
    assert prep_code_of(info.value) == errors.SYS_INTERNAL_ERR
    assert "KeyError" in str(info.value)
    assert any("Traceback" in line and "KeyError" in line for line in cb.out("serverLog"))


def test_admin_only_rule_refuses_rodsuser(scratch_rules):
    @rule("T_admin", params=(), outputs=("o",), admin_only=True)
    def body(ctx):
        return "ran"

    args = [""]
    with pytest.raises(RuntimeError) as info:
        body(args, RecordingCallback(), make_rei("alice", user_type="rodsuser", auth_flag=2))
    assert prep_code_of(info.value) == errors.CAT_INSUFFICIENT_PRIVILEGE_LEVEL
    assert args == [""]
    body(args, RecordingCallback(), make_rei())
    assert args == ["ran"]


def test_bad_config_stops_the_rule_with_config_code(scratch_rules, config_file):
    config_file.write_text('{"version": 1, "zone": {"name": "tempZone"}}')

    @rule("T_cfg", params=(), outputs=("o",))
    def body(ctx):
        return ctx.config.zone.name

    args = [""]
    with pytest.raises(RuntimeError) as info:
        body(args, RecordingCallback(), make_rei())
    assert prep_code_of(info.value) == errors.SYS_CONFIG_FILE_ERR
    assert "/zone" in str(info.value) and str(config_file) in str(info.value)
    assert args == [""]


def test_bad_config_stops_even_rules_that_do_not_read_it(scratch_rules, config_file):
    config_file.write_text("{not json")
    ran = []

    @rule("T_nocfg", params=(), outputs=("o",))
    def body(ctx):
        ran.append(True)
        return "ran"

    with pytest.raises(RuntimeError) as info:
        body([""], RecordingCallback(), make_rei())
    assert prep_code_of(info.value) == errors.SYS_CONFIG_FILE_ERR
    assert ran == []


def test_pep_with_bad_config_does_nothing_and_continues(scratch_rules, config_file):
    config_file.write_text("{not json")
    ran = []

    @pep("pep_api_cfg_post")
    def handler(ctx, rule_args):
        ran.append(True)

    cb = RecordingCallback()
    assert handler(["inst"], cb, make_rei()) == RULE_ENGINE_CONTINUE
    assert ran == []
    assert any("not valid JSON" in line for line in cb.out("serverLog"))


def test_pep_never_fails_the_operation(scratch_rules):
    @pep("pep_api_test_post")
    def handler(ctx, rule_args):
        raise ValueError("policy broke")

    cb = RecordingCallback()
    assert handler(["inst", None], cb, make_rei()) == RULE_ENGINE_CONTINUE
    assert any("policy broke" in line for line in cb.out("serverLog"))
    assert REGISTRY["pep_api_test_post"].kind == "pep"


def test_a_pep_with_nothing_to_do_neither_parses_nor_runs(scratch_rules):
    """``when`` false: the arguments are not parsed and the body is not called; true: both."""
    parsed, ran, wanted = [], [], []

    class Args:
        @classmethod
        def from_prep(cls, rule_args, rei):
            parsed.append(rule_args[1])
            return rule_args[1]

    @pep("pep_api_when_post", args=Args, when=lambda ctx: bool(wanted))
    def handler(ctx, value):
        ran.append(value)

    assert handler(["inst", "a"], RecordingCallback(), make_rei()) == RULE_ENGINE_CONTINUE
    assert (parsed, ran) == ([], [])
    wanted.append(True)
    assert handler(["inst", "b"], RecordingCallback(), make_rei()) == RULE_ENGINE_CONTINUE
    assert (parsed, ran) == (["b"], ["b"])


def test_log_levels_follow_config(scratch_rules, config_file):
    config_file.write_text('{"version": 1, "zone": {"name": "z", '
                           '"server_id": "irods://h:1247"}, "logging": {"level": 0}}')

    @rule("T_log", params=(), outputs=())
    def body(ctx):
        log = logging.getLogger("b2safe.test")
        log.info("informative")
        log.error("bad thing")

    cb = RecordingCallback()
    body([], cb, make_rei())
    lines = cb.out("serverLog")
    assert any("bad thing" in x for x in lines)
    assert not any("informative" in x for x in lines)


def test_auth_levels_match_irods_header():
    """authenticate.h: LOCAL_USER_AUTH 3 is not privileged; only LOCAL_PRIV 5 (this zone's
    rodsadmin) passes b2safe's admin checks: REMOTE_PRIV 4 is a federated zone's rodsadmin, an
    ordinary user here whatever user type this zone registered it with."""
    from b2safe.prep.context import Caller

    assert not Caller("alice", "z", 3, "rodsuser").is_admin
    assert not Caller("rods", "other", 4, "rodsuser").is_admin
    assert not Caller("rods", "other", 4, "rodsadmin").is_admin
    assert Caller("rods", "z", 5, "rodsadmin").is_admin
