"""The record transport, each engine (http.client; pycurl when installed): TLS verified by
default (the CA and the host name), kept-alive connections that the server closed while idle
replaced, a body cut short refused, no redirect followed, the environment's proxy read once,
header line breaks refused, the engine chosen by what is installed."""

from __future__ import annotations

import os
import socket
import struct
import threading
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from b2safe_sandbox.handle_server import HandleServer

from b2safe.adapters.handle.credentials import HandleCredentials
from b2safe.adapters.handle.rest import PidService
from b2safe.adapters.handle.transport import HandleHttp
from b2safe.domain import profile
from b2safe.domain.profile import PidRecord
from tests.adapters.conftest import write_credentials
from tests.handle_support import PASSWORD, PREFIX, USER


@pytest.fixture
def tls_server(tmp_path):
    server = HandleServer(tmp_path / "tls", prefix=PREFIX, users={USER: PASSWORD}, tls=True,
                          strict_https=True)
    server.start()
    yield server
    server.stop()


def _record(path: str) -> PidRecord:
    return PidRecord(url=profile.object_url(path, server_id="irods://h:1247"))


def test_tls_is_verified_by_default_and_the_configured_ca_is_used(tmp_path, tls_server,
                                                                   http_engine):
    """The sandbox's self-signed certificate: refused with the default CAs, accepted with
    HTTPS_verify naming it (the record transport, and the service over it)."""
    import ssl

    url = f"{tls_server.base_url}/api/handles/{PREFIX}/USER01"
    trusting = HandleHttp(tls_server.base_url, timeout=5.0, deadline=5.0,
                          verify=str(tls_server.cert_file), proxy="")
    default = HandleHttp(tls_server.base_url, timeout=5.0, deadline=5.0, proxy="")
    try:
        assert trusting.send("GET", url, {})[0] == 200
        with pytest.raises(ssl.SSLError):
            default.send("GET", url, {})
    finally:
        trusting.close()
        default.close()
    credentials = write_credentials(tmp_path / "ca.json", tls_server,
                                    HTTPS_verify=str(tls_server.cert_file))
    with PidService(HandleCredentials.load(credentials), retries=0, workers=1) as service:
        pid = service.create(_record("/zone/tls"), "zone:tls")
        assert service.get(pid).url.endswith("/zone/tls")


class _ResetsHandshakes:
    """A TCP front for a TLS server: the next ``resets`` connections are reset (RST) once
    their TLS ClientHello has arrived, the others are forwarded to the server."""

    def __init__(self, backend: str) -> None:
        self._backend = urlsplit(backend)
        self.resets = 0
        self._forwarded: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"https://127.0.0.1:{self._listener.getsockname()[1]}"
        self._threads = [threading.Thread(target=self._serve, daemon=True)]
        self._threads[0].start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            if self.resets > 0:
                self.resets -= 1
                client.recv(65536)  # the ClientHello: the client is in the handshake
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                client.close()  # with a zero linger: a reset, not an orderly close
                continue
            server = socket.create_connection((self._backend.hostname, self._backend.port))
            self._forwarded += (client, server)
            for source, sink in ((client, server), (server, client)):
                self._threads.append(threading.Thread(target=_pipe, args=(source, sink),
                                                      daemon=True))
                self._threads[-1].start()

    def _end_forwarded(self) -> None:
        for connection in self._forwarded:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed

    def reset_next(self, count: int) -> None:
        """Reset the next ``count`` connections; end the forwarded ones (so that the client's
        next request needs a new connection, and a handshake)."""
        self.resets = count
        self._end_forwarded()

    def close(self) -> None:
        """Stop accepting, end the forwarded connections, wait for the threads."""
        self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept (close alone does not)
        self._listener.close()
        self._end_forwarded()
        for thread in self._threads:
            thread.join(10.0)
        for connection in self._forwarded:
            connection.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    """Copy ``source`` to ``sink`` until either ends, then end both (which wakes the thread
    copying the other way)."""
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    for end in (source, sink):
        try:
            end.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already ended


def test_a_reset_during_the_tls_handshake_is_a_connection_failure(tls_server, http_engine):
    """A connection reset while TLS is set up is a connection failure (an OSError that is not
    an ssl.SSLError, which b2safe's retry policy retries) on both engines; the next request
    gets through. A certificate that fails verification stays a TLS failure (the tests
    above)."""
    import ssl

    front = _ResetsHandshakes(tls_server.base_url)
    url = f"{front.base_url}/api/handles/{PREFIX}/USER01"
    try:
        with closing(HandleHttp(front.base_url, timeout=5.0, deadline=5.0,
                                verify=str(tls_server.cert_file), proxy="")) as http:
            front.reset_next(1)
            with pytest.raises(OSError) as failure:
                http.send("GET", url, {})
            assert not isinstance(failure.value, ssl.SSLError), failure.value
            assert http.send("GET", url, {})[0] == 200
    finally:
        front.close()


def test_the_service_retries_a_reset_during_the_tls_handshake(tmp_path, tls_server,
                                                             http_engine):
    """The record transport's connection is reset during the handshake of its next request:
    the service retries (a TLS failure would not be retried)."""
    front = _ResetsHandshakes(tls_server.base_url)
    credentials = write_credentials(tmp_path / "ca.json", tls_server,
                                    handle_server_url=front.base_url,
                                    HTTPS_verify=str(tls_server.cert_file))
    try:
        with PidService(HandleCredentials.load(credentials), retries=1, backoff=0,
                        workers=1) as service:
            pid = service.create(_record("/zone/reset"), "zone:reset")
            front.reset_next(1)
            assert service.get(pid).url.endswith("/zone/reset")
            assert service.stats["retries"] == 1
    finally:
        front.close()


class _Quiet(BaseHTTPRequestHandler):
    """An HTTP/1.1 (keep-alive) test server's handler that logs nothing."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _ClosesWhenIdle(BaseHTTPRequestHandler):
    """HTTP/1.1 answers that announce keep-alive, after which the server closes the
    connection (as a server does when its keep-alive timeout ends)."""

    protocol_version = "HTTP/1.1"
    connections: set = set()
    truncate = False
    closed = threading.Event()

    def log_message(self, *args):
        pass

    def do_GET(self):
        _ClosesWhenIdle.connections.add(self.client_address)
        body = b'{"responseCode": 1, "values": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) + (50 if self.truncate else 0)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_WR)  # the FIN is on its way before the event
        self.close_connection = True
        _ClosesWhenIdle.closed.set()


@pytest.fixture
def closing_server():
    _ClosesWhenIdle.connections, _ClosesWhenIdle.truncate = set(), False
    _ClosesWhenIdle.closed.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ClosesWhenIdle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_connection_the_server_closed_while_idle_is_replaced_before_sending(closing_server,
                                                                              http_engine):
    with closing(HandleHttp(closing_server, timeout=2.0, deadline=4.0, proxy="")) as http:
        for _ in range(3):
            status, _data = http.send("GET", f"{closing_server}/api/handles/{PREFIX}/X", {})
            assert status == 200
            assert _ClosesWhenIdle.closed.wait(5)  # the server has closed its end
            _ClosesWhenIdle.closed.clear()
    assert len(_ClosesWhenIdle.connections) == 3  # each request on a connection of its own


def test_a_body_cut_short_is_a_transport_failure(closing_server, http_engine):
    import http.client

    _ClosesWhenIdle.truncate = True
    http_ = HandleHttp(closing_server, timeout=2.0, deadline=4.0, proxy="")
    try:
        with pytest.raises(http.client.IncompleteRead):
            http_.send("GET", f"{closing_server}/api/handles/{PREFIX}/X", {})
    finally:
        http_.close()


class _Proxy(BaseHTTPRequestHandler):
    """An http proxy that answers itself, recording the request line and headers."""

    seen: list = []

    def log_message(self, *args):
        pass

    def do_PUT(self):
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        _Proxy.seen.append((self.requestline, self.headers.get("Proxy-Authorization")))
        body = b'{"responseCode": 1}'
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_the_environments_http_proxy_is_used_with_its_credentials(monkeypatch, http_engine):
    """An http:// Handle server behind the proxy the environment names: absolute URLs to the
    proxy, its user and password as Proxy-Authorization (never to the Handle server)."""
    _Proxy.seen = []
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    proxy.daemon_threads = True
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", f"http://pu:p%40ss@127.0.0.1:{proxy.server_port}")
    base = "http://handle.invalid:8000"
    http = HandleHttp(base, timeout=2.0, deadline=4.0)
    try:
        status, _ = http.send("PUT", f"{base}/api/handles/{PREFIX}/X?overwrite=false",
                              {"Content-Type": "application/json"}, b"{}")
    finally:
        http.close()
        proxy.shutdown()
    assert status == 201
    import base64

    assert _Proxy.seen == [(f"PUT {base}/api/handles/{PREFIX}/X?overwrite=false HTTP/1.1",
                            "Basic " + base64.b64encode(b"pu:p@ss").decode())]


def test_a_proxy_the_transport_cannot_use_is_refused_clearly(http_engine):
    from b2safe.errors import PidError

    with pytest.raises(PidError, match="only http:// proxies"):
        HandleHttp("https://handle.example:8000", timeout=1.0, deadline=1.0,
                   proxy="socks5://127.0.0.1:1080")


def test_the_deadline_watchdog_keeps_only_the_requests_in_flight():
    # Requests that ended cancel their deadline; the watchdog's heap must not keep an entry per
    # request made within the deadline's span (a 20,000-PID run kept 20,000), and a deadline
    # still pending fires after the heap was rebuilt.
    from b2safe.adapters.handle.deadlines import _Watchdog

    watchdog = _Watchdog()
    late = [watchdog.watch(3600.0, lambda: None) for _ in range(10)]
    for _ in range(5000):
        watchdog.cancel(watchdog.watch(3600.0, lambda: None))
    assert len(watchdog._heap) <= 2 * 10 + 64 + 1
    fired = threading.Event()
    watchdog.watch(0.0, fired.set)
    assert fired.wait(10.0)
    for token in late:
        watchdog.cancel(token)


def test_a_deadline_that_fails_to_fire_does_not_stop_the_others(caplog):
    from b2safe.adapters.handle.deadlines import _Watchdog

    def broken() -> None:
        raise RuntimeError("broken")

    watchdog = _Watchdog()
    watchdog.watch(0.0, broken)
    fired = threading.Event()
    watchdog.watch(0.0, fired.set)
    assert fired.wait(10.0)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_gets_a_watchdog_of_its_own():
    """The parent's watchdog thread does not come along into a forked child (an iRODS agent
    forked after a request): the child's deadlines still fire."""
    from b2safe.adapters.handle import deadlines

    deadlines._WATCHDOG.cancel(deadlines._WATCHDOG.watch(3600.0, lambda: None))  # a thread
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through its exit status
        try:
            fired = threading.Event()
            deadlines._WATCHDOG.watch(0.0, fired.set)
            os._exit(0 if fired.wait(10.0) else 1)
        finally:
            os._exit(2)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_the_host_name_is_verified_against_the_certificate(tmp_path, http_engine):
    """A trusted certificate for another name (the sandbox's names localhost, 127.0.0.1 and
    ::1; the server listens on 127.0.0.2): refused."""
    import ssl

    server = HandleServer(tmp_path / "tls", host="127.0.0.2", prefix=PREFIX,
                          users={USER: PASSWORD}, tls=True, strict_https=True)
    base = server.start()
    http = HandleHttp(base, timeout=5.0, deadline=5.0, verify=str(server.cert_file), proxy="")
    try:
        with pytest.raises(ssl.SSLError):
            http.send("GET", f"{base}/api/handles/{PREFIX}/USER01", {})
    finally:
        http.close()
        server.stop()


class _Redirects(_Quiet):
    """Answers every request with a redirect to another handle, counting the requests."""

    paths: list = []

    def do_GET(self):
        _Redirects.paths.append(self.path)
        self.answer(302, Location=f"/api/handles/{PREFIX}/ELSEWHERE")

    do_DELETE = do_GET


@pytest.fixture
def local_server():
    """Start a loopback HTTP server with a given handler; yields a function handler -> URL."""
    servers = []

    def start(handler):
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"
    yield start
    for server in servers:
        server.shutdown()


def test_a_redirect_is_answered_not_followed(local_server, http_engine):
    _Redirects.paths = []
    base = local_server(_Redirects)
    with closing(HandleHttp(base, timeout=2.0, deadline=4.0, proxy="")) as http:
        for method in ("GET", "DELETE"):
            assert http.send(method, f"{base}/api/handles/{PREFIX}/X", {})[0] == 302
    assert _Redirects.paths == [f"/api/handles/{PREFIX}/X"] * 2


class _Records(_Quiet):
    """A Handle server and an http proxy at once: records each request line it gets."""

    seen: list = []

    def do_GET(self):
        _Records.seen.append(self.requestline)
        self.answer(200, b'{"responseCode": 1}')


def test_the_proxy_variables_are_read_once_when_the_transport_is_built(local_server,
                                                                         monkeypatch,
                                                                         http_engine):
    """Variables set later (by anything else in the agent) do not divert requests: libcurl
    would read them on every request unless told the proxy."""
    _Records.seen = []
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server, proxy = local_server(_Records), local_server(_Records)
    http = HandleHttp(server, timeout=2.0, deadline=4.0)
    monkeypatch.setenv("http_proxy", proxy)
    monkeypatch.setenv("HTTP_PROXY", proxy)
    try:
        assert http.send("GET", f"{server}/api/handles/{PREFIX}/X", {})[0] == 200
    finally:
        http.close()
    assert _Records.seen == [f"GET /api/handles/{PREFIX}/X HTTP/1.1"]  # not an absolute URL


def test_a_header_with_a_line_break_is_refused_before_sending(local_server, http_engine):
    _Records.seen = []
    base = local_server(_Records)
    with closing(HandleHttp(base, timeout=2.0, deadline=4.0, proxy="")) as http:
        for value in ('Handle sessionId="x"\r\nX-Injected: 1', "a\nb"):
            with pytest.raises(ValueError):
                http.send("GET", f"{base}/api/handles/{PREFIX}/X", {"Authorization": value})
    assert _Records.seen == []


class _Echoes(_Quiet):
    """Records the method, an Authorization header and the Content-Type of each request."""

    seen: list = []

    def do_GET(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        _Echoes.seen.append((self.command, self.headers.get("Authorization"),
                             self.headers.get("Content-Type"), body))
        self.answer(200, b'{"responseCode": 1}')

    do_PUT = do_DELETE = do_GET


def test_each_request_carries_its_own_method_and_headers(local_server, http_engine):
    """One kept-alive connection, requests that change method, headers and body in turn (a
    session renewed between writes): each is sent as asked (the pycurl engine tells its handle
    the method and header lines only when they change)."""
    _Echoes.seen = []
    base = local_server(_Echoes)
    url = f"{base}/api/handles/{PREFIX}/X"
    json_type = {"Content-Type": "application/json"}
    sent = [("GET", {"Authorization": "a"}, None), ("GET", {"Authorization": "a"}, None),
            ("PUT", {"Authorization": "a", **json_type}, b"{}"),
            ("PUT", {"Authorization": "b", **json_type}, b"[]"),
            ("GET", {"Authorization": "b"}, None), ("DELETE", {"Authorization": "b"}, None),
            ("PUT", {"Authorization": "b"}, b"")]
    with closing(HandleHttp(base, timeout=2.0, deadline=4.0, proxy="")) as http:
        headers = {"Authorization": "c"}
        http.send("GET", url, headers)
        headers["Authorization"] = "d"  # the same dict, changed: sent as it is now
        http.send("GET", url, headers)
        for method, headers, body in sent:
            assert http.send(method, url, headers, body)[0] == 200
    assert _Echoes.seen == [("GET", "c", None, b""), ("GET", "d", None, b"")] + [
        (method, headers["Authorization"], headers.get("Content-Type"), body or b"")
        for method, headers, body in sent]


def test_no_request_is_traced_to_the_terminal(local_server, http_engine, capfd):
    """Neither engine prints what it sends (libcurl's VERBOSE and http.client's debug level
    print the request headers, credentials included, to stderr or stdout)."""
    _Records.seen = []
    base = local_server(_Records)
    with closing(HandleHttp(base, timeout=2.0, deadline=4.0, proxy="")) as http:
        http.send("GET", f"{base}/api/handles/{PREFIX}/X", {"Authorization": "Basic c2VjcmV0"})
    printed = capfd.readouterr()
    assert _Records.seen and "c2VjcmV0" not in printed.out + printed.err


def test_pycurl_is_used_when_installed_and_http_client_otherwise(monkeypatch, handle_server):
    """The engine follows what is installed; both answer the same request."""
    import importlib.util
    import sys

    from b2safe.adapters.handle import transport

    def engine_of_a_new_transport() -> str:
        monkeypatch.setattr(transport, "_INSTALLED", None)  # looked up once per process
        with closing(HandleHttp(handle_server.base_url, timeout=5.0, deadline=5.0,
                                proxy="")) as http:
            assert http.send("GET", f"{handle_server.base_url}/api/handles/{PREFIX}/USER01",
                             {})[0] == 200
        return http.engine

    monkeypatch.setattr(transport, "ENGINE", None)
    with monkeypatch.context() as absent:
        absent.setitem(sys.modules, "pycurl", None)  # as if not installed
        assert engine_of_a_new_transport() == "stdlib"
    installed = importlib.util.find_spec("pycurl") is not None
    assert engine_of_a_new_transport() == ("curl" if installed else "stdlib")


class _DropsSecond(_Quiet):
    """Answers the first request of a connection (keep-alive); reads the second and closes
    the connection without an answer (a server that carried it out, or crashed, before
    answering)."""

    seen: list = []

    def do_DELETE(self):
        _DropsSecond.seen.append(self.path)
        if len(_DropsSecond.seen) % 2 == 0:
            self.close_connection = True
            return
        self.answer(200, b"{}")


def test_a_request_is_never_sent_twice_by_the_transport(local_server, http_engine):
    """The answer is lost on a kept-alive connection: a failure for the caller (b2safe's
    retry policy, which knows it is retrying, decides), not a silent second send (libcurl
    would resend it on a new connection)."""
    import http.client

    _DropsSecond.seen = []
    base = local_server(_DropsSecond)
    http_ = HandleHttp(base, timeout=2.0, deadline=4.0, proxy="")
    url = f"{base}/api/handles/{PREFIX}/X"
    try:
        assert http_.send("DELETE", url, {})[0] == 200
        with pytest.raises((OSError, http.client.HTTPException)):
            http_.send("DELETE", url, {})
    finally:
        http_.close()
    assert len(_DropsSecond.seen) == 2


def test_a_closed_transport_refuses_to_send(handle_server, http_engine):
    """After close (the service closed), a thread that used the transport before gets a
    clear error, not a request on a closed connection."""
    from b2safe.errors import PidError

    url = f"{handle_server.base_url}/api/handles/{PREFIX}/USER01"
    http = HandleHttp(handle_server.base_url, timeout=5.0, deadline=5.0, proxy="")
    assert http.send("GET", url, {})[0] == 200
    http.close()
    with pytest.raises(PidError, match="closed"):
        http.send("GET", url, {})


def test_the_client_certificate_is_presented(tmp_path, http_engine):
    """A server that requires a client certificate (certificate authentication): the
    configured one is presented, as (certificate, key) files and as one file holding both;
    without one the request fails."""
    import ssl

    from b2safe_sandbox.handle_server.tls import ensure_certificate, server_context

    cert, key = ensure_certificate(tmp_path)
    both = tmp_path / "both.pem"
    both.write_bytes(cert.read_bytes() + key.read_bytes())
    context = server_context(cert, key)
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(str(cert))
    _Records.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Records)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"https://127.0.0.1:{server.server_port}"
    url = f"{base}/api/handles/{PREFIX}/X"
    try:
        for client in ((str(cert), str(key)), str(both)):
            with closing(HandleHttp(base, timeout=5.0, deadline=5.0, verify=str(cert), cert=client,
                                    proxy="")) as http:
                assert http.send("GET", url, {})[0] == 200
        anonymous = HandleHttp(base, timeout=5.0, deadline=5.0, verify=str(cert), proxy="")
        try:
            with pytest.raises(OSError):  # ssl.SSLError, or a TLS alert read as a failure
                anonymous.send("GET", url, {})
        finally:
            anonymous.close()
    finally:
        server.shutdown()
    assert len(_Records.seen) == 2
