"""The attack suite's world: three federated zones (sandbox), and the people who attack b2safe.

``alice#zoneA`` is an ordinary user (and the malicious owner of her own objects), ``bob#zoneA``
another ordinary user (a victim), ``carol#zoneB`` a user of another zone and ``rods#zoneB`` a
federated zone's rodsadmin; ``rods#zoneA`` is the zone's own administrator.
"""

from __future__ import annotations

import pytest
from attack_helpers import REPLICAS_B
from b2safe_sandbox import site
from b2safe_sandbox.pytest_plugin import ZONES, World


@pytest.fixture
def world(tmp_path):
    w = World(site.create(tmp_path / "sandbox", zones=ZONES))
    for zone in ("zoneA", "zoneB"):
        w.sb.zone(zone).catalog.add_user("bob", "zoneA", "rodsuser")
    w.sb.zone("zoneB").catalog.add_user("carol", "zoneB", "rodsuser")
    w.sb.zone("zoneA").catalog.add_user("carol", "zoneB", "rodsuser")
    yield w
    w.close()


@pytest.fixture
def fed(world):
    """A replica area in zoneB that alice and the zone's rodsadmin may write; bob's home."""
    b = world.client("rods#zoneB")
    b.imkdir(REPLICAS_B, parents=True)
    for user in ("rods#zoneA", "alice#zoneA"):
        b.ichmod("own", user, REPLICAS_B)
    b.inherit(REPLICAS_B, True)
    a = world.client("rods#zoneA")
    a.imkdir("/zoneA/home/bob", parents=True)
    a.ichmod("own", "bob#zoneA", "/zoneA/home/bob", admin=True)  # ichmod -M
    return world
