"""HTTP to a Handle server on urllib3: the PID client's hot path (create, read, write, delete).

Why urllib3 and not pyhandle's ``requests`` session for these requests: per PUT on one
kept-alive loopback connection, requests costs the calling thread about 1.1 ms CPU and urllib3
0.39 ms (``scripts/bench_http_clients.py``, docs/performance.md); requests' extra work (hooks,
cookie jars, environment merging, adapters, its Response model) buys nothing here. urllib3 is
the library requests itself sends with, so it adds no dependency. pyhandle stays the field's
client where its API is the point: building the client (its check of the user handle), the
reverse lookup, the URL layout (:meth:`HandleSystemConnector.make_handle_URL`) and the Basic
credentials (``create_authentication_string``).

:class:`HandleHttp` keeps one pool per service with one kept-alive connection per worker thread
(the pool's size is the worker count), reads the environment (proxy, CA bundle) once when it is
built, and gives every request a timeout per socket operation, an overall deadline (one watchdog
thread for all requests, :class:`Deadline`), a size cap on the answer and a check of the URL
path. It raises urllib3's exceptions; :mod:`b2safe.adapters.handle.rest` translates them.
"""

from __future__ import annotations

import heapq
import itertools
import os
import re
import socket
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional, Union
from urllib.parse import urlsplit

import urllib3
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from b2safe.errors import InvalidPid, PidError

#: Largest Handle server answer b2safe reads (a record, a search result list).
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
_SAFE_URL_PATH = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@/%-]*$")


class DeadlineExceeded(urllib3.exceptions.TimeoutError):
    """A request did not complete within its overall deadline."""


_FAILURES = (urllib3.exceptions.HTTPError, OSError, AttributeError, ValueError)


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
        """Forget deadline ``token`` (it has fired or will not)."""
        with self._cond:
            self._pending.pop(token, None)

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
        self.expired = threading.Event()
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
        """Watch ``connection`` (an urllib3 connection taken from the pool for this request, or
        the urllib3 response read from it)."""
        with self._lock:
            self._connections.append(connection)
            late = self.expired.is_set()
        if late:
            shut(connection)

    def _expire(self) -> None:
        with self._lock:
            self.expired.set()
            connections = list(self._connections)
        for connection in connections:
            shut(connection)


def shut(connection: Any) -> None:
    """Shut down the socket of an urllib3 connection, or of a response whose connection handed
    its socket over (http.client closes a connection that will close, keeping the socket in
    the response: urllib3 HTTPResponse -> http.client HTTPResponse -> SocketIO -> socket)."""
    sock = getattr(connection, "sock", None)
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
    message = f"no complete answer within {seconds:.1f}s"
    try:
        yield deadline
    except failures:
        if deadline.expired.is_set():
            raise timeout(message) from None
        raise
    finally:
        request_deadline.deadline = None
        deadline.cancel()
    if deadline.expired.is_set():
        raise timeout(message)


class _WatchedHTTPPool(HTTPConnectionPool):
    """A connection pool that hands each connection it gives out to the thread's deadline."""

    def _get_conn(self, timeout: Optional[float] = None) -> Any:
        connection = super()._get_conn(timeout)
        deadline = getattr(request_deadline, "deadline", None)
        if deadline is not None:
            deadline.attach(connection)
        return connection


class _WatchedHTTPSPool(_WatchedHTTPPool, HTTPSConnectionPool):
    """The HTTPS variant of :class:`_WatchedHTTPPool`."""


WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


def check_url(url: str) -> None:
    """InvalidPid unless ``url``'s path is a plain, encoded handle path (no fragment, no dot
    segment, only URL-safe characters): defence in depth below the handle syntax check."""
    split = urlsplit(url)
    if split.fragment or not _SAFE_URL_PATH.match(split.path) or \
            "/../" in split.path + "/" or "/./" in split.path + "/":
        raise InvalidPid(f"refusing a Handle request to {split.path[:120]!r}: the URL path "
                         "is not a plain, encoded handle path")


def environment_ca_bundle() -> Optional[str]:
    """The CA bundle the environment names for requests-style clients (read once)."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or None


# --- the client -----------------------------------------------------------------------------------


class HandleHttp:
    """Requests to one Handle server over urllib3 (see the module docstring).

    Args:
        base_url: the server's URL (``handle_server_url``).
        timeout: seconds per socket operation (connect, each read).
        deadline: seconds for a whole request.
        pool_size: kept-alive connections (one per worker thread).
        verify: True (default CAs, or the environment's bundle), False, or a CA file.
        cert: a client certificate file, or (certificate, key) files, or None.
        count: called with the method of every request sent (statistics).
        max_bytes: the largest answer read.
    """

    def __init__(self, base_url: str, *, timeout: float, deadline: float, pool_size: int,
                 verify: Union[bool, str] = True,
                 cert: Union[str, tuple[str, str], None] = None,
                 count: Callable[[str], None] = lambda method: None,
                 max_bytes: int = MAX_RESPONSE_BYTES) -> None:
        import requests.utils  # pyhandle's dependency: its reading of the proxy variables

        self.deadline = deadline
        self._timeout = urllib3.Timeout(connect=min(timeout, deadline), read=timeout)
        self._count = count
        self._max_bytes = max_bytes
        tls: dict[str, Any] = {}
        if urlsplit(base_url).scheme == "https":
            if verify is False:
                tls["cert_reqs"] = "CERT_NONE"
            else:
                tls["cert_reqs"] = "CERT_REQUIRED"
                ca = verify if isinstance(verify, str) else environment_ca_bundle()
                if ca is None:
                    import certifi  # the bundle requests verifies with

                    ca = certifi.where()
                tls["ca_certs"] = ca
            if isinstance(cert, tuple):
                tls["cert_file"], tls["key_file"] = cert
            elif cert:
                tls["cert_file"] = cert
        proxies = requests.utils.get_environ_proxies(base_url)
        proxy = proxies.get(urlsplit(base_url).scheme) or proxies.get("all")
        manager: urllib3.PoolManager
        if proxy:
            manager = urllib3.ProxyManager(proxy, num_pools=2, maxsize=pool_size, **tls)
        else:
            manager = urllib3.PoolManager(num_pools=2, maxsize=pool_size, **tls)
        manager.pool_classes_by_scheme = WATCHED_POOLS
        self._manager = manager
        # Without a proxy, requests go straight to the server's pool (PoolManager.urlopen would
        # parse the URL and look the pool up on every request).
        self._pool = None if proxy else manager.connection_from_url(base_url)
        self._origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))

    def send(self, method: str, url: str, headers: dict[str, str],
             body: Optional[bytes] = None) -> tuple[int, bytes]:
        """Send one request; returns (HTTP status, body). Raises InvalidPid for a URL that is
        not a plain handle path, PidError for an answer over the size cap, urllib3's
        exceptions (DeadlineExceeded past the overall deadline) for transport failures."""
        check_url(url)
        self._count(method)
        with watched(self.deadline, _FAILURES, DeadlineExceeded) as deadline:
            if self._pool is not None and url.startswith(self._origin + "/"):
                response = self._pool.urlopen(method, url[len(self._origin):], body=body,
                                              headers=headers, retries=False, redirect=False,
                                              timeout=self._timeout, preload_content=False,
                                              assert_same_host=False)
            else:
                response = self._manager.urlopen(method, url, body=body, headers=headers,
                                                 retries=False, redirect=False,
                                                 timeout=self._timeout, preload_content=False)
            deadline.attach(response)
            data = response.read(self._max_bytes + 1)
            if len(data) > self._max_bytes:
                response.close()
                raise PidError(f"the Handle server's answer exceeds {self._max_bytes} bytes; "
                               "refused")
            response.release_conn()
        return response.status, data

    def close(self) -> None:
        """Close the kept-alive connections."""
        self._manager.clear()
