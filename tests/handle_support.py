"""A sandbox Handle server with one admin user, for the emulator's Handle server tests and the
PID adapter's tests (a plugin of tests/conftest.py: the ``handle_server`` fixture)."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import quote

import pytest
from b2safe_sandbox.handle_server import HandleServer

PREFIX = "21.T12345"
USER = f"300:{PREFIX}/USER01"
PASSWORD = "s3cr3t-Pa55word!"  # distinctive, so tests can look for it in logs


@pytest.fixture
def handle_server(tmp_path: Path):
    """A running sandbox Handle server (HTTP, loopback) with one admin user."""
    server = HandleServer(tmp_path / "handle", prefix=PREFIX, users={USER: PASSWORD})
    server.start()
    yield server
    server.stop()


def auth(user: str = USER, password: str = PASSWORD) -> dict:
    """HTTP Basic authorization headers as the Handle server expects them."""
    token = base64.b64encode(f"{quote(user)}:{password}".encode()).decode()
    return {"Authorization": "Basic " + token}


@pytest.fixture(params=["stdlib", "curl"])
def http_engine(request, monkeypatch) -> str:
    """Each engine of b2safe's Handle transport in turn (``transport.ENGINE``): http.client,
    and pycurl (the ``fast-http`` extra; CI installs it through the ``test`` extra, so there a
    missing pycurl fails instead of skipping)."""
    import os

    from b2safe.adapters.handle import transport

    if request.param == "curl":
        try:
            import pycurl  # noqa: F401
        except ImportError:
            if os.environ.get("CI"):
                pytest.fail("pycurl is not installed (the test extra installs it)")
            pytest.skip("pycurl is not installed (pip install 'b2safe[fast-http]')")
    monkeypatch.setattr(transport, "ENGINE", request.param)
    return request.param
