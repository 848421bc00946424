"""py_remote as PREP implements it (src/main.cpp@5.0.1 L60-89 remote_exec_msvc) and the server
runs it (rsExecMyRule.cpp@5.0.2; irods_re_plugin.hpp L644-668). Upstream:
test_rule_engine_plugin_framework.py test_remote_python_rule_engine_plugin_instance_6465
(``py_remote("localhost", "<INST_NAME>...python-instance</INST_NAME>", ...)``)."""

from __future__ import annotations

import re

import pytest
from b2safe_sandbox.sandbox import Sandbox

INST = "<INST_NAME>irods_rule_engine_plugin-python-instance</INST_NAME>"
TEXT = "def main(rule_args, callback, rei):\n    callback.writeLine('serverLog', 'local ran')\n"


def code_of(exc: BaseException) -> int:
    match = re.search(r"\[iRods__Error__Code:(-?\d+)\]", str(exc))
    assert match, str(exc)
    return int(match.group(1))


@pytest.fixture
def sb(tmp_path) -> Sandbox:
    return Sandbox.create(tmp_path / "sb", zones=("zoneA", "zoneB"))


def ran(sb: Sandbox, zone: str) -> int:
    return sum("local ran" in line for line in sb.server_log[zone])


def test_localhost_runs_on_this_server(sb):
    # initServer.cpp@5.0.2 L224: "localhost" is one of the local server's names, so resolveHost
    # gives LOCAL_HOST and rsExecMyRule runs the text here (rsExecMyRule.cpp L37-43).
    result = sb.callback("zoneA", "rods#zoneA").py_remote("localhost", INST, TEXT, "")
    assert result["code"] == 0
    assert (ran(sb, "zoneA"), ran(sb, "zoneB")) == (1, 0)


def test_localhost_keeps_the_callers_rights(sb):
    # The same rsComm: PREP's exec_rule_text refuses a client below REMOTE_PRIV_USER_AUTH
    # (main.cpp@5.0.1 L729-737) and, the instance being named, the error comes back.
    with pytest.raises(RuntimeError) as err:
        sb.callback("zoneA", "alice#zoneA").py_remote("localhost", INST, TEXT, "")
    assert code_of(err.value) == -13000  # SYS_NO_API_PRIV
    assert ran(sb, "zoneA") == 0


def test_without_inst_name_errors_are_only_logged(sb):
    # No <INST_NAME>: no instance name (main.cpp L80-84), so every engine gets the text and
    # their errors are only logged (irods_re_plugin.hpp L650-656): success, nothing ran.
    assert sb.callback("zoneA", "alice#zoneA").py_remote("localhost", "", TEXT, "")["code"] == 0
    assert ran(sb, "zoneA") == 0
    # A rodsadmin's text runs through the Python engine all the same.
    assert sb.callback("zoneA", "rods#zoneA").py_remote("localhost", "", TEXT, "")["code"] == 0
    assert ran(sb, "zoneA") == 1
