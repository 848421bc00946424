"""The generic rule runner and the PID verbs of the ``b2safe`` command on a sandbox."""

from __future__ import annotations

import pytest

from b2safe import __version__

PATH = "/zoneA/home/alice/data.csv"


def test_rule_prints_outputs_as_irule_does(cli):
    result = cli("rule", "getB2SAFEVersion")
    assert (result.code, result.out) == (0, f"version = {__version__}\n")


def test_rule_json_output(cli):
    cli.put(PATH)
    result = cli("rule", "EUDATgetLastAVU", PATH, "nothing", "--json", "--user", "alice#zoneA")
    assert result.code == 0
    assert result.json()["outputs"] == {"value": "None"}
    assert result.json()["inputs"] == {"path": PATH, "key": "nothing"}


def test_rule_list_names_registered_rules(cli):
    result = cli("rule", "--list", sandbox=False)
    assert result.code == 0
    assert "EUDATCreatePID(parent_pid, path, ror, fio, fixed, OUT new_pid)" in result.out


@pytest.mark.parametrize("argv, text", [
    (("rule", "EUDATCreatPID"), "did you mean EUDATCreatePID"),
    (("rule", "EUDATSearchPID", "a", "b"), "EUDATSearchPID takes"),
])
def test_usage_errors_exit_2(cli, argv, text):
    result = cli(*argv)
    assert result.code == 2
    assert text in result.err


def test_missing_sandbox_is_a_usage_error(cli, tmp_path):
    result = cli("rule", "getB2SAFEVersion", "--sandbox", str(tmp_path / "none"), sandbox=False)
    assert result.code == 2 and "no sandbox" in result.err


def test_rule_failure_exits_1_with_the_code(cli):
    result = cli("rule", "EUDATCreatePID", "None", "/zoneA/home/alice/none", "None", "None",
                 "false", "--user", "alice#zoneA")
    assert result.code == 1
    assert "-310000 USER_FILE_DOES_NOT_EXIST" in result.err


def test_pid_service_down_exits_3(cli):
    cli.put(PATH)
    # PUT only: a second process probes the running server with a GET (see the report).
    cli.sb.handle_server("zoneA").faults.fail_next(20, 503, methods=("PUT",))
    result = cli("pid", "create", PATH, "--user", "alice#zoneA")
    assert result.code == 3, result.err
    assert "-162000" in result.err


def test_pid_create_is_idempotent_and_show_reads_the_record(cli):
    cli.put(PATH)
    first = cli("pid", "create", PATH, "--fixed", "--ror", "--user", "alice#zoneA")
    assert first.code == 0
    pid = first.out.strip()
    assert pid.startswith("21.T90001/")
    assert cli("pid", "create", PATH, "--user", "alice#zoneA").out.strip() == pid
    shown = cli("pid", "show", PATH, "--json")
    assert shown.code == 0
    data = shown.json()
    assert data["pid"] == pid and data["path"] == PATH
    assert data["values"]["URL"] == "irods://zonea.sandbox:1247" + PATH
    assert data["values"]["EUDAT/ROR"] == pid
    assert data["values"]["EUDAT/FIXED_CONTENT"] == "True"
    text = cli("pid", "show", pid).out
    assert f"PID: {pid}" in text and "EUDAT/CHECKSUM" in text


def test_pid_show_without_pid_fails(cli):
    cli.put(PATH)
    result = cli("pid", "show", PATH)
    assert result.code == 1 and "has no PID" in result.err


def test_pids_for_a_collection(cli):
    client = cli.sb.client("alice#zoneA")
    client.imkdir("/zoneA/home/alice/set")
    for name in ("a", "b"):
        cli.put(f"/zoneA/home/alice/set/{name}")
    result = cli("pids", "/zoneA/home/alice/set", "--user", "alice#zoneA", "--quiet")
    assert result.code == 0
    assert "created=3" in result.out
    again = cli("pids", "/zoneA/home/alice/set", "--user", "alice#zoneA", "--json")
    assert "existing=3" in again.json()["outputs"]["report"]


def test_verb_whose_rule_is_missing_fails_clearly(cli, monkeypatch):
    from b2safe.cli import verbs

    monkeypatch.setitem(verbs.VERB_RULES, "replicate", verbs.VerbRule("EUDATNotYetThere"))
    result = cli("replicate", "/zoneA/home/alice/x", "/zoneB/home/alice/x")
    assert result.code == 2
    assert "needs the rule EUDATNotYetThere" in result.err


def test_replicate_maps_options_onto_the_rule(cli):
    cli.put(PATH)
    cli.sb.client("alice#zoneB").ichmod("own", "alice#zoneA", "/zoneB/home/alice")
    result = cli("replicate", PATH, "/zoneB/home/alice/data.csv", "--no-registered",
                 "--user", "alice#zoneA", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["inputs"]["registered"] == "false"
    assert cli.sb.zone("zoneB").catalog.data_get("/zoneB/home/alice/data.csv")
    check = cli("check", PATH, "/zoneB/home/alice/data.csv", "--user", "alice#zoneA")
    assert check.code == 0, check.out + check.err
