"""The live CLI through the REAL installed python-irodsclient down to the socket: a fake iRODS
server (tests/ops/fake_irods.py) speaks the iRODS protocol in front of a sandbox, so every
request the command sends is checked (API number, packing instruction, values) and the work
really happens (PIDs minted, batches queued and run, stored bytes re-read)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("irods", reason="python-irodsclient (the client extra) is missing")

from b2safe_sandbox import site

from b2safe.cli import main
from b2safe.cli.live import NREP_INSTANCE
from tests.ops.fake_irods import (
    AUTHENTICATION_APN,
    DATA_OBJ_CHKSUM_AN,
    EXEC_MY_RULE_AN,
    GEN_QUERY_AN,
    FakeIrods,
    digest,
)

PASSWORD = "wire-secret"
DATA = "/zoneA/home/alice/data.csv"
COLL = "/zoneA/home/alice/big"


@pytest.fixture
def world(tmp_path, monkeypatch, capsys):
    sb = site.create(tmp_path / "sandbox", zones=("zoneA", "zoneB"))
    sb.start_services()
    monkeypatch.setenv("IRODS_PASSWORD", PASSWORD)
    with FakeIrods(tmp_path / "sandbox", PASSWORD, "zoneA") as fake:
        env = tmp_path / "irods_environment.json"
        env.write_text(json.dumps(fake.environment("alice")))

        def run(*argv: str):
            capsys.readouterr()
            code = main([*argv, "--irods-env", str(env)])
            out = capsys.readouterr()
            return code, out.out, out.err

        yield sb, fake, run
        assert fake.failures == [] and fake.unhandled == []
    sb.close()


def requests_of(fake, api):
    return [r for r in fake.requests if r.msg_type == "RODS_API_REQ" and r.api == api]


def test_a_rule_goes_out_as_exec_my_rule_after_native_authentication(world):
    sb, fake, run = world
    sb.client("alice#zoneA").iput(DATA, b"a,b\n")
    code, out, err = run("pid", "create", DATA)
    assert code == 0, err
    pid = out.strip()
    fake.settle()
    assert fake.apis() == ["RODS_CONNECT", AUTHENTICATION_APN, AUTHENTICATION_APN,
                           EXEC_MY_RULE_AN, "RODS_DISCONNECT"]
    startup = fake.requests[0].decoded
    assert (startup.clientUser, startup.clientRcatZone) == ("alice", "zoneA")
    first, second = (r.decoded for r in requests_of(fake, AUTHENTICATION_APN))
    assert first["scheme"] == "native" and first["next_operation"] == "auth_agent_auth_request"
    assert second["next_operation"] == "auth_agent_auth_response"
    assert second["digest"] == digest(second["request_result"], PASSWORD)
    [call] = [r.decoded for r in requests_of(fake, EXEC_MY_RULE_AN)]
    assert call.myRule.startswith("@external rule { EUDATCreatePID(*b2safe_a0, *b2safe_a1, ")
    assert call.cond == {"instance_name": NREP_INSTANCE}
    assert call.outParamDesc == "ruleExecOut"
    assert call.params[:2] == [("*b2safe_a0", '"None"'), ("*b2safe_a1", f'"{DATA}"')]
    # The PID was minted by the rule the wire carried, and the command printed it.
    avus = sb.client("alice#zoneA").imeta_ls("-d", DATA)
    assert [a.value for a in avus if a.name == "PID"] == [pid]


def test_a_wrong_password_is_refused_on_the_wire_and_exits_2(world, monkeypatch):
    _sb, fake, run = world
    monkeypatch.setenv("IRODS_PASSWORD", "not-the-password")
    code, _out, err = run("rule", "EUDATSearchPID", DATA)
    assert code == 2
    assert "authentication failed" in err and "CAT_INVALID_AUTHENTICATION" in err
    assert EXEC_MY_RULE_AN not in fake.apis()


def test_a_failing_rule_reports_the_code_the_server_returned(world):
    _sb, _fake, run = world
    code, out, _err = run("pid", "create", "/zoneA/home/alice/missing.csv", "--json")
    assert code == 1
    error = json.loads(out)["error"]
    # The rule's own code (rodsErrorTable.h), read from the reply, not a generic one.
    assert (error["code"], error["name"], error["exit_code"]) == (
        -310000, "USER_FILE_DOES_NOT_EXIST", 1)
    assert "missing.csv does not exist" in error["message"]


def test_status_reads_genquery_by_column_id_and_shows_the_fail_log(world):
    sb, fake, run = world
    sb.client("alice#zoneA").iput(DATA, b"a,b\n")
    failed = sb.exec_rule("zoneA", "EUDATUpdateLogging",
                          ["false", DATA, "/zoneB/replicas/data.csv", "network down"],
                          "alice#zoneA")
    assert failed.code == 0, failed.traceback
    code, out, err = run("status", "--json")
    assert code == 0, err
    [fail_log] = [s for s in json.loads(out)["sections"] if s["title"].startswith("fail log")]
    assert [item["cause"] for item in fail_log["items"]] == ["network down"]
    queries = requests_of(fake, GEN_QUERY_AN)
    selected = {int(i) for q in queries for i in q.decoded.InxIvalPair_PI.inx}
    # rodsGenQuery.h: COL_COLL_NAME 501, COL_DATA_NAME 403, COL_META_DATA_ATTR_NAME 600,
    # _VALUE 601, _UNITS 602, COL_META_COLL_ATTR_* 610-612, COL_RULE_EXEC_NAME 1001.
    assert {501, 403, 600, 601, 602, 610, 611, 612, 1001} <= selected
    assert any("META_DATA_ATTR_NAME like 'eudat_fail_log:%'" in text for text in fake.queries)


def test_pids_batch_is_queued_then_followed_over_the_wire(world):
    sb, fake, run = world
    alice = sb.client("alice#zoneA")
    alice.imkdir(COLL)
    paths = [f"{COLL}/f{i}.dat" for i in range(3)]
    for path in paths:
        alice.iput(path, path.encode())
    code, out, err = run("pids", COLL, "--batch", "2", "--poll", "0.01", "--json")
    assert code == 0, out + err
    report = json.loads(out)
    assert report["batches"] == 3 and report["done"] == 3 and report["unfinished"] == []
    [call] = [r.decoded for r in requests_of(fake, EXEC_MY_RULE_AN)]
    assert call.myRule.startswith("@external rule { EUDATPidsForCollBatched(")
    assert any("RULE_EXEC_NAME like '%EUDATPidsForCollBatch(%'" in q for q in fake.queries)
    for path in paths:
        assert any(a.name == "PID" for a in alice.imeta_ls("-d", path))


def test_check_batch_is_queued_followed_and_summed_over_the_wire(world):
    sb, fake, run = world
    alice, zone_b = sb.client("alice#zoneA"), sb.client("rods#zoneB")
    alice.imkdir(COLL)
    zone_b.imkdir("/zoneB/replicas/big", parents=True)
    zone_b.ichmod("own", "alice#zoneA", "/zoneB/replicas/big")
    for i in range(3):
        alice.iput(f"{COLL}/f{i}.dat", b"same")
        alice.iput(f"/zoneB/replicas/big/f{i}.dat", b"same" if i else b"different")
    code, out, err = run("check", COLL, "/zoneB/replicas/big", "--batch", "2", "--poll", "0.01",
                         "--json")
    assert code == 1, out + err  # one replica differs
    report = json.loads(out)
    assert (report["batches"], report["checked"], report["failed"]) == (2, 3, 1)
    assert report["failing"] == [f"{COLL}/f0.dat: size (replica)"]
    assert any("META_COLL_ATTR_NAME like 'eudat_check_batch:" in q for q in fake.queries)


def replicated(sb) -> str:
    """DATA and its copy in zoneB (made in the sandbox directly)."""
    sb.client("alice#zoneA").iput(DATA, b"a,b\n1,2\n")
    zone_b = sb.client("rods#zoneB")
    zone_b.imkdir("/zoneB/replicas", parents=True)
    zone_b.ichmod("own", "alice#zoneA", "/zoneB/replicas")
    copy = "/zoneB/replicas/data.csv"
    result = sb.exec_rule("zoneA", "EUDATReplication",
                          [DATA, copy, "false", "false", ""], "alice#zoneA")
    assert result.code == 0, result.traceback
    return copy


def test_check_verify_has_the_server_reread_both_copies(world):
    sb, fake, run = world
    copy = replicated(sb)
    code, out, err = run("check", DATA, copy, "--verify")
    assert code == 0, out + err
    assert "source stored bytes vs its catalog checksum: agree" in out
    assert "replica stored bytes vs its catalog checksum: agree" in out
    sums = [r.decoded for r in requests_of(fake, DATA_OBJ_CHKSUM_AN)]
    assert [s.objPath for s in sums] == [DATA, copy]
    for request in sums:
        assert "verifyChksum" in (request.KeyValPair_PI.keyWord or [])


def test_check_verify_names_the_replica_whose_stored_bytes_are_corrupt(world):
    sb, _fake, run = world
    copy = replicated(sb)
    sb.faults.corrupt(copy)
    code, out, err = run("check", DATA, copy, "--verify", "--json")
    assert code == 1, out + err
    stored = json.loads(out)["stored"]
    assert stored["source"]["ok"] is True
    assert stored["replica"]["ok"] is False
    assert "does not match what is in the catalog" in stored["replica"]["detail"]


def test_chain_verify_reads_both_zones_and_names_the_rotten_copy(world, tmp_path):
    from b2safe_sandbox.handle_sites import CREDENTIALS_NAME

    sb, fake, run = world
    sb.client("alice#zoneA").iput(DATA, b"a,b\n1,2\n")
    zone_b = sb.client("rods#zoneB")
    zone_b.imkdir("/zoneB/replicas", parents=True)
    zone_b.ichmod("own", "alice#zoneA", "/zoneB/replicas")
    copy = "/zoneB/replicas/data.csv"
    result = sb.exec_rule("zoneA", "EUDATReplication", [DATA, copy, "true", "false", ""],
                          "alice#zoneA")
    assert result.code == 0, result.traceback
    prefixes = ["--config", str(sb.zone("zoneA").config_dir / "b2safe.json"),
                "--credentials", str(sb.zone("zoneB").config_dir / CREDENTIALS_NAME)]
    code, out, err = run("chain", DATA, "--verify", *prefixes, "--json")
    assert code == 0, out + err
    assert json.loads(out)["records"] == 2
    # The copy's catalog is zoneB's: python-irodsclient names it with the zone keyword.
    zones = [dict(zip(r.decoded.KeyValPair_PI.keyWord or [], r.decoded.KeyValPair_PI.svalue or []))
             for r in requests_of(fake, GEN_QUERY_AN)]
    assert {"zone": "zoneB"} in zones
    assert [r.decoded.objPath for r in requests_of(fake, DATA_OBJ_CHKSUM_AN)] == [DATA, copy]
    sb.faults.corrupt(copy)
    code, out, err = run("chain", DATA, "--verify", *prefixes)
    assert code == 1
    assert "[checksum-mismatch]" in out and "zoneB/replicas/data.csv" in out
    assert "does not match what is in the catalog" in out


def test_timeout_reaches_the_socket_and_a_rule_running_longer_exits_3(world):
    _sb, fake, run = world
    # The server answers only after 20 s: a client still on python-irodsclient's default
    # 120 s would get the answer and exit 0.
    fake.hold_rules = True
    code, _out, err = run("rule", "EUDATSearchPID", DATA, "--timeout", "0.5")
    assert code == 3
    assert "within 0.5 s" in err and "still be running there" in err
