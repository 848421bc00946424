"""The sandbox's fidelity rules against a live iRODS server: the day one is available, one command
checks the emulator against it::

    B2SAFE_LIVE_FIDELITY_COLLECTION=/tempZone/home/rods/fidelity \
        python3 -m pytest -rs tests/live/test_fidelity_live.py

Each ``tests/emulator/fidelity/rules/<name>.r`` runs with the real ``irule -r
irods_rule_engine_plugin-python-instance -F`` (icommands on PATH, an iRODS environment of a
rodsadmin, PREP configured) with ``*coll`` set to ``$B2SAFE_LIVE_FIDELITY_COLLECTION/<name>``,
which the test fills with ``a.txt`` as the sandbox fixture does; its ruleExecOut must match
``<name>.expected`` exactly as in the sandbox run. ``msiDataObjRepl``, ``msiDataObjTrim`` and
``msiDataObjPhymv`` need a second resource named ``replResc``; ``msiDataObjPut`` writes a file
``/tmp/b2safe-fidelity_...`` on the machine running irule; ``msiSetQuota`` sets a total quota of 0
for the rodsadmin ``rods``; ``msi_genquery2`` needs iRODS 4.3.2 or later. Without the variable
or without ``irule`` the module is skipped
with the reason printed (``-rs``), never counted as passed.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

FIDELITY = Path(__file__).resolve().parents[1] / "emulator" / "fidelity"
BASE = os.environ.get("B2SAFE_LIVE_FIDELITY_COLLECTION", "")
if not BASE:
    pytest.skip("live fidelity rules skipped: set B2SAFE_LIVE_FIDELITY_COLLECTION to a collection "
                "a rodsadmin may write (icommands configured for that rodsadmin)",
                allow_module_level=True)
if shutil.which("irule") is None:
    pytest.skip("live fidelity rules skipped: irule (icommands) is not on PATH",
                allow_module_level=True)



def _load(name: str, filename: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, FIDELITY / filename)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CONTENT = _load("fidelity_fixture", "conftest.py").CONTENT
_rules = _load("fidelity_rules", "test_fidelity_rules.py")
ALL, RULES, assert_matches = _rules.ALL, _rules.RULES, _rules.assert_matches

pytestmark = pytest.mark.live
PREP = "irods_rule_engine_plugin-python-instance"


def run(*argv: str, data: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), input=data or None, capture_output=True, timeout=300,
                          check=False)


@pytest.fixture
def collection(tmp_path: Path, request: pytest.FixtureRequest):
    name = request.node.callspec.params["name"]
    coll = f"{BASE.rstrip('/')}/{name}"
    run("irm", "-rf", coll)
    assert run("imkdir", "-p", coll).returncode == 0
    source = tmp_path / "a.txt"
    source.write_bytes(CONTENT)
    assert run("iput", str(source), f"{coll}/a.txt").returncode == 0
    yield coll
    run("irm", "-rf", coll)


@pytest.mark.parametrize("name", ALL)
def test_rule_on_a_live_server(name: str, collection: str) -> None:
    proc = run("irule", "-r", PREP, "-F", str(RULES / f"{name}.r"), f'*coll="{collection}"')
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    expected = (RULES / f"{name}.expected").read_text()
    assert_matches(out.replace(collection, f"/tempZone/home/rods/{name}"), expected)
