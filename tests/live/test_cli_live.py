"""The ``b2safe`` command against a live iRODS server with b2safe installed.

Runs only when ``B2SAFE_LIVE_IRODS_ENV`` names an irods_environment.json (the password from its
.irodsA or ``IRODS_PASSWORD``); ``B2SAFE_LIVE_COLLECTION`` (default: the user's home) is where a
test object is written and removed.
"""

from __future__ import annotations

import os
import uuid

import pytest

ENV = os.environ.get("B2SAFE_LIVE_IRODS_ENV")
if not ENV or not os.path.isfile(ENV):
    pytest.skip("live CLI tests skipped: set B2SAFE_LIVE_IRODS_ENV to an irods_environment.json "
                "of a server with b2safe installed (and python-irodsclient available)",
                allow_module_level=True)

pytest.importorskip("irods", reason="python-irodsclient (the client extra) is not installed")

from b2safe import __version__  # noqa: E402
from b2safe.cli import main  # noqa: E402
from b2safe.cli.live import LiveBackend  # noqa: E402

pytestmark = pytest.mark.live


def run(capsys, *argv):
    capsys.readouterr()
    code = main([*argv, "--irods-env", ENV])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def backend():
    live = LiveBackend.from_environment(env_file=ENV)
    yield live
    live.close()


@pytest.fixture
def data_object(backend):
    home = os.environ.get("B2SAFE_LIVE_COLLECTION") or \
        f"/{backend.session.zone}/home/{backend.session.username}"
    path = f"{home}/b2safe-cli-live-{uuid.uuid4().hex}.txt"
    obj = backend.session.data_objects.create(path)
    with obj.open("w") as handle:
        handle.write(b"b2safe live test\n")
    yield path
    backend.session.data_objects.unlink(path, force=True)


def test_version_rule_through_the_native_engine(capsys):
    code, out, _ = run(capsys, "rule", "getB2SAFEVersion")
    assert code == 0
    assert out.startswith("version = ")
    assert out.strip() != "version = " and __version__


def test_json_output_and_failure_code(capsys):
    code, _, err = run(capsys, "rule", "EUDATgetLastAVU", "/nonexistent/zone/x", "k")
    assert code == 1
    assert "ERROR: EUDATgetLastAVU failed" in err


def test_pid_create_and_show(capsys, data_object):
    code, out, err = run(capsys, "pid", "create", data_object)
    assert code == 0, err
    pid = out.strip()
    assert "/" in pid
    code, out, err = run(capsys, "pid", "show", pid, "--json")
    assert code == 0, err
    assert out and data_object.split("/")[-1] in out
    run(capsys, "rule", "EUDATePIDremove", data_object, "true")


def test_doctor_against_the_live_server(capsys):
    code, out, _ = run(capsys, "doctor", "--live", "--nagios")
    assert out.startswith("B2SAFE ")
    assert code in (0, 1, 2, 3)


DESTINATION = os.environ.get("B2SAFE_LIVE_DESTINATION")


@pytest.mark.skipif(not DESTINATION, reason="set B2SAFE_LIVE_DESTINATION to a collection in a "
                    "federated zone (with b2safe installed there) to test replication")
def test_registered_replication_and_chain(capsys, data_object):
    target = f"{DESTINATION}/{data_object.rsplit('/', 1)[1]}"
    code, out, err = run(capsys, "replicate", data_object, target, "--registered")
    assert code == 0, err
    assert f"{data_object}::{target}::" in out
    code, out, err = run(capsys, "pid", "show", data_object, "--json")
    assert code == 0, err
    code, out, err = run(capsys, "rule", "EUDATSearchPID", data_object)
    pid = out.split("=", 1)[1].strip()
    code, out, err = run(capsys, "chain", pid)
    assert code == 0, out + err
    assert out.count("[ok]") == 2
