"""``handle-server`` (foreground, in a subprocess) and ``handle get|list`` through argparse."""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys

import pytest
import requests
from b2safe_sandbox import handle_cli
from b2safe_sandbox.errors import USER_FILE_DOES_NOT_EXIST, SandboxError
from b2safe_sandbox.handle_server import HandleServer

from tests.handle_support import PASSWORD, PREFIX, USER, auth

DRIVER = (
    "import argparse, sys\n"
    "from b2safe_sandbox import handle_cli\n"
    "p = argparse.ArgumentParser(); sub = p.add_subparsers()\n"
    "handle_cli.add_parser(sub)\n"
    "a = p.parse_args(sys.argv[1:]); sys.exit(a.sandbox_func(a))\n"
)


def run(argv: list) -> int:
    parser = argparse.ArgumentParser()
    handle_cli.add_parser(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.sandbox_func(args)


def test_foreground_server_then_get_and_list(tmp_path, capsys):
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, "handle-server", "--dir", str(tmp_path), "--port", "0",
         "--prefix", PREFIX, "--user", USER, "--password", PASSWORD],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = line.split(" on ", 1)[1].split(" ", 1)[0]
        response = requests.put(f"{url}/api/handles/{PREFIX}/CLI1", headers=auth(), timeout=5,
                                data=json.dumps([{"index": 1, "type": "URL", "data": "x"}]))
        assert response.status_code == 201
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()
        proc.stderr.close()
    assert run(["handle", "get", f"{PREFIX}/cli1", "--dir", str(tmp_path)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["values"][0]["data"]["value"] == "x"
    assert run(["handle", "get", f"{PREFIX}/USER01", "--dir", str(tmp_path)]) == 0
    assert PASSWORD not in capsys.readouterr().out  # HS_SECKEY masked
    assert run(["handle", "list", "--dir", str(tmp_path), "--prefix", PREFIX]) == 0
    assert json.loads(capsys.readouterr().out) == [f"{PREFIX}/CLI1", f"{PREFIX}/USER01"]
    with pytest.raises(SandboxError) as caught:
        run(["handle", "get", f"{PREFIX}/NONE", "--dir", str(tmp_path)])
    assert caught.value.code == USER_FILE_DOES_NOT_EXIST


def test_list_sees_an_in_process_server_state(tmp_path, capsys):
    server = HandleServer(handle_cli.state_dir_for(tmp_path), prefix=PREFIX,
                          users={USER: PASSWORD})
    server.start()
    try:
        assert run(["handle", "list", "--dir", str(tmp_path)]) == 0
        assert f"0.NA/{PREFIX}" in json.loads(capsys.readouterr().out)
    finally:
        server.stop()
