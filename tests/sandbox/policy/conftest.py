"""Fixtures for the policy tests: a federation with replica areas."""

from __future__ import annotations

import pytest
from policy_support import ARCHIVE, REPLICAS_B


@pytest.fixture
def fed(world):
    """Replica areas in zoneA and zoneB writable by the replicating users, inheriting ACLs;
    alice's archive collection in zoneA."""
    b = world.client("rods#zoneB")
    b.imkdir(REPLICAS_B, parents=True)
    for user in ("rods#zoneA", "alice#zoneA"):
        b.ichmod("own", user, REPLICAS_B)
    b.inherit(REPLICAS_B, True)
    a = world.client("rods#zoneA")
    a.imkdir("/zoneA/replicas", parents=True)
    for user in ("rods#zoneB", "alice#zoneB"):
        a.ichmod("own", user, "/zoneA/replicas")
    a.inherit("/zoneA/replicas", True)
    world.client("alice#zoneA").imkdir(ARCHIVE, parents=True)
    return world

