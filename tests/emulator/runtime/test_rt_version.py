"""The iRODS version a sandbox emulates: per sandbox, defaulting to the environment."""

from __future__ import annotations

import pytest
from b2safe_sandbox.sandbox import VERSION_ENV, Sandbox


def test_the_default_version_comes_from_the_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(VERSION_ENV, "5.0")
    sb = Sandbox.create(tmp_path / "five")
    try:
        assert sb.irods_version == (5, 0)
    finally:
        sb.close()
    monkeypatch.delenv(VERSION_ENV)
    sb = Sandbox.create(tmp_path / "four", irods_version=None)
    try:
        assert sb.irods_version == (4, 3)
    finally:
        sb.close()


def test_only_emulated_versions_are_accepted(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"4\.3, 5\.0"):
        Sandbox.create(tmp_path / "old", irods_version="4.2")
