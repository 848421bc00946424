"""Fixtures for the zone catalog tests: a fresh zone 'tempZone' with a controllable clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from cat_helpers import FakeClock, make_zone


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cat(tmp_path: Path, clock: FakeClock):
    catalog = make_zone(tmp_path / "zone", clock)
    yield catalog
    catalog.close()


@pytest.fixture
def md5cat(tmp_path: Path, clock: FakeClock):
    catalog = make_zone(tmp_path / "md5zone", clock, scheme="MD5")
    yield catalog
    catalog.close()
