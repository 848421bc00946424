"""A two-zone sandbox shared by the fidelity rules, each rule with its own collection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

RULES = Path(__file__).resolve().parent / "rules"
CONTENT = b"hello fidelity\n"


@pytest.fixture(scope="module")
def fidelity_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Zones tempZone and zoneB, resource replResc in tempZone, and for every rule file
    ``/tempZone/home/rods/<rule>/a.txt`` holding CONTENT."""
    from b2safe_sandbox import site

    directory = tmp_path_factory.mktemp("fidelity") / "sb"
    sb = site.create(directory, zones=("tempZone", "zoneB"))
    cat = sb.zone("tempZone").catalog
    cat.add_resource("replResc")
    client = sb.client("rods#tempZone")
    for rule in sorted(RULES.glob("*.r")):
        coll = f"/tempZone/home/rods/{rule.stem}"
        client.imkdir(coll)
        client.iput(f"{coll}/a.txt", CONTENT)
    sb.close()
    return directory
