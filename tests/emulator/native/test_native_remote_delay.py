"""remote{} and delay{} (irods server/re/src/nre.systemMS.cpp remoteExec/delayExec)."""

from __future__ import annotations

from native_helpers import install_rulebase, lines, run


def test_remote_runs_in_the_other_zone_and_carries_variables_back(nsb):
    host = nsb.zone("zoneB").connection
    install_rulebase(nsb, "zoneB", 'where(*z) { *z = "zoneB rule base" }')
    assert lines(nsb, f'''
        *z = "unset"; *who = "";
        remote("{host}", "null") {{
            where(*z);
            *who = "$userNameClient#$rodsZoneClient";
            msiGetSystemTime(*t, "unix");
        }}
        writeLine("stdout", *z ++ " / " ++ *who);
    ''') == ["zoneB rule base / alice#zoneA"]


def test_a_failure_inside_remote_is_logged_there_not_returned(nsb):
    # rsExecMyRule with no rule engine named logs each engine's error and returns success.
    host = nsb.zone("zoneB").connection
    assert lines(nsb, f'''
        *r = "None";
        remote("{host}", "null") {{ fail(-1234000); *r = "set"; }}
        writeLine("stdout", *r);
    ''') == ["None"]
    assert "-1234000" in nsb.zone("zoneB").server_log_path.read_text()


def test_remote_to_an_unknown_host_fails(nsb):
    result = run(nsb, 't { remote("nowhere.example:1247", "null") { nop; } }\n'
                      'INPUT null\nOUTPUT ruleExecOut')
    assert result.code == -21000  # SYS_INVALID_SERVER_HOST


def test_delay_queues_the_body_for_the_delay_server(nsb):
    install_rulebase(nsb, "zoneA", 'later(*m) { writeLine("serverLog", "later: *m") }')
    assert lines(nsb, '''
        delay("<PLUSET>10s</PLUSET>") { later("from delay"); }
        writeLine("stdout", "queued");
    ''') == ["queued"]
    log = nsb.zone("zoneA").server_log_path
    assert "later: from delay" not in (log.read_text() if log.exists() else "")
    results = nsb.run_delayed(advance=10)
    assert [r.succeeded for r in results] == [True]
    assert "later: from delay" in log.read_text()


def test_sandbox_irule_command_picks_the_rule_language_with_r(nsb, tmp_path, capsys):
    from b2safe.cli import main

    rule = tmp_path / "hello.r"
    rule.write_text('hello { writeLine("stdout", "hello *who from $userNameClient") }\n'
                    'INPUT *who="you"\nOUTPUT ruleExecOut\n')
    code = main(["sandbox", "irule", "-r", "irods_rule_engine_plugin-irods_rule_language-instance",
                 "-F", str(rule), "*who=me", "--dir", str(nsb.directory), "--user",
                 "alice#zoneA"])
    assert (code, capsys.readouterr().out) == (0, "hello me from alice\n")
    code = main(["sandbox", "irule", "-r", "irods_rule_engine_plugin-irods_rule_language-instance",
                 'writeLine("stdout", "inline")', "null", "ruleExecOut",
                 "--dir", str(nsb.directory), "--user", "alice#zoneA"])
    assert (code, capsys.readouterr().out) == (0, "inline\n")


def test_sandbox_irule_command_line_inputs_are_split_on_percent(nsb, capsys):
    # irule.cpp parseParameters -> rcMisc.cpp splitMultiStr: '%' separates the inputs, '%%'
    # is a literal '%', a ',' is part of a value (only a file's INPUT line is comma-separated).
    from b2safe.cli import main

    code = main(["sandbox", "irule", "-r", "irods_rule_engine_plugin-irods_rule_language-instance",
                 'R(*a,*b) { writeLine("stdout", "a=*a b=*b") }', '*a="x,1"%*b="y%%z"',
                 "ruleExecOut", "--dir", str(nsb.directory), "--user", "alice#zoneA"])
    assert (code, capsys.readouterr().out) == (0, "a=x,1 b=y%z\n")
