"""Rule definitions and calls: several bodies, return values, parameters written back,
microservices, queries, and calls across engines in both directions (irods
irods_rule_language/src/arithmetics.cpp execRule / execRuleNodeRes / execAction3,
irods_rule_language.cpp exec_rule)."""

from __future__ import annotations

from b2safe_sandbox.sandbox import Sandbox
from native_helpers import install_rulebase, lines, run

RULES = '''
    # several definitions of one name: tried in order; a false condition or a failing body
    # lets the next one run (execRule)
    pick(*x, *out) { on (*x == "a") { *out = "first" } or { fail(-1000) } }
    pick(*x, *out) { *out = "second:*x" }

    cutter(*out) { cut; fail(-2000); }
    cutter(*out) { *out = "never" }

    twice(*n) = *n * 2
    isBig(*n) { *res = *n > 10; *res; }
    native_double(*in, *out) { *out = str(int(*in) * 2); }
'''


def test_several_bodies_conditions_and_fall_through(nsb):
    install_rulebase(nsb, "zoneA", RULES)
    assert lines(nsb, '''
        pick("a", *r1); pick("b", *r2);
        writeLine("stdout", *r1 ++ " " ++ *r2);
        writeLine("stdout", str(errorcode(cutter(*r3))));
    ''') == ["first second:b", "-1089000"]


def test_functions_and_rule_values(nsb):
    # A rule's value is its last action's value; "=" defines a function of one expression.
    install_rulebase(nsb, "zoneA", RULES)
    assert lines(nsb, '''
        writeLine("stdout", str(twice(21)));
        *big = isBig(12);
        if (*big) { writeLine("stdout", "big") }
        if (!isBig(2)) { writeLine("stdout", "small") }
    ''') == ["42", "big", "small"]


def test_rules_of_the_irule_text_come_first_and_unknown_names_fail(nsb):
    install_rulebase(nsb, "zoneA", RULES)
    result = run(nsb, '''
        main { helper(*v); writeLine("stdout", *v); nosuchrule(*v); }
        helper(*v) { *v = "local helper" }
        INPUT null
        OUTPUT ruleExecOut
    ''')
    assert result.stdout == "local helper\n"
    assert result.code == -1097000  # NO_RULE_OR_MSI_FUNCTION_FOUND_ERR


def test_irule_inputs_overrides_and_outputs(nsb):
    result = run(nsb, '''
        main { *out = "got *in"; *count = 3; }
        INPUT *in="x", *unused=1
        OUTPUT ruleExecOut, *out, *count
    ''', overrides=('*in="y"',))
    assert result.code == 0
    assert result.stdout.splitlines() == ["*out = got y", "*count = 3"]


def test_microservices_outputs_and_buffers(nsb):
    # A variable passed unset is an output; msiDataObjRead fills a buffer writeBytesBuf prints.
    assert lines(nsb, '''
        msiDataObjCreate("/zoneA/home/alice/n.txt", "", *fd);
        msiDataObjWrite(*fd, "Hello World!", "");
        msiDataObjClose(*fd, *st);
        msiDataObjOpen("/zoneA/home/alice/n.txt", *fd2);
        msiDataObjRead(*fd2, 5, *buf);
        msiDataObjClose(*fd2, *st2);
        writeBytesBuf("stdout", *buf); writeLine("stdout", "");
        msiString2KeyValPair("a=1%b=2", *kvp);
        msiGetValByKey(*kvp, "b", *b);
        writeLine("stdout", "b=*b");
    ''') == ["Hello", "b=2"]


def test_select_in_foreach_with_or_and_count(nsb):
    client = nsb.client("alice#zoneA")
    client.imkdir("/zoneA/home/alice/c")
    client.imkdir("/zoneA/home/alice/c/sub")
    for path in ("/zoneA/home/alice/c/x", "/zoneA/home/alice/c/sub/y", "/zoneA/home/alice/cc"):
        client.iput(path, b"1")
    assert sorted(lines(nsb, '''
        *c = "/zoneA/home/alice/c";
        foreach (*r in SELECT COLL_NAME, DATA_NAME WHERE COLL_NAME = '*c' || like '*c/%') {
            writeLine("stdout", *r.COLL_NAME ++ "/" ++ *r.DATA_NAME);
        }
        foreach (*r in select count(DATA_NAME) where COLL_NAME like '*c%') {
            writeLine("stdout", "count " ++ *r.DATA_NAME);
        }
    ''')) == ["/zoneA/home/alice/c/sub/y", "/zoneA/home/alice/c/x", "count 2"]


def test_native_calls_python_with_strings_only(nsb):
    # execAction3: forwarded to the framework only when every argument is a string; the
    # strings come back, the value is the error code; an unset argument is not forwarded.
    assert lines(nsb, '''
        *out = "";
        *code = py_echo("hi", *out);
        writeLine("stdout", *out ++ " " ++ str(*code));
        writeLine("stdout", str(errorcode(py_fail("x"))));
        writeLine("stdout", str(errorcode(py_echo("hi", *unset))));
    ''') == ["echo:hi 0", "-130000", "-1097000"]


def test_python_calls_a_native_rule_and_gets_strings_back(nsb):
    # The callback asks the next engine when core.py lacks the name (irods_re_plugin control);
    # the native exec_rule writes back string parameters.
    install_rulebase(nsb, "zoneA", RULES)
    result = nsb.exec_rule("zoneA", "py_calls_native", ["21", ""], "alice#zoneA")
    assert result.code == 0 and result.rule_args[1] == "42"


def test_python_rule_wins_over_a_native_rule_of_the_same_name(nsb):
    install_rulebase(nsb, "zoneA", 'py_echo(*a, *b) { *b = "native" }')
    result = nsb.exec_rule("zoneA", "py_calls_native", ["1", ""], "alice#zoneA")
    assert result.code < 0  # native_double is not in this rule base
    cb_result = nsb.exec_rule("zoneA", "py_echo", ["x", ""], "alice#zoneA")
    assert cb_result.rule_args[1] == "echo:x"


def test_an_ordinary_user_runs_rule_text_only_through_the_native_engine(nsb):
    client = nsb.client("alice#zoneA")
    assert client.irule_file("def main(rule_args, callback, rei):\n    pass\n"
                             "INPUT null\nOUTPUT ruleExecOut\n").code == -13000
    assert client.irule_native('m { writeLine("stdout", "ok") }\n'
                               'INPUT null\nOUTPUT ruleExecOut').stdout == "ok\n"


REWRITING_CORE = '''
def py_word_twice(rule_args, callback, rei):
    first = callback.native_word("")["arguments"][0]
    with open(rule_args[0], "w", encoding="utf-8") as handle:
        handle.write('native_word(*w) { *w = "new value"; }\\n')
    rule_args[1] = first + " " + callback.native_word("")["arguments"][0]
'''


def test_a_rule_base_changed_while_an_agent_runs_reaches_only_later_agents(tmp_path):
    # The rule-language plugin loads the rule base when an agent starts it (irods/irods
    # irods_rule_language.cpp setup -> initRuleEngine), not on every rule_exists.
    sb = Sandbox.create(tmp_path / "sb", zones=("zoneA",), core_py=REWRITING_CORE)
    try:
        install_rulebase(sb, "zoneA", 'native_word(*w) { *w = "old"; }\n')
        path = str(sb.zone("zoneA").config_dir / "core.re")
        first = sb.exec_rule("zoneA", "py_word_twice", [path, ""], "rods#zoneA")
        later = sb.exec_rule("zoneA", "py_word_twice", [path, ""], "rods#zoneA")
    finally:
        sb.close()
    assert (first.code, first.rule_args[1]) == (0, "old old")
    assert (later.code, later.rule_args[1]) == (0, "new value new value")
