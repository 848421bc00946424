"""The rule language's expressions and statements (irods irods_rule_language/src/parser.cpp for
the syntax, functions.cpp and arithmetics.cpp for the meaning), run through irule as a user."""

from __future__ import annotations

import pytest
from native_helpers import lines, run


def test_assignment_arithmetic_and_precedence(nsb):
    # new_ops[]: * binds tighter than +, ++ concatenates str() of both sides, / gives a double.
    assert lines(nsb, '''
        *a = 2 + 3 * 4; *b = (2 + 3) * 4; *c = 7 % 3; *d = -*a + 1;
        writeLine("stdout", str(*a) ++ " " ++ str(*b) ++ " " ++ str(*c) ++ " " ++ str(*d));
        writeLine("stdout", str(1 / 2));
    ''') == ["14 20 1 -13", "0.500000"]


def test_string_interpolation_escapes_and_session_variables(nsb):
    # nextStringBase: *var and $var inside both quote kinds, backslash escapes.
    assert lines(nsb, r'''
        *who = "world";
        writeLine("stdout", "hello *who from $userNameClient#$rodsZoneClient");
        writeLine("stdout", 'single *who');
        writeLine("stdout", "no \*who here\tx");
    ''') == ["hello world from alice#zoneA", "single world", "no *who here\tx"]


def test_reading_an_unset_variable_fails(nsb):
    # evaluateVar3: RE_UNABLE_TO_READ_LOCAL_VAR.
    result = run(nsb, 't { writeLine("stdout", "*nothing"); }\nINPUT null\nOUTPUT ruleExecOut')
    assert result.code == -1211000


def test_if_else_if_else_and_boolean_operators(nsb):
    assert lines(nsb, '''
        foreach (*n in list(1, 5, 9)) {
            if (*n < 3) { writeLine("stdout", "small") }
            else if (*n < 7 && !(*n == 6)) { writeLine("stdout", "medium") }
            else { writeLine("stdout", "large") }
        }
        if (false || "abc" like "ab*") then { writeLine("stdout", "like") }
        if ("abc" like regex "a.c" && "abc" not like "b*") { writeLine("stdout", "regex") }
    ''') == ["small", "medium", "large", "like", "regex"]


def test_while_for_and_break(nsb):
    assert lines(nsb, '''
        *i = 0; *s = "";
        while (*i < 10) { *i = *i + 1; if (*i == 4) { break; } *s = *s ++ str(*i); }
        for (*j = 0; *j < 3; *j = *j + 1) { *s = *s ++ "-" ++ str(*j) }
        writeLine("stdout", *s)
    ''') == ["123-0-1-2"]


def test_string_and_list_functions(nsb):
    # functions.cpp: strlen, substr, triml (after the first), trimr (before the last), split,
    # list, elem, setelem, size, hd, tl, cons.
    assert lines(nsb, '''
        *p = "/zoneA/home/alice/f.txt";
        writeLine("stdout", str(strlen(*p)) ++ " " ++ substr(*p, 1, 6));
        writeLine("stdout", triml(*p, "/") ++ " | " ++ trimr(*p, "/"));
        *parts = split(*p, "/");
        writeLine("stdout", str(size(*parts)) ++ " " ++ elem(*parts, 0) ++ " " ++ hd(tl(*parts)));
        *l = cons("x", setelem(list("a", "b"), 1, "c"));
        writeLine("stdout", str(*l));
        writeLine("stdout", str(int("42") + 1) ++ " " ++ str(bool("TRUE")) ++ " " ++ type(1.5));
    ''') == ["23 zoneA", "zoneA/home/alice/f.txt | /zoneA/home/alice", "4 zoneA home",
             "x,a,c", "43 true DOUBLE"]


def test_errorcode_errormsg_fail_failmsg_msiexit(nsb):
    # smsi_errorcode / smsi_errormsg catch a failure; fail/failmsg/msiExit fail with a code.
    assert lines(nsb, '''
        writeLine("stdout", str(errorcode(msiObjStat("/zoneA/home/alice/none", *st))));
        writeLine("stdout", str(errorcode(fail())));
        writeLine("stdout", str(errorcode(failmsg(-1234000, "why"))));
        *c = errormsg(msiExit("-818000", "not yours"), *msg);
        writeLine("stdout", str(*c) ++ " " ++ *msg);
        writeLine("stdout", str(errorcode(writeLine("stdout", "fine"))));
    ''') == ["-310000", "-1091000", "-1234000", "-818000 not yours", "fine", "0"]


def test_succeed_ends_the_rule_successfully(nsb):
    assert lines(nsb, 'writeLine("stdout", "a"); succeed; writeLine("stdout", "b");') == ["a"]


def test_a_failure_runs_the_recovery_actions_in_reverse(nsb):
    # Actions(): "action ::: recovery"; a later failure runs the recoveries done so far.
    result = run(nsb, '''
        t {
            writeLine("stdout", "one") ::: writeLine("stdout", "undo one");
            writeLine("stdout", "two") ::: writeLine("stdout", "undo two");
            fail(-1000);
        }
        INPUT null
        OUTPUT ruleExecOut
    ''')
    assert result.code == -1000
    assert result.stdout.splitlines() == ["one", "two", "undo two", "undo one"]


@pytest.mark.parametrize("text", ["t { *a = ; }", "t { if (*a) { }", "t { writeLine(\"x\" }"])
def test_a_syntax_error_is_re_parser_error_and_runs_nothing(nsb, text):
    result = run(nsb, text + "\nINPUT null\nOUTPUT ruleExecOut")
    assert result.code == -1201000 and result.stdout == ""
