"""``b2safe chain``, ``b2safe status`` and ``b2safe doctor`` on a sandbox."""

from __future__ import annotations

import json
import os

import pytest

ORIGINAL = "/zoneA/home/alice/obj"
COPY_B = "/zoneB/home/alice/obj"
COPY_C = "/zoneC/home/alice/obj"


def link(cli, parent: str, child_path: str, zone: str) -> str:
    """Register ``child_path`` with ``parent`` as EUDAT/PARENT and list it in the parent."""
    user = f"alice#{zone}"
    child = cli("pid", "create", child_path, "--parent", parent, "--user", user).out.strip()
    parent_zone = {"21.T90001": "zoneA", "21.T90002": "zoneB",
                   "21.T90003": "zoneC"}[parent.split("/")[0]]
    assert cli("rule", "EUDATUpdatePIDWithNewChild", parent, child,
               "--user", f"alice#{parent_zone}").code == 0
    return child


@pytest.fixture
def chain3(cli):
    """A -> B -> C: the original in zoneA, a copy in zoneB, a copy of the copy in zoneC."""
    for path, zone in ((ORIGINAL, "zoneA"), (COPY_B, "zoneB"), (COPY_C, "zoneC")):
        cli.put(path, b"same bytes\n", user=f"alice#{zone}")
    a = cli("pid", "create", ORIGINAL, "--user", "alice#zoneA").out.strip()
    b = link(cli, a, COPY_B, "zoneB")
    c = link(cli, b, COPY_C, "zoneC")
    return a, b, c


def test_chain_from_any_copy_shows_the_whole_tree(cli, chain3):
    a, b, c = chain3
    # A path is looked up in the zone the command talks to (here zoneB's server).
    for start in ((a,), (c,), (COPY_B, "--user", "alice#zoneB")):
        result = cli("chain", *start, "--json")
        assert result.code == 0, result.out + result.err
        nodes = result.json()["nodes"]
        assert [(n["pid"], n["parent"], n["replicas"]) for n in nodes] == [
            (a, None, [b]), (b, a, [c]), (c, b, [])]
        assert [n["state"] for n in nodes] == ["ok", "ok", "ok"]
    text = cli("chain", c).out
    assert text.splitlines()[0].startswith(a)
    assert f"└── {b}" in text and f"    └── {c} (start)" in text
    assert "3 record(s); 0 failing" in text


def test_chain_reports_a_missing_copy_and_a_changed_checksum(cli, chain3):
    a, _, _ = chain3
    cli.sb.client("alice#zoneC").irm(COPY_C, force=True)
    cli.sb.client("alice#zoneB").iput(COPY_B, b"other bytes\n", force=True)
    cli.sb.client("alice#zoneB").ichksum(COPY_B, force=True)
    result = cli("chain", a)
    assert result.code == 1
    lines = result.out.splitlines()
    assert "[checksum-mismatch]" in lines[1] and "[missing]" in lines[2]
    assert "3 record(s); 2 failing" in result.out


def test_chain_does_not_follow_prefixes_without_credentials(cli):
    cli.put(ORIGINAL)
    pid = cli("pid", "create", ORIGINAL, "--parent", "21.T99999/ELSEWHERE",
              "--user", "alice#zoneA").out.strip()
    result = cli("chain", pid, "--json")
    assert result.code == 1  # not verified is not success (issue 18)
    assert result.json()["unresolved"] == 1 and result.json()["failing"] == 0
    top, child = result.json()["nodes"]
    assert (top["pid"], top["state"]) == ("21.T99999/ELSEWHERE", "unresolved")
    assert "no credentials for prefix 21.T99999" in top["notes"][0]
    assert top["replicas"] == [pid] and (child["pid"], child["state"]) == (pid, "ok")


def test_chain_reports_a_one_sided_link(cli):
    cli.put(ORIGINAL)
    cli.put(COPY_B, user="alice#zoneB")
    a = cli("pid", "create", ORIGINAL, "--user", "alice#zoneA").out.strip()
    b = cli("pid", "create", COPY_B, "--user", "alice#zoneB").out.strip()  # no PARENT
    cli("rule", "EUDATUpdatePIDWithNewChild", a, b, "--user", "alice#zoneA")
    result = cli("chain", a, "--json")
    assert result.code == 1
    child = result.json()["nodes"][1]
    assert child["state"] == "broken-link"
    assert any("EUDAT/PARENT is missing" in note for note in child["notes"])


def test_status_lists_pending_work_and_the_delay_queue(cli):
    cli.put(ORIGINAL)
    cli.sb.client("rods#zoneA").imeta("add", "-d", ORIGINAL, "eudat_pending:replication",
                                       "3::/zoneB/home/alice/obj", "")
    result = cli("status", "--json")
    assert result.code == 0
    sections = {s["title"].split(" (")[0]: s["lines"] for s in result.json()["sections"]}
    assert sections["pending work"] == [f"{ORIGINAL}  replication  3::/zoneB/home/alice/obj"]
    assert "integrity sweeps" in sections and "delay queue" in sections
    text = cli("status").out
    assert "pending work (1 item(s)" in text


def test_status_lists_the_fail_log(cli):
    cli.put(ORIGINAL)
    rule = cli.sb.exec_rule("zoneA", "EUDATUpdateLogging",
                            ["false", ORIGINAL, "/zoneB/home/alice/obj", "network down"],
                            "alice#zoneA")
    assert rule.code == 0, rule.traceback
    result = cli("status", "--json")
    sections = {s["title"].split(" (")[0]: s["lines"] for s in result.json()["sections"]}
    lines = sections["fail log"]
    assert len(lines) == 1
    assert lines[0].startswith(f"{ORIGINAL}::/zoneB/home/alice/obj::false::network down")
    assert "(failed, attempts 0" in lines[0] and "by alice#zoneA" in lines[0]
    [fail_log] = [s for s in result.json()["sections"] if s["title"].startswith("fail log")]
    assert fail_log["items"][0]["stage"] == "failed"


def test_doctor_on_a_healthy_sandbox_zone(cli):
    result = cli("doctor")
    assert result.code == 0, result.out
    assert "overall: OK" in result.out
    for name in ("config", "credentials", "pid-service", "pid-prefix", "reverse-lookup",
                 "federation", "delay-rules", "service-acls"):
        assert f"[ ok ] {name}:" in result.out
    assert "credentials accepted" in result.out
    assert "[skip] server files: a sandbox" in result.out
    nagios = cli("doctor", "--nagios")
    assert (nagios.code, nagios.out) == (0, "B2SAFE OK - 8 checks passed\n")


def test_doctor_fails_a_wrong_handle_password(cli):
    path = cli.sb.zone("zoneA").config_dir / "pid-credentials.json"
    creds = json.loads(path.read_text())
    creds["password"] = "not-the-password"
    path.write_text(json.dumps(creds))
    result = cli("doctor", "--nagios")
    assert result.code == 2
    assert result.out.startswith("B2SAFE CRITICAL - pid-service:")
    assert "refused the credentials" in result.out and "fix username/password" in result.out


def test_doctor_fails_a_user_without_prefix_rights(cli):
    server = cli.sb.handle_server("zoneA")
    user = f"300:{server.prefix}/STRANGER"
    server.add_user(user, "its-secret", admin=False)  # authenticates, administers nothing
    path = cli.sb.zone("zoneA").config_dir / "pid-credentials.json"
    creds = json.loads(path.read_text())
    creds.update(username=user, password="its-secret")
    path.write_text(json.dumps(creds))
    result = cli("doctor", "--json")
    states = {c["name"]: c["state"] for c in result.json()["checks"]}
    assert states["pid-service"] == "OK"  # the password is right
    assert states["pid-prefix"] == "CRITICAL", result.out
    assert "add-handle permission" in result.out


def test_doctor_warns_when_the_service_account_lacks_the_acls_a_site_must_grant(cli):
    # A rodsadmin is not above ACLs and msiDataObjRsync/msiCollRsync/msiDataObjCopy have no
    # admin keyword: docs/installation.md lists the grant, doctor checks it.
    cli.configure(policies=[{"name": "p", "collection": "/zoneA/home/alice/*",
                             "replicate": [{"destination": "/zoneB/replicas"}]}])
    assert "[ ok ] service-acls: rods may write /zoneA/home/alice" in cli("doctor").out
    cli.sb.client("alice#zoneA").ichmod("null", "rods", "/zoneA/home/alice")
    result = cli("doctor", "--nagios", "--no-pid")
    assert result.code == 1
    assert "service-acls: rods lacks modify_object on /zoneA/home/alice" in result.out
    cli.sb.client("rods#zoneA").ichmod("write", "rods", "/zoneA/home/alice", admin=True)
    cli.sb.client("alice#zoneA").inherit("/zoneA/home/alice", False)
    assert "/zoneA/home/alice does not pass ACLs on" in cli("doctor", "--nagios", "--no-pid").out


def test_doctor_nagios_critical_for_open_credentials(cli):
    creds = cli.sb.zone("zoneA").config_dir / "pid-credentials.json"
    os.chmod(creds, 0o644)
    result = cli("doctor", "--nagios")
    assert result.code == 2
    assert result.out.startswith("B2SAFE CRITICAL - credentials:")
    assert "chmod 600" in result.out


def test_doctor_nagios_critical_for_an_unknown_replication_zone(cli):
    cli.configure(policies=[
        {"name": "ok", "collection": "/zoneA/home/nobody/*",
         "replicate": [{"destination": "/zoneB/replicas"}]},
        {"name": "bad", "collection": "/zoneA/home/nobody/*",
         "replicate": [{"destination": "/zoneX/replicas"}]}])
    result = cli("doctor", "--nagios", "--no-pid")
    assert result.code == 2
    assert "federation: unknown zone(s) zoneX" in result.out


def test_doctor_nagios_warning_for_a_sweep_that_is_not_queued(cli):
    cli.configure(integrity={"report_collection": "/zoneA/b2safe/reports",
                             "sweeps": [{"collection": "/zoneA/home/alice", "period": "1d"}]})
    result = cli("doctor", "--nagios", "--no-pid")
    assert result.code == 1
    assert result.out.startswith("B2SAFE WARNING - delay-rules: not queued: integrity sweep")


def test_doctor_nagios_unknown_and_critical_for_bad_configuration(cli, tmp_path):
    cli.config_path().write_text("{not json")
    result = cli("doctor", "--nagios")
    assert result.code == 2 and "config:" in result.out
    checklist = cli("doctor")
    assert checklist.code == 1 and "[FAIL] config:" in checklist.out
    unknown = cli("doctor", "--nagios", "--sandbox", str(tmp_path / "nothing"), sandbox=False)
    assert unknown.code == 3 and unknown.out.startswith("B2SAFE UNKNOWN - no sandbox")


def test_doctor_with_config_file_only(cli, tmp_path):
    result = cli("doctor", "--config", str(cli.config_path("zoneB")), "--json", sandbox=False)
    checks = {c["name"]: c["state"] for c in result.json()["checks"]}
    assert checks["config"] == "OK" and checks["pid-service"] == "OK"
    assert result.code == 0


def test_status_lists_records_moved_aside(cli):
    """A forged fail-log record is moved aside by the retry and shown, escaped, by status."""
    from b2safe.state import faillog

    cli.put(ORIGINAL)
    forged = faillog.FailRecord(source=ORIGINAL, destination="/zoneB/home/alice/x\nFAKE LINE",
                                cause="forged", user="rods#zoneA")
    cli.sb.client("rods#zoneA").imeta("set", "-d", ORIGINAL, forged.attribute, forged.message,
                                      forged.units)
    rule = cli.sb.exec_rule("zoneA", "EUDATTransferUsingFailLog", ["10", ""], "rods#zoneA")
    assert rule.code == 0, rule.traceback
    result = cli("status", "--json")
    sections = {s["title"].split(" (")[0]: s["lines"] for s in result.json()["sections"]}
    assert sections["fail log"] == []
    (line,) = sections["moved aside"]
    assert line.startswith(f"{ORIGINAL}  ") and "forged fail-log record" in line
    assert "\n" not in line and "x\\nFAKE LINE" in line
