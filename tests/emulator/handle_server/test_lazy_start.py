"""Opening a sandbox starts no Handle server; the first rule code run, handle_server() or
start_services() does (and the zone's credentials then name the server)."""

from __future__ import annotations

import json
import socket

from b2safe_sandbox import site
from b2safe_sandbox.handle_sites import CREDENTIALS_NAME, load_sites
from b2safe_sandbox.sandbox import Sandbox


def serving(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def credentials_url(sb: Sandbox, zone: str) -> str:
    path = sb.zone(zone).config_dir / CREDENTIALS_NAME
    return json.loads(path.read_text(encoding="utf-8"))["handle_server_url"]


def test_creating_and_opening_start_no_server(tmp_path):
    sb = site.create(tmp_path / "sb", zones=("zoneA", "zoneB"))
    again = Sandbox.open(sb.directory)
    try:
        assert sb.handle_servers == {} and again.handle_servers == {}
        assert all("port" not in s for s in load_sites(sb).values())
    finally:
        again.close()
        sb.close()


def test_the_first_rule_run_starts_the_servers_its_code_may_call(tmp_path):
    sb = site.create(tmp_path / "sb", zones=("zoneA", "zoneB"))
    try:
        result = sb.exec_rule("zoneA", "EUDATGetZoneNameFromPath", ["/zoneB/x", ""],
                              "alice#zoneA")
        assert result.code == 0 and result.rule_args[1] == "zoneB"
        assert set(sb.handle_servers) == {"zoneA", "zoneB"}
        for zone, server in sb.handle_servers.items():
            assert serving(server.port)
            assert credentials_url(sb, zone) == server.base_url
    finally:
        sb.close()
    assert not serving(server.port)


def test_handle_server_starts_them_when_asked(tmp_path):
    sb = site.create(tmp_path / "sb", zones=("zoneA",))
    try:
        server = sb.handle_server("zoneA")
        assert serving(server.port)
        assert credentials_url(sb, "zoneA") == server.base_url
    finally:
        sb.close()
