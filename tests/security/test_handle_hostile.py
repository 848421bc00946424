"""Strings b2safe sends to the Handle server are handles, nothing else; what comes back is
checked: it must name the handle asked for, arrive within the deadline and fit the size cap.
A hostile (or broken) Handle server on loopback plays each trick, to each engine of the record
transport (http.client; pycurl, the ``fast-http`` extra).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import pytest

from b2safe import errors
from b2safe.adapters.handle import rest
from b2safe.adapters.handle.credentials import HandleCredentials
from b2safe.adapters.handle.rest import PidService
from b2safe.domain.paths import validate_pid

PREFIX = "21.T12345"
USER = f"300:{PREFIX}/USER01"


def _value(index, kind, data):
    return {"index": index, "type": kind, "data": {"format": "string", "value": data},
            "ttl": 86400, "timestamp": "2024-01-01T00:00:00Z"}


class Hostile(BaseHTTPRequestHandler):
    mode = "honest"
    requests: list = []

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status, body: bytes, length=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(length if length is not None else len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        Hostile.requests.append(self.path)
        handle = unquote(urlsplit(self.path).path).split("/api/handles/", 1)[-1]
        if handle.endswith("USER01") or Hostile.mode == "honest":
            body = {"responseCode": 1, "handle": handle,
                    "values": [_value(1, "URL", "irods://h:1247/z/x")]}
            self._send(200, json.dumps(body).encode())
        elif Hostile.mode == "other-handle":
            body = {"responseCode": 1, "handle": f"{PREFIX}/SOMEONE-ELSE",
                    "values": [_value(1, "URL", "irods://h:1247/z/y")]}
            self._send(200, json.dumps(body).encode())
        elif Hostile.mode == "huge":
            filler = "x" * (rest.MAX_RESPONSE_BYTES + 1024)
            body = {"responseCode": 1, "handle": handle, "values": [_value(1, "URL", filler)]}
            self._send(200, json.dumps(body).encode())
        elif Hostile.mode == "drip":
            self._send(200, b"", length=10_000)
            try:
                for _ in range(100):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass


@pytest.fixture
def hostile(tmp_path, http_engine):
    Hostile.mode, Hostile.requests = "honest", []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    credentials = tmp_path / "creds.json"
    credentials.write_text(json.dumps({
        "client": "rest", "handle_server_url": f"http://127.0.0.1:{server.server_port}",
        "username": USER, "password": "pw", "prefix": PREFIX, "HTTPS_verify": False}))
    credentials.chmod(0o600)
    service = PidService(HandleCredentials.load(credentials), timeout=1.0, retries=0,
                         backoff=0.0, workers=1)
    yield service
    service.close()
    server.shutdown()


def test_an_answer_for_another_handle_is_refused(hostile):
    Hostile.mode = "other-handle"
    with pytest.raises(errors.PidError, match="answered for"):
        hostile.get_values(f"{PREFIX}/ASKED")


def test_an_oversized_answer_is_refused(hostile):
    Hostile.mode = "huge"
    with pytest.raises(errors.PidError, match="exceeds"):
        hostile.get_values(f"{PREFIX}/BIG")


def test_a_dripping_answer_hits_the_overall_deadline(hostile):
    Hostile.mode = "drip"
    started = time.monotonic()
    with pytest.raises(errors.PidError):
        hostile.get_values(f"{PREFIX}/SLOW")
    assert time.monotonic() - started < 5  # the per-read timeout alone would allow ~10 s


@pytest.mark.parametrize("pid", [
    f"{PREFIX}/A#B", f"{PREFIX}/A?index=1", f"{PREFIX}/A&x=1", f"{PREFIX}/A%2F..",
    f"{PREFIX}/../21.T99999/X", f"{PREFIX}/A B", f"{PREFIX}/A\nB", f"{PREFIX}/\u00e9",
    "21.T12345", "/X", f"{PREFIX}/", "21 .T1/X"])
def test_malformed_pids_never_reach_the_server(hostile, pid):
    with pytest.raises(errors.InvalidPid):
        validate_pid(pid)
    before = len(Hostile.requests)
    for call in (hostile.get_values, lambda p: hostile.update(p, {"URL": "irods://h/x"}),
                 hostile.delete):
        with pytest.raises(errors.InvalidPid):
            call(pid)
    assert len(Hostile.requests) == before


def test_the_transport_refuses_a_url_that_is_not_a_plain_handle_path(hostile):
    """Defence in depth below the syntax check: a fragment or dot segment never leaves."""
    import requests

    adapter = rest._TimeoutAdapter(1.0, rest.PidStats(), 1)
    for url in ("http://127.0.0.1:1/api/handles/21.T1/A#x",
                "http://127.0.0.1:1/api/handles/21.T1/../21.T2/X"):
        request = requests.Request("GET", url).prepare()
        request.url = url  # as pyhandle builds it, unnormalised
        with pytest.raises(errors.InvalidPid):
            adapter.send(request)


def test_the_record_transport_refuses_a_url_that_is_not_a_plain_handle_path(http_engine):
    """The same defence on the record reads and writes (b2safe's http.client transport):
    nothing is sent (port 1 would refuse the connection)."""
    from b2safe.adapters.handle.transport import HandleHttp

    sent: list[str] = []
    http = HandleHttp("http://127.0.0.1:1", timeout=1.0, deadline=1.0, count=sent.append)
    for url in ("http://127.0.0.1:1/api/handles/21.T1/A#x",
                "http://127.0.0.1:1/api/handles/21.T1/../21.T2/X",
                "http://127.0.0.1:1/api/handles/21.T1/./X"):
        with pytest.raises(errors.InvalidPid):
            http.send("GET", url, {})
    assert sent == []
    http.close()


def test_honest_answers_still_work(hostile):
    assert hostile.get_values(f"{PREFIX}/FINE")[0]["type"] == "URL"


def test_a_server_that_never_answers_hits_the_overall_deadline(http_engine, world):
    """The sandbox Handle server takes the request and never sends a status line. Each read
    may wait a minute here; only the request's overall deadline (half a second) ends it."""
    from b2safe_sandbox.handle_sites import CREDENTIALS_NAME

    server = world.sb.handle_server("zoneA")
    credentials = HandleCredentials.load(world.sb.zone("zoneA").config_dir / CREDENTIALS_NAME)
    service = PidService(credentials, timeout=60.0, deadline=0.5, retries=0, backoff=0.0,
                         workers=1)
    user_handle = credentials.username.split(":", 1)[1]
    try:
        assert service.get_values(user_handle)  # connected, answered in time
        server.faults.stall_next(1, methods=["GET"])
        started = time.monotonic()
        with pytest.raises(errors.PidError, match=r"within 0\.5s|timed out"):
            service.get_values(user_handle)
        assert time.monotonic() - started < 30
        assert server.faults.pending() == 0  # the stalled request did reach the server
    finally:
        server.faults.clear()
        service.close()
