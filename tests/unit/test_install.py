"""b2safe install on copies of server config directories: fresh, existing core.py, existing stanza,
malformed server_config.json (refused, unchanged), dry run, idempotency."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from b2safe.cli import main
from b2safe.config import parse_config
from b2safe.ops.install import (
    _MERGE_BLOCK,
    IMPORT_LINE,
    PYTHON_PLUGIN,
    InstallError,
    add_native_rulebase,
    add_python_stanza,
    core_py_text,
    merge_core,
    plan_install,
)

ROOT = Path(__file__).resolve().parents[2]

SERVER_CONFIG = {
    "zone_name": "siteZone",
    "zone_port": 1247,
    "default_resource_name": "archiveResc",
    "default_hash_scheme": "SHA256",
    "catalog_provider_hosts": ["irods.site.example"],
    "plugin_configuration": {
        "rule_engines": [
            {"instance_name": "irods_rule_engine_plugin-irods_rule_language-instance",
             "plugin_name": "irods_rule_engine_plugin-irods_rule_language",
             "plugin_specific_configuration": {"re_rulebase_set": ["core"]}},
            {"instance_name": "irods_rule_engine_plugin-cpp_default_policy-instance",
             "plugin_name": "irods_rule_engine_plugin-cpp_default_policy",
             "plugin_specific_configuration": {}},
        ]
    },
}

EXISTING_CORE = '''"""Site policies."""

from __future__ import annotations

import json


def acPostProcForPut(rule_args, callback, rei):
    callback.writeLine("serverLog", "put")
'''


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.fixture
def etc(tmp_path):
    d = tmp_path / "etc-irods"
    d.mkdir()
    (d / "server_config.json").write_text(json.dumps(SERVER_CONFIG, indent=4) + "\n")
    return d


def install(*args: str) -> int:
    return main(["install", *args])


def engines(directory: Path) -> list[str]:
    data = json.loads((directory / "server_config.json").read_text())
    return [e["plugin_name"] for e in data["plugin_configuration"]["rule_engines"]]


def test_fresh_directory(etc, capsys):
    assert install("--config-dir", str(etc)) == 0
    assert (etc / "core.py").read_text() == core_py_text()
    assert engines(etc) == [PYTHON_PLUGIN, "irods_rule_engine_plugin-irods_rule_language",
                            "irods_rule_engine_plugin-cpp_default_policy"]
    config = parse_config(json.loads((etc / "b2safe.json").read_text()))
    assert config.zone.name == "siteZone"
    assert config.zone.server_id == "irods://irods.site.example:1247"
    assert config.zone.default_resource == "archiveResc"
    assert config.pid.credentials_file == str(etc / "b2safe.d" / "pid-credentials.json")
    backups = [p for p in etc.iterdir() if p.name.endswith(".b2safe.bak")]
    assert [p.name.split(".")[0] for p in backups] == ["server_config"]
    assert json.loads(backups[0].read_text()) == SERVER_CONFIG
    out = capsys.readouterr().out
    assert "does not exist yet" in out  # credentials not there yet: a warning, not a failure


def test_core_py_matches_the_repository_file():
    assert core_py_text() == (ROOT / "core.py").read_text()


def test_existing_core_py_gets_one_import_line(etc):
    (etc / "core.py").write_text(EXISTING_CORE)
    assert install("--config-dir", str(etc)) == 0
    text = (etc / "core.py").read_text()
    assert text.count(IMPORT_LINE) == 1
    # After the docstring and the __future__ import, before the site's own code.
    assert text.index("from __future__") < text.index(IMPORT_LINE) < text.index("import json")
    assert text.replace("\n" + _MERGE_BLOCK + "\n", "", 1) == EXISTING_CORE
    compile(text, "core.py", "exec")
    backups = sorted(p.name for p in etc.iterdir() if p.name.startswith("core.py."))
    assert len(backups) == 1 and (etc / backups[0]).read_text() == EXISTING_CORE


def test_merge_reports_names_the_site_also_defines():
    text, notes = merge_core(EXISTING_CORE, {"acPostProcForPut", "EUDATCreatePID"})
    assert text is not None and IMPORT_LINE in text
    assert len(notes) == 1 and "acPostProcForPut" in notes[0]


def test_core_py_without_docstring_gets_the_line_first():
    text, _ = merge_core("x = 1\n", set())
    assert text is not None and text.splitlines()[2] == IMPORT_LINE
    assert text.endswith("x = 1\n")


def test_broken_core_py_is_refused(etc):
    (etc / "core.py").write_text("def broken(:\n")
    before = snapshot(etc)
    assert install("--config-dir", str(etc)) == 2
    assert snapshot(etc) == before


def test_existing_python_stanza_is_kept(etc):
    data = json.loads(json.dumps(SERVER_CONFIG))
    data["plugin_configuration"]["rule_engines"].insert(0,
        {"instance_name": "my-python", "plugin_name": PYTHON_PLUGIN,
         "plugin_specific_configuration": {}})
    text = json.dumps(data, indent=2)
    assert add_python_stanza(text) is None
    (etc / "server_config.json").write_text(text)
    assert install("--config-dir", str(etc)) == 0
    after = json.loads((etc / "server_config.json").read_text())
    native = after["plugin_configuration"]["rule_engines"][1]["plugin_specific_configuration"]
    assert native["re_rulebase_set"] == ["b2safe", "core"]
    native["re_rulebase_set"] = ["core"]
    assert after == data  # the Python stanza kept as it was, nothing else changed
    assert install("--config-dir", str(etc)) == 0
    assert json.loads((etc / "server_config.json").read_text())["plugin_configuration"][
        "rule_engines"][1]["plugin_specific_configuration"]["re_rulebase_set"] == \
        ["b2safe", "core"]  # a second run changes nothing


def test_native_rulebase_is_added_first_once_and_uninstall_removes_it(etc):
    from b2safe.ops.uninstall import remove_native_rulebase

    text = json.dumps(SERVER_CONFIG, indent=2)
    once = add_native_rulebase(text)
    names = json.loads(once)["plugin_configuration"]["rule_engines"][0][
        "plugin_specific_configuration"]["re_rulebase_set"]
    assert names == ["b2safe", "core"]
    assert add_native_rulebase(once) is None
    assert json.loads(remove_native_rulebase(once, "x")) == json.loads(text)
    legacy_data = json.loads(text)
    legacy_data["plugin_configuration"]["rule_engines"][0]["plugin_specific_configuration"][
        "re_rulebase_set"] = [{"filename": "core"}]  # the 4.2 form
    legacy = json.dumps(legacy_data)
    assert json.loads(add_native_rulebase(legacy))["plugin_configuration"]["rule_engines"][0][
        "plugin_specific_configuration"]["re_rulebase_set"] == [{"filename": "b2safe"},
                                                                {"filename": "core"}]


def test_stanza_goes_last_without_other_engines():
    data = {"plugin_configuration": {"rule_engines": [{"plugin_name": "other"}]}}
    result = json.loads(add_python_stanza(json.dumps(data)))
    assert [e["plugin_name"] for e in result["plugin_configuration"]["rule_engines"]] == \
        ["other", PYTHON_PLUGIN]


@pytest.mark.parametrize("text", [
    '{"zone_name": "x", "plugin_configuration": {"rule_engines": [}',  # not JSON
    '{"zone_name": "x"}',                                             # no rule_engines
    '[1, 2]',                                                         # not an object
])
def test_malformed_server_config_is_refused_and_nothing_changes(etc, text, capsys):
    (etc / "server_config.json").write_text(text)
    before = snapshot(etc)
    assert install("--config-dir", str(etc)) == 2
    assert snapshot(etc) == before
    assert "Nothing was changed" in capsys.readouterr().err
    with pytest.raises(InstallError):
        plan_install(etc)


def test_dry_run_changes_nothing_and_shows_the_diff(etc, capsys):
    (etc / "core.py").write_text(EXISTING_CORE)
    before = snapshot(etc)
    assert install("--config-dir", str(etc), "--dry-run") == 0
    assert snapshot(etc) == before
    out = capsys.readouterr().out
    assert f"+{IMPORT_LINE}" in out
    assert any(line.startswith("+") and '"irods_rule_engine_plugin-python"' in line
               for line in out.splitlines())
    assert "--- /dev/null" in out and "b2safe.json (b2safe install)" in out


def test_second_run_changes_nothing(etc, capsys):
    assert install("--config-dir", str(etc)) == 0
    after_first = snapshot(etc)
    assert plan_install(etc).changes == []
    assert install("--config-dir", str(etc)) == 0
    assert snapshot(etc) == after_first
    capsys.readouterr()
    assert install("--config-dir", str(etc), "--dry-run") == 0
    assert "nothing to change" in capsys.readouterr().out


def test_existing_invalid_b2safe_json_is_kept_and_reported(etc, capsys):
    (etc / "b2safe.json").write_text('{"version": 1}')
    assert install("--config-dir", str(etc)) == 2
    assert (etc / "b2safe.json").read_text() == '{"version": 1}'
    assert "CRITICAL" in capsys.readouterr().out


def test_open_credentials_file_is_critical(etc, capsys):
    assert install("--config-dir", str(etc)) == 0
    creds = etc / "b2safe.d" / "pid-credentials.json"
    creds.parent.mkdir(exist_ok=True)
    creds.write_text(json.dumps({"handle_server_url": "http://127.0.0.1:1", "prefix": "21.T1",
                                 "username": "300:21.T1/U", "password": "x"}))
    os.chmod(creds, 0o644)
    capsys.readouterr()
    assert install("--config-dir", str(etc)) == 1
    assert "chmod 600" in capsys.readouterr().out
    os.chmod(creds, 0o600)
    assert install("--config-dir", str(etc)) == 0


def test_modes_are_kept(etc):
    os.chmod(etc / "server_config.json", 0o600)
    assert install("--config-dir", str(etc)) == 0
    assert (etc / "server_config.json").stat().st_mode & 0o777 == 0o600


def test_missing_directory_is_a_usage_error(tmp_path):
    assert install("--config-dir", str(tmp_path / "nope")) == 2
