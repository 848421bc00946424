"""LazyPidService: builds the PID service on first use, once; a disabled service is a clear
ConfigError only for the calls that need it."""

from __future__ import annotations

import pytest

from b2safe.adapters.handle.lazy import LazyPidService
from b2safe.errors import ConfigError
from tests.fakes import FakePidService


def test_built_once_on_first_use():
    built = []

    def factory():
        built.append(FakePidService())
        return built[-1]

    lazy = LazyPidService(factory)
    assert built == []
    assert lazy.prefix == "21.T12995"
    assert lazy.mint("k") == built[0].mint("k")
    assert len(built) == 1


def test_disabled_service_fails_only_when_used():
    lazy = LazyPidService(lambda: None)
    with pytest.raises(ConfigError, match="/pid/enabled"):
        lazy.get("21.T12995/X")
