"""The sandbox's fidelity rules against a live iRODS server: the day one is available, one command
checks the emulator against it::

    B2SAFE_LIVE_IRODS_ENV=~/.irods/irods_environment.json \\
    B2SAFE_LIVE_FIDELITY_COLLECTION=/tempZone/home/rods/fidelity \\
        python3 -m pytest -rs tests/live/test_fidelity_live.py

Each ``tests/emulator/fidelity/rules/<name>.r`` runs on the Python rule engine of the server the
environment file names (a rodsadmin's, its password from .irodsA or ``IRODS_PASSWORD``) in
``$B2SAFE_LIVE_FIDELITY_COLLECTION/<name>``, set up as the sandbox fixture sets it up; its
ruleExecOut must match ``<name>.expected``, the output the sandbox gave (how: tests/live/
fidelity_runner.py, whose comparison is checked offline against tests/ops/fake_irods.py by
tests/ops/test_live_fidelity_runner.py). The server needs a second resource named ``replResc``
(msiDataObjRepl, Trim, Phymv, genquery2_language); ``msiDataObjPut`` needs the irule icommand and
writes ``/tmp/b2safe-fidelity_...`` on this machine; ``msiSetQuota`` sets a total quota of 0 for
``rods``; ``msi_genquery2`` and the GenQuery2 cases need iRODS 4.3.2 or later; ``py_remote``
sends rule text to the host ``zoneb.sandbox`` (the sandbox's second zone): name a second
server so (an /etc/hosts entry) or expect that case to fail. Without the two variables the
module is skipped with the reason printed (``-rs``), never counted as passed.
"""

from __future__ import annotations

import os

import pytest

ENV = os.environ.get("B2SAFE_LIVE_IRODS_ENV", "")
BASE = os.environ.get("B2SAFE_LIVE_FIDELITY_COLLECTION", "")
if not (ENV and os.path.isfile(ENV) and BASE):
    pytest.skip("live fidelity rules SKIPPED, no server named: set B2SAFE_LIVE_IRODS_ENV to a "
                "rodsadmin's irods_environment.json and B2SAFE_LIVE_FIDELITY_COLLECTION to a "
                "collection it may write (docs/sandbox.md, 'Checking the sandbox against a "
                "server')", allow_module_level=True)
pytest.importorskip("irods", reason="python-irodsclient (the client extra) is not installed")

from fidelity_runner import ALL, check_case  # noqa: E402

from b2safe.cli.live import LiveBackend  # noqa: E402

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def session():
    backend = LiveBackend.from_environment(env_file=ENV, instance="python")
    yield backend.session
    backend.session.cleanup()


@pytest.mark.parametrize("name", ALL)
def test_rule_on_a_live_server(name: str, session) -> None:
    check_case(session, name, BASE)
