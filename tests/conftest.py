"""Session set-up for every tier: subprocesses started by tests import this checkout's code."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_paths = [str(ROOT), str(ROOT / "b2safe-sandbox")]
os.environ["PYTHONPATH"] = os.pathsep.join(
    _paths + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])

#: Shared fixtures: ``handle_server`` (a sandbox Handle server with one admin user).
pytest_plugins = ["tests.handle_support"]


def pytest_addoption(parser):
    """``--irods-version 4.3|5.0``: the iRODS version every sandbox zone emulates by default."""
    parser.addoption("--irods-version", default=None, choices=("4.3", "5.0"),
                     help="iRODS version the sandbox zones emulate (default: "
                          "$B2SAFE_SANDBOX_IRODS_VERSION or 4.3)")


def pytest_configure(config):
    version = config.getoption("--irods-version")
    if version:
        # Read by Sandbox.create; subprocesses inherit it.
        os.environ["B2SAFE_SANDBOX_IRODS_VERSION"] = version
