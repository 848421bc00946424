"""Where the reverse lookup of 4.x PIDs is on: unless a configuration says otherwise (a missing
key must not mint duplicates), and in what ``b2safe install`` writes: on where B2SAFE 4.x's rule
files are found, off on a fresh server."""

from __future__ import annotations

from b2safe.config import parse_config
from b2safe.ops.install import legacy_4x_found, starter_config


def _server(rulebases):
    return {"zone_name": "siteZone", "plugin_configuration": {"rule_engines": [
        {"plugin_name": "irods_rule_engine_plugin-irods_rule_language",
         "plugin_specific_configuration": {"re_rulebase_set": rulebases}}]}}


def _fallback(server, directory):
    return starter_config(server, directory)["pid"]["reverse_lookup_fallback"]


def test_unset_means_on():
    config = parse_config({"version": 1, "zone": {"name": "z", "server_id": "irods://h:1247"}})
    assert config.pid.reverse_lookup_fallback is True


def test_a_fresh_server_gets_it_off(tmp_path):
    assert legacy_4x_found(_server(["core"]), tmp_path) == []
    assert _fallback(_server(["core"]), tmp_path) is False
    assert _fallback(None, tmp_path) is False


def test_a_4x_server_gets_it_on(tmp_path):
    assert _fallback(_server(["eudat", "pid-service", "core"]), tmp_path) is True
    assert _fallback(_server([{"filename": "replication"}, {"filename": "core"}]), tmp_path)
    (tmp_path / "pid-service.re").write_text("# 4.x\n")
    assert legacy_4x_found(_server(["core"]), tmp_path) == [f"{tmp_path}/pid-service.re"]
    assert _fallback(_server(["core"]), tmp_path) is True
