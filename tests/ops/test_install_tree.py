"""``b2safe install`` / ``uninstall`` on a realistic server config directory, as root and as the
service account: owners, modes and content of every file, refusals with nothing changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

from b2safe import rulebase
from b2safe.ops.install import IMPORT_LINE, PYTHON_PLUGIN, core_py_text
from tests.ops.tree import (
    IRODS_GID,
    IRODS_UID,
    STRANGER_UID,
    TEMPLATE,
    needs_root,
    owner_mode,
    rule_engines,
    run,
    run_as,
    snapshot,
)

pytestmark = needs_root
NREP = "irods_rule_engine_plugin-irods_rule_language"
CPP = "irods_rule_engine_plugin-cpp_default_policy"

SITE_CORE = '''"""Site policies."""

import json


def acPreConnect(rule_args, callback, rei):
    rule_args[0] = "CS_NEG_REQUIRE"
'''


def backups(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.name.endswith(".b2safe.bak"))


def check_installed(etc: Path) -> None:
    """Every file belongs to the service account with the mode the server needs."""
    assert owner_mode(etc / "server_config.json") == (IRODS_UID, IRODS_GID, 0o600)
    assert owner_mode(etc / "core.py") == (IRODS_UID, IRODS_GID, 0o644)
    assert owner_mode(etc / "b2safe.json") == (IRODS_UID, IRODS_GID, 0o640)
    assert rule_engines(etc) == [PYTHON_PLUGIN, NREP, CPP]
    data = json.loads((etc / "server_config.json").read_text())
    template = json.loads(TEMPLATE.read_text())
    data["plugin_configuration"]["rule_engines"].pop(0)
    native = data["plugin_configuration"]["rule_engines"][0]["plugin_specific_configuration"]
    assert native["re_rulebase_set"][0] == "b2safe"  # b2safe's rule-language functions first
    native["re_rulebase_set"].pop(0)
    assert data == template  # nothing else changed
    assert (etc / "b2safe.re").read_text() == rulebase.text()
    assert (etc / "core.py").read_text() == core_py_text()
    assert json.loads((etc / "b2safe.json").read_text())["zone"]["name"] == "siteZone"
    [backup] = backups(etc)
    assert backup.read_bytes() == TEMPLATE.read_bytes()
    assert owner_mode(backup) == (IRODS_UID, IRODS_GID, 0o600)  # no world-readable copy


def test_install_as_root_keeps_the_service_accounts_ownership(etc):
    result = run("install", "--config-dir", str(etc))
    assert result.code == 0, result.err
    check_installed(etc)
    assert "next steps" in result.out and "systemctl restart irods" in result.out
    assert "b2safe doctor" in result.out and "b2safe schedule" in result.out
    assert not [p for p in etc.iterdir() if "b2safe-tmp" in p.name]


def test_install_as_the_service_account(etc):
    result = run_as(IRODS_UID, "install", "--config-dir", str(etc))
    assert result.code == 0, result.err
    check_installed(etc)


def test_second_run_changes_nothing_and_needs_no_restart(etc):
    assert run("install", "--config-dir", str(etc)).code == 0
    before = snapshot(etc)
    again = run_as(IRODS_UID, "install", "--config-dir", str(etc))
    assert again.code == 0, again.err
    assert snapshot(etc) == before
    assert "restart" not in again.out


def test_another_account_cannot_read_the_server_config(etc):
    result = run_as(STRANGER_UID, "install", "--config-dir", str(etc))
    assert result.code == 2
    assert "cannot read" in result.err and "Run the command as 4242" in result.err


def test_another_account_is_refused_and_nothing_changes(etc):
    os.chmod(etc, 0o777)  # noqa: S103 - even where it could write, it cannot keep the owner
    os.chmod(etc / "server_config.json", 0o644)
    before = snapshot(etc)
    result = run_as(STRANGER_UID, "install", "--config-dir", str(etc))
    assert result.code == 2
    assert snapshot(etc) == before
    assert "must stay owned by 4242:4242" in result.err and "Nothing was changed" in result.err
    assert "Traceback" not in result.err


def test_unwritable_directory_is_a_clear_error(etc):
    os.chown(etc, 0, 0)  # /etc/irods owned by root: the service account cannot create files
    before = snapshot(etc)
    result = run_as(IRODS_UID, "install", "--config-dir", str(etc))
    assert result.code == 2
    assert "cannot write in" in result.err and "permission denied" in result.err
    assert "Traceback" not in result.err
    assert snapshot(etc) == before


def test_directory_without_server_config_is_refused(etc):
    empty = etc.parent / "not-irods"
    empty.mkdir()
    result = run("install", "--config-dir", str(empty))
    assert result.code == 2
    assert "no server_config.json" in result.err
    assert list(empty.iterdir()) == []


def test_python_stanza_after_the_native_one_is_moved_first(etc):
    path = etc / "server_config.json"
    data = json.loads(path.read_text())
    stanza = {"instance_name": "irods_rule_engine_plugin-python-instance",
              "plugin_name": PYTHON_PLUGIN, "plugin_specific_configuration": {"x": 1}}
    data["plugin_configuration"]["rule_engines"].append(stanza)
    path.write_text(json.dumps(data, indent=4))
    result = run("install", "--config-dir", str(etc))
    assert result.code == 0, result.err
    assert rule_engines(etc) == [PYTHON_PLUGIN, NREP, CPP]
    first = json.loads(path.read_text())["plugin_configuration"]["rule_engines"][0]
    assert first == stanza  # moved, not replaced
    assert "moved the Python rule engine stanza" in result.out


def test_uninstall_restores_a_fresh_server(etc):
    assert run("install", "--config-dir", str(etc)).code == 0
    result = run_as(IRODS_UID, "uninstall", "--config-dir", str(etc))
    assert result.code == 0, result.err
    assert not (etc / "core.py").exists()
    assert json.loads((etc / "server_config.json").read_text()) == \
        json.loads(TEMPLATE.read_text())
    assert owner_mode(etc / "server_config.json") == (IRODS_UID, IRODS_GID, 0o600)
    assert (etc / "b2safe.json").exists()  # the site's settings are kept
    assert "iqdel" in result.out and "restart" in result.out


def test_uninstall_keeps_the_sites_own_rules(etc):
    core = etc / "core.py"
    core.write_text(SITE_CORE)
    os.chown(core, IRODS_UID, IRODS_GID)
    os.chmod(core, 0o600)
    assert run("install", "--config-dir", str(etc)).code == 0
    assert IMPORT_LINE in core.read_text()
    assert run("uninstall", "--config-dir", str(etc)).code == 0
    assert core.read_text() == SITE_CORE
    assert owner_mode(core) == (IRODS_UID, IRODS_GID, 0o600)
    assert rule_engines(etc)[0] == PYTHON_PLUGIN  # the site's Python rules still need it


def test_uninstall_dry_run_changes_nothing(etc):
    assert run("install", "--config-dir", str(etc)).code == 0
    before = snapshot(etc)
    result = run("uninstall", "--config-dir", str(etc), "--dry-run")
    assert result.code == 0
    assert snapshot(etc) == before
    assert f"-{IMPORT_LINE}" in result.out
