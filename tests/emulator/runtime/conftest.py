"""Fixtures for the PREP runtime tests: small sandboxes with test core.py texts."""

from __future__ import annotations

import textwrap
from typing import Callable

import pytest
from b2safe_sandbox.sandbox import Sandbox


@pytest.fixture
def make_sb(tmp_path) -> Callable[..., Sandbox]:
    """Factory: make_sb(core_py='', zones=('zoneA',), **kw) -> Sandbox in a fresh directory."""
    counter = {"n": 0}

    def make(core_py: str = "", zones=("zoneA",), **kw) -> Sandbox:
        counter["n"] += 1
        directory = tmp_path / f"sb{counter['n']}"
        return Sandbox.create(directory, zones=zones, core_py=textwrap.dedent(core_py), **kw)

    return make


@pytest.fixture
def sb(make_sb) -> Sandbox:
    """One zone 'zoneA' with an empty core.py."""
    return make_sb("")


@pytest.fixture
def fed(make_sb) -> Sandbox:
    """Two federated zones zoneA and zoneB with empty core.py."""
    return make_sb("", zones=("zoneA", "zoneB"))
