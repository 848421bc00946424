"""Fixtures for running the real core.py in the sandbox: three federated zones, each with its own
Handle prefix and server, called the way irule and PREP call rules.

The helpers are the b2safe-sandbox pytest plugin's (:mod:`b2safe_sandbox.pytest_plugin`), the
fixture site developers use; ``world`` is its ``b2safe_world`` under the name these tests use.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from b2safe_sandbox import site
from b2safe_sandbox.pytest_plugin import ZONES, RuleError, World  # noqa: F401  (re-exported)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(tmp_path):
    w = World(site.create(tmp_path / "sandbox", zones=ZONES))
    yield w
    w.close()


@pytest.fixture
def fed(world):
    """Replica areas in zoneB and zoneC, writable by the replicating users, inheriting ACLs."""
    b = world.client("rods#zoneB")
    b.imkdir("/zoneB/replicas", parents=True)
    for user in ("rods#zoneA", "alice#zoneA"):
        b.ichmod("own", user, "/zoneB/replicas")
    b.inherit("/zoneB/replicas", True)
    c = world.client("rods#zoneC")
    c.imkdir("/zoneC/replicas", parents=True)
    c.ichmod("own", "rods#zoneB", "/zoneC/replicas")
    c.inherit("/zoneC/replicas", True)
    return world
