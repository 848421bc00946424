"""Fixtures for the standalone runtime pieces: the zone assets imported as top-level modules."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Iterator

import pytest
from b2safe_sandbox.runtime import irods_errors, irods_types

ASSETS = Path(__file__).resolve().parents[3] / "b2safe-sandbox" / "b2safe_sandbox" / "assets"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ASSETS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def builtins_installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``irods_types``/``irods_errors`` as the PREP built-ins, as inside a zone."""
    monkeypatch.setitem(sys.modules, "irods_types", irods_types)
    monkeypatch.setitem(sys.modules, "irods_errors", irods_errors)
    yield


@pytest.fixture
def genquery(builtins_installed: None) -> ModuleType:
    """The genquery asset, loaded from its file as a top-level module."""
    return _load("genquery")


@pytest.fixture
def session_vars(builtins_installed: None) -> ModuleType:
    """The session_vars asset, loaded from its file as a top-level module."""
    return _load("session_vars")
