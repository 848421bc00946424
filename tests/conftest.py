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
