"""The zone assets (genquery.py, session_vars.py, the real core.py) on the runtime."""

from __future__ import annotations

from b2safe_sandbox.errors import NO_MICROSERVICE_FOUND_ERR

HOME = "/zoneA/home/alice"

CORE = '''
from genquery import Query, AS_LIST, row_iterator
import irods_errors

def count_names(rule_args, callback, rei):
    q = Query(callback, "DATA_NAME", "COLL_NAME = '{}'".format(rule_args[0]))
    names = list(q)
    rule_args[1] = str(len(names))
    rule_args[2] = str(Query(callback, "DATA_NAME", "COLL_NAME = '{}'".format(rule_args[0])
                             ).total_rows())
    first = Query(callback, "DATA_NAME", "DATA_NAME = 'nothing'").first()
    rule_args[3] = repr(first)
'''


def test_genquery_asset_pages(make_sb):
    sb = make_sb(CORE)
    cat = sb.zone("zoneA").catalog
    with cat.batch():
        for i in range(600):
            cat.data_put(f"{HOME}/f{i:04d}", b"", "alice#zoneA")
    args = [HOME, "", "", ""]
    res = sb.exec_rule("zoneA", "count_names", args, "alice#zoneA")
    assert res.code == 0, res.traceback
    assert args[1:] == ["600", "600", "None"]
    assert sb.stats()["zoneA"]["genquery_round_trips"] >= 4


def test_b2safe_core_imports_in_a_b2safe_site(tmp_path):
    from b2safe_sandbox import site

    sb = site.create(tmp_path / "d", zones=("zoneA",))
    module = sb.zone("zoneA").core_module
    assert module.__file__.endswith("etc/irods/core.py")
    assert hasattr(module, "EUDATCreatePID")


def test_a_plain_sandbox_zone_has_a_core_without_rules(tmp_path):
    from b2safe_sandbox.sandbox import Sandbox

    sb = Sandbox.create(tmp_path / "d", zones=("zoneA",))
    result = sb.exec_rule("zoneA", "EUDATCreatePID", ["None", "/zoneA/x", "", "", ""],
                          "rods#zoneA")
    assert result.code == NO_MICROSERVICE_FOUND_ERR
    assert not (sb.zone("zoneA").config_dir / "b2safe.json").exists()
