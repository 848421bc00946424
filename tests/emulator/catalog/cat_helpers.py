"""Shared helpers for the zone catalog tests (imported by conftest and the test modules)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from b2safe_sandbox.catalog import ZoneCatalog
from b2safe_sandbox.errors import IrodsCallError

ZONE = "tempZone"
RODS = f"rods#{ZONE}"
ALICE = f"alice#{ZONE}"
BOB = f"bob#{ZONE}"
CAROL = "carol#otherZone"
HOME = f"/{ZONE}/home"
AHOME = f"{HOME}/alice"
BHOME = f"{HOME}/bob"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: int = 1_700_000_000) -> None:
        self.value = start

    def __call__(self) -> int:
        return self.value

    def advance(self, seconds: int) -> None:
        self.value += seconds


def make_zone(directory: Path, clock: FakeClock, scheme: str = "SHA256") -> ZoneCatalog:
    """A zone with rods (rodsadmin), alice and bob (rodsusers) and remote carol#otherZone."""
    cat = ZoneCatalog.create(directory, ZONE, "tempzone.sandbox", 1247, hash_scheme=scheme,
                             clock=clock)
    cat.add_user("rods", ZONE, "rodsadmin")
    cat.add_user("alice", ZONE, "rodsuser")
    cat.add_user("bob", ZONE, "rodsuser")
    cat.add_zone("otherZone", "remote", "otherzone.sandbox:1247")
    cat.add_user("carol", "otherZone", "rodsuser")
    return cat


@contextmanager
def raises_code(code: int) -> Iterator[None]:
    """Expect IrodsCallError carrying exactly ``code``."""
    with pytest.raises(IrodsCallError) as info:
        yield
    assert info.value.code == code, f"expected {code}, got {info.value.code}: {info.value}"
