"""A Handle server that is down is named, with the cause, in the error and in doctor."""

from __future__ import annotations

import socket

import pytest

from b2safe.adapters.handle.credentials import HandleCredentials
from b2safe.adapters.handle.rest import PidService
from b2safe.errors import PidServiceUnavailable
from b2safe.ops.doctor import CRITICAL, check_pid_service


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once the socket is closed


@pytest.fixture
def down():
    url = f"http://127.0.0.1:{closed_port()}"
    return url, HandleCredentials.from_dict({"handle_server_url": url, "prefix": "21.T1",
                                             "username": "300:21.T1/U", "password": "x"})


def test_connection_refused_names_url_and_cause(down):
    url, creds = down
    service = PidService(creds, retries=0, timeout=2)
    with pytest.raises(PidServiceUnavailable) as info:
        service.get("21.T1/ABC")
    service.close()
    message = str(info.value)
    assert url in message and "Connection refused" in message
    assert "HTTPConnectionPool" not in message  # the cause, not the pool's repr


def test_doctor_names_the_url_and_what_to_check(down):
    url, creds = down
    [check] = check_pid_service(creds, timeout=2)
    assert check.state == CRITICAL
    assert url in check.detail and "Connection refused" in check.detail
    assert "handle_server_url" in check.detail
