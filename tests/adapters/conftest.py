"""Fixtures for the PID adapter's tests: a sandbox Handle server over HTTP and clients of it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from b2safe_sandbox.handle_server import HandleServer

from b2safe.adapters.handle.credentials import HandleCredentials
from b2safe.adapters.handle.rest import PidService
from tests.handle_support import PASSWORD, PREFIX, USER


def write_credentials(path: Path, server: HandleServer, **overrides) -> Path:
    """A pyhandle credentials file for ``server`` with mode 0600."""
    content = {
        "client": "rest",
        "handle_server_url": server.base_url,
        "username": USER,
        "password": PASSWORD,
        "prefix": PREFIX,
        "handleowner": f"200:0.NA/{PREFIX}",
        "HTTPS_verify": False,
    }
    content.update(overrides)
    content = {k: v for k, v in content.items() if v is not None}
    path.write_text(json.dumps(content), encoding="utf-8")
    os.chmod(path, 0o600)
    return path


@pytest.fixture
def credentials_file(tmp_path: Path, handle_server: HandleServer) -> Path:
    """A credentials file for the running server."""
    return write_credentials(tmp_path / "pid-credentials.json", handle_server)


@pytest.fixture
def pid_service(credentials_file: Path):
    """A PidService on the sandbox server: fast backoff, short timeout."""
    service = PidService(HandleCredentials.load(credentials_file), timeout=5.0, retries=3,
                         backoff=0.0, workers=4)
    yield service
    service.close()
