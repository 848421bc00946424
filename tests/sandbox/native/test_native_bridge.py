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


def test_4x_checks_metadata_messaging_and_getters(world):
    client = world.client()
    client.iput(PATH, b"hello")
    client.iput("/zoneA/home/alice/g.txt", b"hello")
    client.iput("/zoneA/home/alice/h.txt", b"hello!")
    out = native(world, f'''
        writeLine("stdout", str(EUDATCheckOwnershipObj("{PATH}")));
        writeLine("stdout", str(EUDATCheckOwnershipColl("/zoneA/home/alice")));
        EUDATCatchErrorDataOwner("/zoneA/home/alice", *msg); writeLine("stdout", *msg);
        writeLine("stdout", str(EUDATCatchErrorSize("{PATH}", "/zoneA/home/alice/g.txt", *r)));
        writeLine("stdout", str(EUDATCatchErrorSize("{PATH}", "/zoneA/home/alice/h.txt", *r)));
        writeLine("stdout", *r);
        writeLine("stdout", str(EUDATCatchErrorChecksum("{PATH}", "/zoneA/home/alice/g.txt",
                                                        *r2)));
        EUDATgetObjMetadata("{PATH}", *meta); writeLine("stdout", *meta);
        writeLine("stdout", EUDATMessage("None", "hello"));
        getEUDATLoggerLevel(*level); writeLine("stdout", str(*level));
        getHttpApiParameters(*reg, *pub); writeLine("stdout", *reg);
        getConfParameters(*authz); writeLine("stdout", str(*authz));
        getMessageParameters(*conf, *queue, *enabled); writeLine("stdout", str(*enabled));
        writeLine("stdout", str(errorcode(EUDATGetPAMusers(*map))));
        EUDATQueue("push", "{PATH}::/zoneB/replicas/x::false::network down", 0);
        *m = ""; EUDATQueue("queuesize", *m, 0); writeLine("stdout", *m);
    ''')
    owner_line, coll_line, owner_msg, same, differ, reason, sums, meta = out[:8]
    assert (owner_line, coll_line, owner_msg) == ("1", "1", "ownership check passed")
    assert (same, differ) == ("true", "false")
    assert reason.startswith(f"size({PATH}:demoResc:):5 != size(/zoneA/home/alice/h.txt")
    assert sums == "true"
    assert meta.startswith("f.txt=:=resource=:=demoResc,f.txt=:=owner=:=alice,f.txt=:=checksum=:=")
    # EUDATGetPAMusers: no authorization map here, so refused (fail closed); the queue holds the
    # record just pushed.
    assert out[8:] == ["None", "2", "irods://zonea.sandbox:1247", "false", "false", "-25000",
                       "1"]
    from b2safe.state import faillog

    rows = world.client("rods#zoneA").iquest(
        "SELECT META_DATA_ATTR_VALUE WHERE META_DATA_ATTR_NAME like "
        f"'{faillog.AVU_PREFIX}%'")
    assert [r[-1] for r in rows] == [f"{PATH}::/zoneB/replicas/x::false::network down"]
