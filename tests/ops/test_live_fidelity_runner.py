"""The live fidelity runner (tests/live/fidelity_runner.py) checked offline: it speaks to the fake
iRODS server of tests/ops/fake_irods.py through the real python-irodsclient, the fake runs the
rule files in a sandbox, and the runner sets up, runs and compares every case (but the one that
needs irule) exactly as it will against a live server (``tests/live/test_fidelity_live.py``)."""

from __future__ import annotations

import json
import shutil

import pytest

pytest.importorskip("irods", reason="python-irodsclient (the client extra) is missing")

from b2safe_sandbox import site

from b2safe.cli.live import LiveBackend
from tests.live import fidelity_runner as runner
from tests.ops.fake_irods import EXEC_MY_RULE_AN, FakeIrods

PASSWORD = "fidelity-secret"
BASE = "/tempZone/home/rods/live-fidelity"


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    directory = tmp_path_factory.mktemp("live-fidelity") / "sandbox"
    sb = site.create(directory, zones=("tempZone", "zoneB"))
    sb.zone("tempZone").catalog.add_resource("replResc")
    sb.close()
    with FakeIrods(directory, PASSWORD, "tempZone") as server:
        yield server, directory
        assert server.failures == [] and server.unhandled == []


@pytest.fixture
def session(fake, tmp_path, monkeypatch):
    server, _ = fake
    env = tmp_path / "irods_environment.json"
    env.write_text(json.dumps(server.environment("rods")))
    monkeypatch.setenv("IRODS_PASSWORD", PASSWORD)
    backend = LiveBackend.from_environment(env_file=str(env), instance="python")
    yield backend.session
    backend.session.cleanup()


@pytest.mark.parametrize("name", [n for n in runner.ALL if n not in runner.NEEDS_IRULE])
def test_cases_pass_through_the_wire(fake, session, name):
    server, directory = fake
    mark = len(server.requests)
    runner.check_case(session, name, BASE)
    calls = [r.decoded for r in server.requests[mark:] if r.api == EXEC_MY_RULE_AN]
    # set-up, the case, clean-up; each as irule -F sends a Python rule file (irule.cpp@5.0.2
    # L300-312: "@external\n" + the text before INPUT, the Python engine named).
    assert len(calls) == 3
    assert all(c.myRule.startswith("@external\n") and "def main(" in c.myRule for c in calls)
    assert {c.cond.get("instance_name") for c in calls} == {runner.PYTHON_INSTANCE}
    assert calls[1].params == [("*coll", f'"{BASE}/{name}"')]
    sb = site.open(directory)
    try:  # the clean-up removed the case's collection
        assert sb.client("rods#tempZone").iquest(
            f"select COLL_NAME where COLL_NAME = '{BASE}/{name}'") == []
    finally:
        sb.close()


def case(tmp_path, name: str, body: str, expected: str):
    """A rules directory holding case ``name``: a rule whose main runs ``body``."""
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / f"{name}.r").write_text(f"def main(rule_args, callback, rei):\n    {body}\n"
                                     f'INPUT *coll="/tempZone/home/rods/{name}"\n'
                                     "OUTPUT ruleExecOut\n")
    (rules / f"{name}.expected").write_text(expected)
    return rules


def test_a_different_output_fails_the_case(session, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(runner.RULES / "writeLine.r", rules / "writeLine.r")
    expected = (runner.RULES / "writeLine.expected").read_text(encoding="utf-8")
    (rules / "writeLine.expected").write_text(expected.replace("to stdout", "to stdin"))
    with pytest.raises(AssertionError, match="to stdout"):
        runner.check_case(session, "writeLine", BASE, rules)


def test_a_failing_rule_fails_the_case_with_the_server_error(session, tmp_path):
    rules = case(tmp_path, "boom", "callback.msiDataObjUnlink('objPath=' + "
                 "irods_rule_vars['*coll'][1:-1] + '/none', 0)", "")
    with pytest.raises(AssertionError, match="case boom failed on the server: status -"):
        runner.check_case(session, "boom", BASE, rules)


def test_the_collection_path_is_written_back_as_the_sandbox_one(session, tmp_path):
    body = "callback.writeLine('stdout', irods_rule_vars['*coll'][1:-1] + '/a.txt')"
    rules = case(tmp_path, "echo", body, "/tempZone/home/rods/echo/a.txt\n")
    runner.check_case(session, "echo", BASE, rules)  # ran in BASE/echo, compared as the sandbox's
    rules = case(tmp_path, "echo", body, f"{BASE}/echo/a.txt\n")
    with pytest.raises(AssertionError):
        runner.check_case(session, "echo", BASE, rules)
