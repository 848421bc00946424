"""HTTP to a Handle server: the PID client's hot path (create, read, write, delete), on libcurl
(pycurl) when it is installed, on the stdlib's http.client otherwise.

Why these two and not urllib3, requests or httpx: per PUT on one kept-alive connection to a
sandbox Handle server in its own process, the calling thread spent about 150-185 us CPU with
pycurl (one reused easy handle), 225-310 us with http.client, 455 us with urllib3, 970 us with
requests (``trust_env`` off) and 1000 us with httpx; curl_cffi (libcurl through cffi) 210-225 us,
pyreqwest 95-120 us on the calling thread but 230-300 us for the process (its runtime thread does
the I/O). b2safe's whole PUT (URL, session header, JSON, URL check, deadline, answer check) cost
390-440 us on http.client and 220-265 us on pycurl in the same runs (``python
scripts/bench_http_clients.py --count 2000``, three runs, 2026-12-02, load 5-7 on 2 cores): what
libcurl saves is http.client's header building and its email-package parsing of the answer, and
the deadline watchdog (libcurl counts the deadline itself). In ``scripts/bench_pids.py --sizes
1000`` b2safe's CPU per new PID was 0.26-0.35 ms with ``--http-engine curl`` against 0.37-0.40
ms with ``stdlib`` (three runs each, load 1-3), and the process's peak RSS 9 MB higher (69 against
60 MB: libcurl and the libraries it bundles, mostly shared pages). pycurl is the ``fast-http``
extra (``pip install 'b2safe[fast-http]'``: a 6 MB wheel bundling libcurl and OpenSSL); without
it nothing is missing, only slower. urllib3 and requests would add pools, retries, redirects, URL
normalising and header dictionaries this client does not need: one connection per worker thread,
no retries (:mod:`~b2safe.adapters.handle.retry` decides), no redirects, URLs made and checked
here. pyhandle stays the field's client where its API is the point: building the client (its
check of the user handle), the reverse lookup, the URL layout
(:meth:`HandleSystemConnector.make_handle_URL`) and the Basic credentials.

:class:`HandleHttp` checks every URL (a plain handle path of the configured server), counts the
request, reads the environment (proxy, CA bundle) once when it is built, and sends on one of two
engines (:func:`default_engine`; :data:`ENGINE` forces one), which keep the same guards:

* one kept-alive connection per thread; one the server closed while idle is replaced before a
  request is sent on it (a poll of the idle socket, as urllib3 does: libcurl 8.23 reuses it);
  a request is never sent twice: libcurl's own resend on a new connection, when a reused one
  ended before any byte of the answer, is refused, so the failure reaches b2safe's retry policy
  as http.client's does (a resent DELETE whose first answer was lost would read "not found");
* a timeout per socket operation (libcurl: no byte for that many seconds, rounded up to whole
  seconds) and an overall deadline for connecting, sending and the whole answer (http.client:
  one watchdog thread for all requests shuts down the socket, :class:`Deadline`; libcurl:
  ``TIMEOUT_MS``);
* a size cap on the answer; no redirect followed; http and https only; header values with line
  breaks refused;
* TLS: the configured CA file (or the environment's bundle, else certifi's, as requests
  verifies), peer and host name verified unless ``HTTPS_verify`` is false, the client
  certificate when configured;
* a proxy from the environment used as requests would (absolute URLs to an http proxy, CONNECT
  tunnels for https, its user and password as Proxy-Authorization); libcurl is given the proxy,
  or none, so it never reads the variables itself;
* nothing traced: neither engine prints requests (libcurl's VERBOSE, http.client's debug level
  stay off), so credentials and session headers reach no terminal or log.

Failures are :class:`TransportError` (``HandleTimeout`` when a timeout or the deadline ended the
request), ``ssl.SSLError`` for TLS (:class:`TlsFailure` from libcurl), ``OSError``
(:class:`ConnectionFailure` from libcurl) and ``http.client.HTTPException`` (an answer cut
short is ``IncompleteRead`` from both) otherwise; :mod:`b2safe.adapters.handle.rest` translates
them.
"""

from __future__ import annotations

import base64
import heapq
import http.client
import itertools
import math
import os
import re
import select
import socket
import ssl
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional, Union
from urllib.parse import unquote, urlsplit

from b2safe.errors import InvalidPid, PidError

#: Largest Handle server answer b2safe reads (a record, a search result list).
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
_SAFE_URL_PATH = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@/%-]*$")


class TransportError(Exception):
    """A request to the Handle server failed below HTTP (no usable answer)."""


class HandleTimeout(TransportError, TimeoutError):
    """A socket operation timed out (connect, a read)."""


class DeadlineExceeded(HandleTimeout):
    """A request did not complete within its overall deadline."""


_FAILURES = (OSError, http.client.HTTPException, AttributeError, ValueError)


# --- deadlines ------------------------------------------------------------------------------------


class _Watchdog:
    """One daemon thread that fires every registered deadline when it is due (a thread per
    request, as ``threading.Timer`` starts, costs more CPU than the request itself)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int]] = []
        self._pending: dict[int, Callable[[], None]] = {}
        self._ids = itertools.count()
        self._thread: Optional[threading.Thread] = None

    def watch(self, seconds: float, fire: Callable[[], None]) -> int:
        """Call ``fire()`` in ``seconds`` unless :meth:`cancel` is called first; returns the
        token for :meth:`cancel`."""
        token = next(self._ids)
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + seconds, token))
            self._pending[token] = fire
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="b2safe-pid-deadlines",
                                                daemon=True)
                self._thread.start()
            elif self._heap[0][1] == token:
                self._cond.notify()
        return token

    def cancel(self, token: int) -> None:
        """Forget deadline ``token`` (it has fired or will not). Cancelled entries leave the
        heap when they reach its top; when they outnumber the pending ones (every request of
        the last deadline's span), the heap is rebuilt from the pending ones, so it stays as
        large as the requests in flight, not as the requests made."""
        with self._cond:
            self._pending.pop(token, None)
            if len(self._heap) > 2 * len(self._pending) + 64:
                self._heap = [entry for entry in self._heap if entry[1] in self._pending]
                heapq.heapify(self._heap)

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._heap and self._heap[0][1] not in self._pending:
                    heapq.heappop(self._heap)  # cancelled
                if not self._heap:
                    self._cond.wait(60.0)
                    continue
                due, token = self._heap[0]
                if due > time.monotonic():
                    self._cond.wait(due - time.monotonic())
                    continue
                heapq.heappop(self._heap)
                fire = self._pending.pop(token)
            fire()


_WATCHDOG = _Watchdog()


class Deadline:
    """One request's overall deadline: when it fires it shuts down the socket of every
    connection the request took from the pool, which wakes a connect, a header read or a body
    read blocked on a server that stalls or drips (a per-read timeout alone never ends a server
    that sends one byte per timeout)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._connections: list[Any] = []
        self._lock = threading.Lock()
        self._token: Optional[int] = None

    def start(self) -> None:
        """Start counting."""
        self._token = _WATCHDOG.watch(self.seconds, self._expire)

    def cancel(self) -> None:
        """The request ended in time (or otherwise): stop watching."""
        if self._token is not None:
            _WATCHDOG.cancel(self._token)

    def attach(self, connection: Any) -> None:
        """Watch ``connection``: a socket, a connection holding one in ``sock`` (http.client's,
        urllib3's) or an urllib3 response read from one."""
        with self._lock:
            self._connections.append(connection)
            late = self.expired
        if late:
            shut(connection)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            shut(connection)


def shut(connection: Any) -> None:
    """Shut down a socket, the socket of a connection, or that of an urllib3 response whose
    connection handed its socket over (http.client closes a connection that will close, keeping
    the socket in the response: urllib3 HTTPResponse -> http.client HTTPResponse -> SocketIO ->
    socket)."""
    sock = connection if isinstance(connection, socket.socket) else \
        getattr(connection, "sock", None)
    if sock is None:
        fp = getattr(getattr(connection, "_fp", None), "fp", None)
        sock = getattr(getattr(fp, "raw", None), "_sock", None)
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


#: The deadline of the request this thread is sending (one request per thread at a time).
request_deadline = threading.local()


@contextmanager
def watched(seconds: float, failures: tuple[type[BaseException], ...],
            timeout: type[BaseException]) -> Iterator[Deadline]:
    """Run one request under a :class:`Deadline` of ``seconds`` (the connections the thread
    takes from a watched pool are attached to it). A failure of a type in ``failures`` after
    the deadline fired, or a request that completed just as it fired (its last bytes raced the
    watchdog: not trusted), raises ``timeout`` instead."""
    deadline = Deadline(seconds)
    request_deadline.deadline = deadline
    deadline.start()
    try:
        yield deadline
    except failures:
        if deadline.expired:
            raise timeout(f"no complete answer within {seconds:.1f}s") from None
        raise
    finally:
        request_deadline.deadline = None
        deadline.cancel()
    if deadline.expired:
        raise timeout(f"no complete answer within {seconds:.1f}s")


def check_url(url: str) -> None:
    """InvalidPid unless ``url``'s path is a plain, encoded handle path (no fragment, no dot
    segment, only URL-safe characters): defence in depth below the handle syntax check."""
    scheme = url.find("://")
    start = url.find("/", scheme + 3) if scheme >= 0 else 0
    path = url[start:].partition("?")[0] if start >= 0 else ""
    if "#" in url or not _SAFE_URL_PATH.match(path) or \
            "/../" in path + "/" or "/./" in path + "/":
        raise InvalidPid(f"refusing a Handle request to {path[:120]!r}: the URL path "
                         "is not a plain, encoded handle path")


def environment_ca_bundle() -> Optional[str]:
    """The CA bundle the environment names for requests-style clients (read once)."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or None


# --- the client -----------------------------------------------------------------------------------


class HandleHttp:
    """Requests to one Handle server over http.client (see the module docstring).

    Args:
        base_url: the server's URL (``handle_server_url``).
        timeout: seconds per socket operation (connect, each read).
        deadline: seconds for a whole request.
        verify: True (default CAs: the environment's bundle, else certifi's), False, or a CA
            file.
        cert: a client certificate file, or (certificate, key) files, or None.
        count: called with the method of every request sent (statistics).
        max_bytes: the largest answer read.
        proxy: the proxy URL (default: the one the environment names for ``base_url``, read
            here once, as requests reads it).
        engine: ``"curl"`` (pycurl) or ``"stdlib"`` (http.client); default: :func:`engine`.
    """

    def __init__(self, base_url: str, *, timeout: float, deadline: float,
                 verify: Union[bool, str] = True,
                 cert: Union[str, tuple[str, str], None] = None,
                 count: Callable[[str], None] = lambda method: None,
                 max_bytes: int = MAX_RESPONSE_BYTES, proxy: Optional[str] = None,
                 engine: Optional[str] = None) -> None:
        split = urlsplit(base_url)
        if split.scheme not in ("http", "https") or not split.hostname:
            raise PidError(f"the Handle server URL {base_url[:120]!r} is not an http(s) URL")
        self.deadline = deadline
        self._connect_timeout = min(timeout, deadline)
        self._read_timeout = timeout
        self._count = count
        self._max_bytes = max_bytes
        self._https = split.scheme == "https"
        self._host = split.hostname
        self._port = split.port or (443 if self._https else 80)
        self._origin = f"{split.scheme}://{split.netloc}"
        if proxy is None:
            import requests.utils  # pyhandle's dependency: its reading of the proxy variables

            proxies = requests.utils.get_environ_proxies(base_url)
            proxy = proxies.get(split.scheme) or proxies.get("all")
        self._proxy = _Proxy(proxy) if proxy else None
        self.engine = engine or default_engine()
        self._curl: Optional[_CurlHandles] = None
        self._context: Optional[ssl.SSLContext] = None
        if self.engine == "curl":
            self._curl = _CurlHandles(
                connect_timeout=self._connect_timeout, read_timeout=timeout, deadline=deadline,
                max_bytes=max_bytes, tls=_curl_tls(verify, cert) if self._https else [],
                proxy=self._proxy)
        elif self.engine != "stdlib":
            raise PidError(f"unknown HTTP engine {self.engine!r} (curl or stdlib)")
        elif self._https:
            self._context = _tls_context(verify, cert)
        self._local = threading.local()
        self._open: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._closed = False

    def _new_connection(self) -> http.client.HTTPConnection:
        proxy = self._proxy
        host, port = (proxy.host, proxy.port) if proxy else (self._host, self._port)
        connection: http.client.HTTPConnection
        if self._https:
            connection = http.client.HTTPSConnection(host, port, timeout=self._connect_timeout,
                                                     context=self._context)
            if proxy:
                connection.set_tunnel(self._host, self._port, headers=proxy.headers)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self._connect_timeout)
        with self._lock:
            if self._closed:
                raise PidError("the Handle connection was closed")
            self._open.append(connection)
        return connection

    def _connection(self) -> http.client.HTTPConnection:
        """This thread's connection, connected: a kept-alive one unless the server closed it
        while it was idle (its socket is readable: EOF or an unasked-for answer)."""
        connection: Optional[http.client.HTTPConnection] = getattr(self._local, "connection",
                                                                   None)
        if connection is not None and connection.sock is not None and \
                connection.sock is self._local.polled and not _dropped(self._local.poller):
            return connection
        if connection is not None:
            self._discard(connection)
        connection = self._local.connection = self._new_connection()
        connection.connect()
        assert connection.sock is not None
        connection.sock.settimeout(self._read_timeout)
        # One poller per connection, made once: a poll object per request cost about as much
        # CPU as the rest of the transport (issue 19).
        self._local.poller = select.poll()
        self._local.poller.register(connection.sock, select.POLLIN)
        self._local.polled = connection.sock
        return connection

    def _discard(self, connection: http.client.HTTPConnection) -> None:
        connection.close()
        self._local.connection = None
        with self._lock:
            if connection in self._open:
                self._open.remove(connection)

    def send(self, method: str, url: str, headers: dict[str, str],
             body: Optional[bytes] = None) -> tuple[int, bytes]:
        """Send one request; returns (HTTP status, body). Raises InvalidPid for a URL that is
        not a plain handle path of this server, PidError for an answer over the size cap,
        HandleTimeout (DeadlineExceeded past the overall deadline), ``ssl.SSLError``,
        ``OSError`` or ``http.client.HTTPException`` for transport failures."""
        check_url(url)
        if not url.startswith(self._origin + "/"):
            raise InvalidPid(f"refusing a Handle request to {url[:120]!r}: not the configured "
                             "Handle server")
        if self._curl is not None:
            self._count(method)
            return self._curl.exchange(method, url, headers, body)
        target = url if self._proxy is not None and not self._https else url[len(self._origin):]
        if self._proxy is not None and not self._https and self._proxy.headers:
            headers = {**headers, **self._proxy.headers}
        self._count(method)
        connection: Optional[http.client.HTTPConnection] = None
        try:
            with watched(self.deadline, _FAILURES, DeadlineExceeded) as deadline:
                connection = self._connection()
                deadline.attach(connection.sock)
                connection.request(method, target, body, headers)
                response = connection.getresponse()
                data = response.read(self._max_bytes + 1)
                if len(data) > self._max_bytes:
                    raise PidError(f"the Handle server's answer exceeds {self._max_bytes} "
                                   "bytes; refused")
                if response.length:  # the connection ended inside the announced body
                    raise http.client.IncompleteRead(data, response.length)
                if response.will_close:
                    self._discard(connection)
        except BaseException as exc:
            if connection is not None:
                self._discard(connection)
            if isinstance(exc, socket.timeout) and not isinstance(exc, HandleTimeout):
                raise HandleTimeout(f"timed out ({exc or 'no answer'})") from None
            raise
        return response.status, data

    def close(self) -> None:
        """Close the kept-alive connections (of every thread)."""
        if self._curl is not None:
            self._curl.close()
        with self._lock:
            self._closed = True
            connections, self._open = self._open, []
        for connection in connections:
            connection.close()


class _Proxy:
    """A proxy URL: where to connect and what to tell it (Proxy-Authorization)."""

    def __init__(self, url: str) -> None:
        split = urlsplit(url if "://" in url else f"http://{url}")
        if split.scheme != "http" or not split.hostname:
            raise PidError(f"proxy {split.scheme}://{split.hostname}: only http:// proxies are "
                           "supported for the Handle server (unset the proxy variables or use "
                           "an http proxy)")
        self.host = split.hostname
        self.port = split.port or 80
        self.headers: dict[str, str] = {}
        self.user = unquote(split.username) if split.username else None
        self.password = unquote(split.password or "")
        if split.username:
            token = f"{self.user}:{self.password}"
            self.headers["Proxy-Authorization"] = \
                "Basic " + base64.b64encode(token.encode()).decode()


def _tls_context(verify: Union[bool, str], cert: Union[str, tuple[str, str], None]
                 ) -> ssl.SSLContext:
    """The TLS settings of the Handle server's connections."""
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        ca = _ca_bundle(verify)
        context = ssl.create_default_context(cafile=None if os.path.isdir(ca) else ca,
                                             capath=ca if os.path.isdir(ca) else None)
    if isinstance(cert, tuple):
        context.load_cert_chain(cert[0], cert[1])
    elif cert:
        context.load_cert_chain(cert)
    return context


def _ca_bundle(verify: Union[bool, str]) -> str:
    """The CA file or directory both engines verify the Handle server with: the configured
    one (``verify`` a path), else the environment's bundle, else certifi's (the bundle requests
    verifies with)."""
    ca = verify if isinstance(verify, str) else environment_ca_bundle()
    if ca is None:
        import certifi

        ca = certifi.where()
    return ca


def _dropped(poller: select.poll) -> bool:
    """Whether an idle kept-alive socket (the one ``poller`` watches for input) is readable:
    the server closed it (EOF) or sent something unasked; it must not carry another
    request."""
    return bool(poller.poll(0))


# --- the libcurl engine (pycurl, the ``fast-http`` extra) ----------------------------------------


class TlsFailure(TransportError, ssl.SSLError):
    """libcurl could not set up or verify TLS (an ``ssl.SSLError``, as http.client raises)."""


class ConnectionFailure(TransportError, ConnectionError):
    """libcurl could not connect, send or receive (an ``OSError``, as http.client raises)."""


#: libcurl's TLS failures (CURLE_SSL_*, CURLE_PEER_FAILED_VERIFICATION, CURLE_USE_SSL_FAILED).
_CURL_TLS_ERRORS = frozenset({35, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91, 98})
_CURL_TIMEOUT, _CURL_PARTIAL, _CURL_WRITE_ERROR = 28, 18, 23
_LINE_BREAK = re.compile(r"[\r\n]")


def default_engine() -> str:
    """The engine of a :class:`HandleHttp` built without one: :data:`ENGINE` when set, else
    ``"curl"`` when pycurl is installed (``pip install 'b2safe[fast-http]'``), else
    ``"stdlib"`` (http.client)."""
    global _INSTALLED
    if ENGINE:
        return ENGINE
    if _INSTALLED is None:
        try:
            import pycurl
        except ImportError:
            _INSTALLED = "stdlib"
        else:  # built against libcurl 7.80 or later (the send callback, see _Answer)
            _INSTALLED = "curl" if hasattr(pycurl, "PREREQFUNCTION") else "stdlib"
    return _INSTALLED


#: ``"curl"`` or ``"stdlib"`` to choose the engine of every :class:`HandleHttp` built from now
#: on without one (benchmarks, tests of both engines); None: :func:`default_engine` decides.
ENGINE: Optional[str] = None
_INSTALLED: Optional[str] = None


def _curl_tls(verify: Union[bool, str], cert: Union[str, tuple[str, str], None]
              ) -> list[tuple[str, Any]]:
    """The TLS options of a libcurl handle: the same CA choice and checks as
    :func:`_tls_context` (peer and host name verified unless ``verify`` is false)."""
    options: list[tuple[str, Any]]
    if verify is False:
        options = [("SSL_VERIFYPEER", 0), ("SSL_VERIFYHOST", 0)]
    else:
        ca = _ca_bundle(verify)
        options = [("SSL_VERIFYPEER", 1), ("SSL_VERIFYHOST", 2),
                   ("CAPATH" if os.path.isdir(ca) else "CAINFO", ca)]
    if isinstance(cert, tuple):
        options += [("SSLCERT", cert[0]), ("SSLKEY", cert[1])]
    elif cert:
        options.append(("SSLCERT", cert))
    return options


class _Answer:
    """The answer to a handle's current request as libcurl hands it over: its body, refused
    past the size cap, and the count of times libcurl was about to send the request. One per
    handle, its callbacks set once, :meth:`reset` before each request."""

    __slots__ = ("chunks", "limit", "over", "resent", "sends", "size")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.reset()

    def reset(self) -> None:
        """Forget the previous request."""
        self.chunks: list[bytes] = []
        self.size = 0
        self.over = False
        self.sends = 0
        self.resent = False

    def before_send(self, *_connection: Any) -> int:
        """libcurl's PREREQFUNCTION: allow the first send, refuse a second one. libcurl sends a
        request again, unasked, on a new connection when a reused one ended before any byte of
        the answer (lib/transfer.c ``Curl_retry_request``); the server may have carried out the
        first (a DELETE whose answer was lost would then look like "not found"). Refused here,
        the failure reaches the caller as http.client's does, and b2safe's retry policy, which
        knows it is retrying, decides."""
        self.sends += 1
        if self.sends > 1:
            self.resent = True
            return 1  # CURL_PREREQFUNC_ABORT
        return 0  # CURL_PREREQFUNC_OK

    def write(self, chunk: bytes) -> Optional[int]:
        self.size += len(chunk)
        if self.size > self.limit:
            self.over = True
            return 0  # fewer bytes than given: libcurl aborts the transfer (CURLE_WRITE_ERROR)
        self.chunks.append(chunk)
        return None


class _CurlHandles:
    """One libcurl easy handle per thread, each keeping one connection alive (replaced when
    the server closed it while idle, see :meth:`_handle`).

    Set once per handle: HTTP/1.1 only, http and https only, no redirects, no proxy but the
    one given (an empty proxy stops libcurl reading the environment's proxy variables on every
    request), the TLS options, ``NOSIGNAL`` (timeouts without SIGALRM, for threads), a connect
    timeout, the overall deadline (``TIMEOUT_MS``: connect, send and the whole answer), and a
    stall timeout for the answer (``LOW_SPEED_*``: less than a byte per second for the read
    timeout, rounded up to whole seconds, as libcurl counts it)."""

    def __init__(self, *, connect_timeout: float, read_timeout: float, deadline: float,
                 max_bytes: int, tls: list[tuple[str, Any]], proxy: Optional[_Proxy]) -> None:
        import pycurl

        self._pycurl = pycurl
        self._deadline = deadline
        self._max_bytes = max_bytes
        http_only = pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS
        options: list[tuple[str, Any]] = [
            ("NOSIGNAL", 1), ("HTTP_VERSION", pycurl.CURL_HTTP_VERSION_1_1),
            ("PROTOCOLS", http_only), ("REDIR_PROTOCOLS", http_only),
            ("FOLLOWLOCATION", 0), ("MAXREDIRS", 0), ("MAXCONNECTS", 1),
            ("CONNECTTIMEOUT_MS", max(1, int(connect_timeout * 1000))),
            ("TIMEOUT_MS", max(1, int(deadline * 1000))),
            ("LOW_SPEED_LIMIT", 1), ("LOW_SPEED_TIME", max(1, math.ceil(read_timeout))), *tls]
        if proxy is None:
            options.append(("PROXY", ""))  # none, whatever the environment says later
        else:
            options.append(("PROXY", f"http://{proxy.host}:{proxy.port}"))
            if proxy.user is not None:
                options += [("PROXYAUTH", pycurl.HTTPAUTH_BASIC), ("PROXYUSERNAME", proxy.user),
                            ("PROXYPASSWORD", proxy.password)]
        self._options = [(getattr(pycurl, name), value) for name, value in options]
        self._local = threading.local()
        self._handles: list[Any] = []
        self._lock = threading.Lock()
        self._closed = False

    def _handle(self) -> Any:
        """This thread's handle; a new one (and so a new connection) when the server closed
        the kept-alive connection while it was idle (its socket is readable: EOF or an
        unasked-for answer). libcurl 8.23 reuses such a connection and then resends the
        request, which :meth:`_Answer.before_send` refuses; hence the check, as for
        http.client."""
        if self._closed:
            raise PidError("the Handle connection was closed")
        local = self._local
        curl = getattr(local, "curl", None)
        if curl is not None and local.socket >= 0 and _dropped(local.poller):
            self._discard(curl)
            curl = None
        if curl is None:
            curl = self._pycurl.Curl()
            for option, value in self._options:
                curl.setopt(option, value)
            local.answer = _Answer(self._max_bytes)
            curl.setopt(self._pycurl.WRITEFUNCTION, local.answer.write)
            curl.setopt(self._pycurl.PREREQFUNCTION, local.answer.before_send)
            with self._lock:
                if self._closed:
                    curl.close()
                    raise PidError("the Handle connection was closed")
                self._handles.append(curl)
            local.curl, local.socket = curl, -1
        return curl

    def _watch(self, curl: Any) -> None:
        """Watch the socket libcurl kept alive after a request (-1: none kept)."""
        local = self._local
        socket_ = curl.getinfo(self._pycurl.ACTIVESOCKET)
        if socket_ != local.socket:
            local.socket = socket_
            if socket_ >= 0:
                local.poller = select.poll()
                local.poller.register(socket_, select.POLLIN)

    def _discard(self, curl: Any) -> None:
        self._local.curl, self._local.socket = None, -1
        with self._lock:
            if curl in self._handles:
                self._handles.remove(curl)
        curl.close()

    def exchange(self, method: str, url: str, headers: dict[str, str],
                 body: Optional[bytes]) -> tuple[int, bytes]:
        """Send one request on this thread's handle; returns (HTTP status, body). Failures
        as :meth:`HandleHttp.send` raises them."""
        pycurl = self._pycurl
        lines = [f"{name}: {value}" for name, value in headers.items()]
        if _LINE_BREAK.search("".join(lines)):
            raise ValueError("refusing a header with a line break")  # http.client refuses too
        # No 100-continue round trip before a body; no User-Agent (pycurl's default names its
        # and libcurl's versions; http.client sends none).
        lines += ("Expect:", "User-Agent:")
        curl = self._handle()
        answer = self._local.answer
        answer.reset()
        try:
            curl.setopt(pycurl.URL, url)
            if body is None and method in ("GET", "DELETE"):
                curl.setopt(pycurl.HTTPGET, 1)
            else:  # a body, even an empty one (Content-Length: 0, as http.client sends)
                curl.setopt(pycurl.POSTFIELDS, body or b"")
                if "Content-Type" not in headers:
                    lines.append("Content-Type:")  # not libcurl's form type
            curl.setopt(pycurl.CUSTOMREQUEST, method)
            curl.setopt(pycurl.HTTPHEADER, lines)
            curl.perform()
            status = int(curl.getinfo(pycurl.RESPONSE_CODE))
            self._watch(curl)
        except pycurl.error as exc:
            code, message = exc.args[0], str(exc.args[1]) if len(exc.args) > 1 else ""
            elapsed = curl.getinfo(pycurl.TOTAL_TIME)
            self._discard(curl)
            raise self._failure(code, message, elapsed, answer) from None
        except BaseException:
            self._discard(curl)
            raise
        if self._closed:
            self._discard(curl)
        return status, b"".join(answer.chunks)

    def _failure(self, code: int, message: str, elapsed: float,
                 answer: _Answer) -> BaseException:
        if code == _CURL_WRITE_ERROR and answer.over:
            return PidError(f"the Handle server's answer exceeds {self._max_bytes} bytes; "
                            "refused")
        if code == _CURL_TIMEOUT:
            if elapsed >= self._deadline * 0.99:
                return DeadlineExceeded(f"no complete answer within {self._deadline:.1f}s")
            return HandleTimeout(f"timed out ({message})")
        if answer.resent:
            return ConnectionFailure(code, "the server closed the kept-alive connection without "
                                     "an answer (not sent again here)")
        if code == _CURL_PARTIAL:
            return http.client.IncompleteRead(b"".join(answer.chunks))
        if code in _CURL_TLS_ERRORS:
            return TlsFailure(code, message)
        return ConnectionFailure(code, f"{message} (libcurl error {code})")

    def close(self) -> None:
        """Close every thread's handle (and so its connection)."""
        with self._lock:
            self._closed = True
            handles, self._handles = self._handles, []
        for curl in handles:
            try:
                curl.close()
            except self._pycurl.error:
                pass  # in use by its thread, which closes it when its request ends
