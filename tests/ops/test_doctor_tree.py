"""``b2safe doctor`` on a realistic server config directory: healthy after ``install``, and each
broken setup reported as a failure that says what to do (Handle checks: tests/sandbox/cli)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from b2safe.ops.install import PYTHON_PLUGIN
from b2safe.ops.server_checks import PLUGIN_FILE
from tests.ops.tree import IRODS_GID, IRODS_UID, needs_root, run

pytestmark = needs_root

#: The shape of PREP's core.py.template (irods_rule_engine_plugin_python, core.py.template:
#: many PEPs whose body is ``pass``), after which a site adds the b2safe import at the top.
STOCK_TEMPLATE = '''import datetime


def acPreConnect(rule_args, callback, rei):
    rule_args[0] = 'CS_NEG_REFUSE'


def acPostProcForPut(rule_args, callback, rei):
    #pythonRuleEnginePluginTest(rule_args, callback, rei)
    pass


def acPostProcForObjRename(rule_args, callback, rei):
    pass
'''


@pytest.fixture
def server(etc):
    """A server after ``b2safe install``: credentials in place, the PREP plugin installed."""
    assert run("install", "--config-dir", str(etc)).code == 0
    # Not <etc>/b2safe/: PREP appends <etc> to sys.path, and a directory named b2safe there is
    # taken for the package when b2safe is an editable install (as in this checkout's tests).
    creds = etc / "secrets" / "pid-credentials.json"
    config = json.loads((etc / "b2safe.json").read_text())
    config["pid"]["credentials_file"] = str(creds)
    (etc / "b2safe.json").write_text(json.dumps(config))
    creds.parent.mkdir(exist_ok=True)
    creds.write_text(json.dumps({"handle_server_url": "https://hdl.example.org:8000",
                                 "prefix": "21.T12345", "username": "300:21.T12345/B2SAFE",
                                 "password": "secret"}))
    os.chmod(creds, 0o600)
    for path in (creds.parent, creds):
        os.chown(path, IRODS_UID, IRODS_GID)
    plugins = etc.parent / "plugins"
    plugins.mkdir()
    (plugins / PLUGIN_FILE).write_bytes(b"\x7fELF")
    return etc


def doctor(etc: Path, *extra: str) -> dict[str, dict[str, str]]:
    result = run("doctor", "--no-pid", "--json", "--config", str(etc / "b2safe.json"),
                 "--config-dir", str(etc), "--plugin-dir", str(etc.parent / "plugins"), *extra)
    assert "Traceback" not in result.err, result.err
    return {c["name"]: c for c in json.loads(result.out)["checks"]}


def healthy_python() -> tuple[str, ...]:
    """This interpreter as root: it imports this b2safe (the irods uid here has no Python with
    b2safe, see test_service_python_without_b2safe)."""
    return ("--service-account", "root", "--service-python", sys.executable)


def test_a_fresh_install_is_healthy(server):
    checks = doctor(server)
    for name in ("config", "credentials", "rule-engines", "rule-language", "core.py", "plugin",
                 "file-owners"):
        assert checks[name]["state"] == "OK", checks[name]
    assert "readable by 4242" in checks["file-owners"]["detail"]
    python = doctor(server, *healthy_python())["service-python"]
    assert python["state"] == "OK", python
    assert "imports b2safe" in python["detail"]


def failing(checks: dict, name: str, *words: str) -> None:
    assert checks[name]["state"] == "CRITICAL", checks[name]
    for word in words:
        assert word in checks[name]["detail"], checks[name]


def test_server_config_owned_by_root(server):
    os.chown(server / "server_config.json", 0, 0)  # what a root rewrite used to leave
    failing(doctor(server), "file-owners", "unreadable by 4242", "chown 4242:")


def test_missing_python_stanza(server):
    path = server / "server_config.json"
    data = json.loads(path.read_text())
    engines = data["plugin_configuration"]["rule_engines"]
    data["plugin_configuration"]["rule_engines"] = [e for e in engines
                                                    if e["plugin_name"] != PYTHON_PLUGIN]
    path.write_text(json.dumps(data))
    failing(doctor(server), "rule-engines", "no rule engine stanza", "b2safe install")


def test_python_stanza_after_the_native_one(server):
    path = server / "server_config.json"
    data = json.loads(path.read_text())
    engines = data["plugin_configuration"]["rule_engines"]
    engines.append(engines.pop(0))
    path.write_text(json.dumps(data))
    failing(doctor(server), "rule-engines", "comes after", "restart iRODS")


def test_b2safe_re_missing_from_the_rule_base(server):
    path = server / "server_config.json"
    data = json.loads(path.read_text())
    for engine in data["plugin_configuration"]["rule_engines"]:
        names = engine.get("plugin_specific_configuration", {}).get("re_rulebase_set")
        if names:
            names.remove("b2safe")
    path.write_text(json.dumps(data))
    failing(doctor(server), "rule-language", "lacks 'b2safe'", "b2safe install")


def test_b2safe_re_of_another_version(server):
    (server / "b2safe.re").write_text("# an older b2safe.re\n")
    checks = doctor(server)
    assert checks["rule-language"]["state"] == "WARNING"
    assert "differs from b2safe" in checks["rule-language"]["detail"]


def test_core_py_without_the_import(server):
    (server / "core.py").write_text("def acPreConnect(rule_args, callback, rei):\n    pass\n")
    failing(doctor(server), "core.py", "does not import the b2safe rules")


def test_stock_core_py_template_shadows_b2safe(server):
    (server / "core.py").write_text("from b2safe.ruleset import *\n\n" + STOCK_TEMPLATE)
    failing(doctor(server), "core.py", "acPostProcForPut", "acPostProcForObjRename",
            "empty body", "delete these definitions")


def test_core_py_that_does_not_compile(server):
    (server / "core.py").write_text("from b2safe.ruleset import *\ndef broken(:\n")
    failing(doctor(server), "core.py", "line 2", "every rule on this server fails")


def test_missing_plugin(server):
    (server.parent / "plugins" / PLUGIN_FILE).unlink()
    failing(doctor(server), "plugin", "irods-rule-engine-plugin-python")


def test_service_python_without_b2safe(server):
    # The service account's python3 (the system one, run as uid 4242) has no b2safe.
    failing(doctor(server, "--service-python", "/usr/bin/python3"), "service-python",
            "cannot import core.py and b2safe", "docs/installation.md")


def test_credentials_owned_by_root(server):
    os.chown(server / "secrets" / "pid-credentials.json", 0, 0)
    failing(doctor(server), "file-owners", "pid-credentials.json belongs to root",
            "chown 4242:")


def test_not_a_server(etc):
    result = run("doctor", "--no-pid", "--json", "--config-dir", str(etc.parent))
    checks = {c["name"]: c for c in json.loads(result.out)["checks"]}
    assert checks["server"]["state"] == "UNKNOWN"
    assert "--no-server" in checks["server"]["detail"]
