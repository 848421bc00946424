"""The workflow tier: b2safe's workflows over the in-memory fakes of its ports (tests/fakes.py).

No sandbox, no server: each test builds a zone in memory, runs a workflow and asserts on the
resulting state (AVUs, PID records, queued calls).
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

from b2safe.config import Config, parse_config
from b2safe.ports import Caller
from b2safe.state import keys
from b2safe.workflows.pids import PidWorkflow
from tests.fakes import FakePidService, InMemoryCatalog

ALICE = Caller("alice", "zoneA", 3, "rodsuser")
ADMIN = Caller("rods", "zoneA", 5, "rodsadmin")


def make_config(**sections: Any) -> Config:
    """A zoneA configuration with PIDs on, plus ``sections``."""
    data: dict[str, Any] = {"version": 1,
                            "zone": {"name": "zoneA", "server_id": "irods://a.example:1247"},
                            "pid": {"enabled": True}}
    data.update(sections)
    return parse_config(data)


@pytest.fixture
def catalog() -> InMemoryCatalog:
    return InMemoryCatalog("zoneA", "alice")


@pytest.fixture
def pids() -> FakePidService:
    return FakePidService()


@pytest.fixture(scope="session")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A record-signing key file (mode 0600, as ``b2safe install`` makes it)."""
    path = str(tmp_path_factory.mktemp("keys") / "signing.key")
    keys.create(path)
    return path


@pytest.fixture
def workflow_for(catalog: InMemoryCatalog, pids: FakePidService, signing_key: str
                 ) -> Callable[..., PidWorkflow]:
    """``workflow_for(**config sections)``: a PidWorkflow over the fakes, signing pending work
    with ``signing_key``."""

    def build(**sections: Any) -> PidWorkflow:
        sections.setdefault("signing", {"key_file": signing_key})
        return PidWorkflow(catalog, pids, make_config(**sections))

    return build
