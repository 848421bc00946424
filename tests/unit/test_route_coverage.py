"""``b2safe doctor`` upload-routes: which routes the policies see, from core.py and the rule
engines of server_config.json."""

from __future__ import annotations

import json

import pytest

from b2safe.ops.checks import CRITICAL, OK, WARNING
from b2safe.ops.install import CORE_PY, NREP_PLUGIN, _registered_names, python_stanza
from b2safe.ops.route_coverage import check_routes
from b2safe.ruleset.ingest import ROUTE_HOOKS

NREP = {"instance_name": f"{NREP_PLUGIN}-instance", "plugin_name": NREP_PLUGIN,
        "plugin_specific_configuration": {"re_rulebase_set": ["core"]}}

# What PREP's stock core.py.template defines for these PEPs (irods_rule_engine_plugin_python
# core.py.template: empty bodies, and the bulk put policy answering "off").
STOCK_TEMPLATE_TAIL = '''

def acPostProcForPut(rule_args, callback, rei):
    pass

def acPostProcForFilePathReg(rule_args, callback, rei):
    pass

def acPostProcForObjRename(rule_args, callback, rei):
    pass

def acBulkPutPostProcPolicy(rule_args, callback, rei):
    callback.msiSetBulkPutPostProcPolicy('off')
'''


def server(tmp_path, core=CORE_PY, engines=None, regexes=None):
    """A config directory with ``core`` and the rule engines (Python then NREP by default)."""
    stanza = python_stanza()
    if regexes is not None:
        stanza = {**stanza, "plugin_specific_configuration": {
            **stanza.get("plugin_specific_configuration", {}),
            "regexes_for_supported_peps": regexes}}
    config = {"plugin_configuration": {"rule_engines": engines or [stanza, NREP]}}
    (tmp_path / "server_config.json").write_text(json.dumps(config))
    (tmp_path / "core.py").write_text(core)
    return tmp_path


def test_b2safe_core_sees_every_route(tmp_path):
    check = check_routes(server(tmp_path), _registered_names())
    assert check.state == OK and f"all {len(ROUTE_HOOKS)}" in check.detail


def test_stock_template_after_the_import_loses_the_static_pep_routes(tmp_path):
    check = check_routes(server(tmp_path, core=CORE_PY + STOCK_TEMPLATE_TAIL),
                         _registered_names())
    assert check.state == WARNING
    for route in ("iput (single buffer and parallel)", "iput -b (bulk)",
                  "ireg and other registration", "imv into a policy collection"):
        assert route in check.detail
    assert "HTTP API" not in check.detail and "touch" not in check.detail


def test_restricted_pep_regexes_lose_the_api_pep_routes(tmp_path):
    directory = server(tmp_path, regexes=["ac[^ ]*"])
    # With the native rule language loaded its regexes join the registry (a union): covered.
    assert check_routes(directory, _registered_names()).state == OK
    stanza = {**python_stanza(), "plugin_specific_configuration": {
        "regexes_for_supported_peps": ["ac[^ ]*"]}}
    check = check_routes(server(tmp_path, engines=[stanza]), _registered_names())
    assert check.state == WARNING
    assert "HTTP API write and parallel write: pep_api_replica_close_pre (no PEP regex" in \
        check.detail
    assert "iput (single" not in check.detail


def test_native_rule_language_first_answers_static_peps(tmp_path):
    check = check_routes(server(tmp_path, engines=[NREP, python_stanza()]),
                         _registered_names())
    assert check.state == WARNING and "answers it before Python" in check.detail
    assert "S3 API" not in check.detail


@pytest.mark.parametrize("core", ["def acPostProcForPut(a, b, c):\n    pass\n", "def (:\n"])
def test_core_without_b2safe_sees_nothing(tmp_path, core):
    check = check_routes(server(tmp_path, core=core), _registered_names())
    assert check.state == CRITICAL
