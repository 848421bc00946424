"""b2safe_native_call (b2safe/ruleset/native.py) and b2safe.re's 4.x forms, called from the
rule language as an ordinary user."""

from __future__ import annotations

PATH = "/zoneA/home/alice/f.txt"


def native(world, body: str, user: str = "alice#zoneA") -> list[str]:
    result = world.client(user).irule_native("t {\n" + body + "\n}\nINPUT null\n"
                                             "OUTPUT ruleExecOut\n")
    assert result.code == 0, result.error
    return result.stdout.splitlines()


def test_native_call_reports_success_and_writes_outputs_back(world):
    world.client().iput(PATH, b"x")
    assert native(world, f'''
        *s = ""; *m = ""; *v = "";
        b2safe_native_call("EUDATgetLastAVU", *s, *m, "{PATH}", "colour", *v);
        writeLine("stdout", "*s|*m|*v");
    ''') == ["0||None"]


def test_native_call_reports_a_rule_failure_instead_of_failing(world):
    assert native(world, '''
        *s = ""; *m = ""; *v = "";
        b2safe_native_call("EUDATgetLastAVU", *s, *m, "/zoneA/home/alice/none", "k", *v);
        writeLine("stdout", *s); writeLine("stdout", *m);
    ''') == ["-310000", "EUDATgetLastAVU: /zoneA/home/alice/none does not exist or is not "
                        "visible to you"]


def test_native_call_refuses_peps_unknown_names_and_itself(world):
    for name in ("acPostProcForPut", "nosuchrule", "b2safe_native_call"):
        out = native(world, f'*s = ""; *m = ""; b2safe_native_call("{name}", *s, *m); '
                            'writeLine("stdout", *s);')
        assert out == ["-130000"], name


def test_native_call_acts_with_the_callers_rights(world):
    world.client("rods#zoneA").iput("/zoneA/home/rods/b.txt", b"x")
    out = native(world, '''
        *s = ""; *m = ""; *pid = "";
        b2safe_native_call("EUDATCreatePID", *s, *m, "None", "/zoneA/home/rods/b.txt", "None",
                           "None", "false", *pid);
        writeLine("stdout", *s);
    ''')
    assert out == ["-310000"] or out == ["-818000"]
    assert world.avus("/zoneA/home/rods/b.txt").get("PID") is None


def test_4x_return_values_and_argument_types(world):
    client = world.client()
    client.iput(PATH, b"hello")
    out = native(world, f'''
        *ok = EUDATObjExist("{PATH}", *r1);
        *missing = EUDATObjExist("/zoneA/home/alice/nothing", *r2);
        writeLine("stdout", str(*ok) ++ " " ++ str(*missing) ++ " " ++ *r2);
        writeLine("stdout", str(EUDATtoBoolean("no")) ++ " " ++ str(EUDATtoBoolean("FALSE"))
                  ++ " " ++ str(EUDATtoBoolean(bool("true"))));
        EUDATCreatePID("None", "{PATH}", "None", "None", bool("true"), *pid);
        *found = EUDATSearchPID("{PATH}", *same);
        writeLine("stdout", str(*found) ++ " " ++ str(*pid == *same));
        writeLine("stdout", EUDATGeteValPid(*pid, "EUDAT/FIXED_CONTENT"));
        writeLine("stdout", EUDATGeteValPid("21.T90001/NOSUCHPID", "URL"));
        writeLine("stdout", str(EUDATiPIDcreate("{PATH}", "21.T90001/OTHER")));
        EUDATgetLastAVU("{PATH}", "PID", *kept);
        writeLine("stdout", str(*kept == *pid));
        writeLine("stdout", str(EUDATfileInPath("{PATH}", "/zoneA/home/%")));
        EUDATgetObjectTimeDiff("/zoneA/home/alice/nothing", "1", *age);
        writeLine("stdout", str(*age));
        EUDATReplaceHash("/a#b%c&d", *hashless);
        writeLine("stdout", *hashless);
    ''')
    assert out == [
        "true false /zoneA/home/alice/nothing does not exist or it is not readable or it is "
        "not an object",
        "true false true",
        "true true",
        "True",
        "None",
        "false",
        "true",
        "true",
        "-1",
        "/a*b*c*d",
    ]
