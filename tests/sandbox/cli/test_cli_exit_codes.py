"""Exit codes that mean what they say: a deferred registration, an unverified chain, a status
that read nothing, errors as JSON."""

from __future__ import annotations

from argparse import Namespace

from b2safe.cli import verbs
from b2safe.cli.common import EXIT_UNAVAILABLE, CliError

SRC = "/zoneA/home/alice/project"
DST = "/zoneB/replicas/project"


def replica_area(cli) -> None:
    b = cli.sb.client("rods#zoneB")
    b.imkdir("/zoneB/replicas", parents=True)
    for user in ("rods#zoneA", "alice#zoneA"):
        b.ichmod("own", user, "/zoneB/replicas")
    b.inherit("/zoneB/replicas", True)
    alice = cli.sb.client("alice#zoneA")
    alice.imkdir(SRC, parents=True)
    for i in range(2):
        alice.iput(f"{SRC}/f{i}.dat", f"content {i}".encode())


def test_replicate_by_a_rodsuser_registers_at_once_and_exits_0(cli):
    replica_area(cli)
    result = cli("replicate", SRC, DST, "--user", "alice#zoneA")
    assert result.code == 0, result.out + result.err
    assert "registered=true" in result.out
    status = cli("status", "--json").json()
    [fail_log] = [s for s in status["sections"] if s["title"].startswith("fail log")]
    assert fail_log["items"] == []


class DeferringServer:
    """A server whose replication left the registration deferred in the fail log (the rule's
    4.x response says registered=true all the same)."""

    label = "deferring"
    user = "alice#zoneA"

    def run(self, name, rule_args):
        return [*rule_args[:-1], f"{SRC}::{DST}::null::registered=true::recursive=true"]

    def query(self, columns, conditions):
        from b2safe.state.faillog import FailRecord, Stage
        from b2safe.workflows.replication import DEFERRED

        record = FailRecord(source=SRC, destination=DST, cause=DEFERRED, stage=Stage.DEFERRED,
                            kind="-C")
        if columns == ["META_COLL_ATTR_VALUE", "META_COLL_ATTR_UNITS"]:
            return [[record.message, record.units]]
        return []


def test_replicate_with_deferred_registration_is_not_success(capsys):
    args = Namespace(source=SRC, destination=DST, resource=None, registered=None,
                     recursive=None, batch=None, quiet=True, json=False)
    assert verbs.cmd_replicate(args, DeferringServer()) == 1
    out = capsys.readouterr()
    assert "registered=deferred" in out.out and "registered=true" not in out.out
    assert "deferred" in out.err and "b2safe status" in out.err


def test_chain_with_an_unresolved_record_is_not_success(cli):
    result = cli("chain", "21.T99999/NOT-OURS", "--json")
    assert result.code == 1
    assert result.json()["unresolved"] == 1
    assert "could not be read" in cli("chain", "21.T99999/NOT-OURS").err


class Unreachable:
    """A backend whose server never answers."""

    label = "nowhere"

    def query(self, columns, conditions):
        raise CliError("cannot reach the iRODS server", EXIT_UNAVAILABLE)

    def delayed_rules(self):
        raise CliError("cannot reach the iRODS server", EXIT_UNAVAILABLE)


def test_status_that_read_nothing_fails(capsys):
    assert verbs.cmd_status(Namespace(json=False, limit=5), Unreachable()) == EXIT_UNAVAILABLE
    assert "could not be read" in capsys.readouterr().err


def test_errors_are_json_with_json(cli):
    result = cli("rule", "EUDATSearchPID", "--json", "--user", "alice#zoneA")
    assert result.code == 2
    error = result.json()["error"]
    assert error["exit_code"] == 2 and "EUDATSearchPID takes" in error["message"]
    missing = cli("pid", "show", "/zoneA/home/alice/nothing", "--json")
    assert missing.code == 1
    assert missing.json()["error"]["message"].endswith("has no PID")


def test_check_changes_nothing_unless_asked_to_record(cli):
    path, copy = "/zoneA/home/alice/data.csv", "/zoneB/home/alice/data.csv"
    cli.put(path, b"original\n")
    cli.put(copy, b"changed!\n", user="alice#zoneB")
    cli.sb.client("alice#zoneB").ichmod("read", "alice#zoneA", copy)

    def pending() -> list:
        return [a for a in cli.sb.client("alice#zoneA").imeta_ls("-d", path)
                if a.name.startswith("eudat_pending:")]

    result = cli("check", path, copy, "--user", "alice#zoneA", "--json")
    assert result.code == 1
    assert result.json()["outputs"]["status"] == "false"
    assert pending() == []  # read-only: no pending-work AVU written behind the user's back
    recorded = cli("check", path, copy, "--user", "alice#zoneA", "--record")
    assert recorded.code == 1
    assert "recorded" in recorded.err
    assert [a.name for a in pending()] == ["eudat_pending:integrity"]


def test_check_verify_reads_stored_bytes_and_names_the_witness(cli):
    path, copy = "/zoneA/home/alice/data.csv", "/zoneB/home/alice/data.csv"
    for target, zone in ((path, "zoneA"), (copy, "zoneB")):
        cli.put(target, b"same bytes\n", user=f"alice#{zone}")
        cli.sb.client(f"alice#{zone}").ichksum(target, force=True)
    cli.sb.client("alice#zoneB").ichmod("read", "alice#zoneA", copy)
    # The replica's stored bytes rot; its catalog checksum still says all is well.
    [replica] = cli.sb.zone("zoneB").catalog.data_get(copy)
    with open(replica.phys_path, "r+b") as stored:
        stored.write(b"SAME")
    catalog_only = cli("check", path, copy, "--user", "alice#zoneA")
    assert catalog_only.code == 0  # the catalog values agree: a check cannot see the rot
    verified = cli("check", path, copy, "--user", "alice#zoneA", "--verify")
    assert verified.code == 1
    assert "source stored bytes vs its catalog checksum: agree" in verified.out
    assert "replica stored bytes vs its catalog checksum: DISAGREE" in verified.out
    data = cli("check", path, copy, "--user", "alice#zoneA", "--verify", "--json").json()
    assert data["stored"]["source"]["ok"] is True and data["stored"]["replica"]["ok"] is False


def test_chain_verify_finds_rotten_stored_bytes(cli):
    path = "/zoneA/home/alice/obj"
    cli.put(path, b"bytes\n")
    pid = cli("pid", "create", path, "--user", "alice#zoneA").out.strip()
    assert cli("chain", pid).code == 0
    [replica] = cli.sb.zone("zoneA").catalog.data_get(path)
    with open(replica.phys_path, "r+b") as stored:
        stored.write(b"BY")
    assert cli("chain", pid).code == 0  # catalog and PID record still agree
    verified = cli("chain", pid, "--verify")
    assert verified.code == 1
    assert "stored bytes differ from the catalog checksum" in verified.out
