"""Fixture for replication tests: replica areas in zoneB and zoneC."""

from __future__ import annotations

import pytest


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
