"""The http.client engine of the Handle transport (:mod:`.transport` says when it is used and
which guards every engine keeps): one kept-alive connection per thread, replaced when the server
closed it while idle; a timeout per socket operation and an overall deadline that shuts the
socket down (:mod:`.deadlines`); the answer read up to the size cap; TLS from one
``ssl.SSLContext`` made when the engine is built; a proxy as requests uses one (absolute URLs to
an http proxy, CONNECT tunnels for https).

Failures: ``HandleTimeout`` (``DeadlineExceeded`` past the deadline), ``ssl.SSLError``,
``OSError`` and ``http.client.HTTPException`` (``IncompleteRead`` for an answer cut short).
"""

from __future__ import annotations

import http.client
import os
import select
import socket
import ssl
import threading
from typing import Optional, Union

from b2safe.adapters.handle.deadlines import watched
from b2safe.adapters.handle.http_common import (
    DeadlineExceeded,
    HandleTimeout,
    HttpSettings,
    ca_bundle,
    dropped,
    oversized,
)
from b2safe.errors import PidError

_FAILURES = (OSError, http.client.HTTPException, AttributeError, ValueError)


class StdlibEngine:
    """Requests over http.client connections, one per thread (see the module docstring)."""

    def __init__(self, settings: HttpSettings) -> None:
        self._settings = settings
        self._context = _tls_context(settings.verify, settings.cert) if settings.https else None
        self._local = threading.local()
        self._open: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._closed = False

    def _new_connection(self) -> http.client.HTTPConnection:
        settings = self._settings
        proxy = settings.proxy
        host, port = (proxy.host, proxy.port) if proxy else (settings.host, settings.port)
        connection: http.client.HTTPConnection
        if settings.https:
            connection = http.client.HTTPSConnection(host, port,
                                                     timeout=settings.connect_timeout,
                                                     context=self._context)
            if proxy:
                connection.set_tunnel(settings.host, settings.port, headers=proxy.headers)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=settings.connect_timeout)
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
                connection.sock is self._local.polled and not dropped(self._local.poller):
            return connection
        if connection is not None:
            self._discard(connection)
        connection = self._local.connection = self._new_connection()
        try:
            connection.connect()
        except BaseException:
            self._discard(connection)  # not kept for the next request (it never connected)
            raise
        assert connection.sock is not None
        connection.sock.settimeout(self._settings.read_timeout)
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

    def exchange(self, method: str, url: str, headers: dict[str, str],
                 body: Optional[bytes]) -> tuple[int, bytes]:
        """Send one request to ``url`` (a checked URL of the server) on this thread's
        connection; returns (HTTP status, body). Failures: see the module docstring."""
        settings = self._settings
        max_bytes = settings.max_bytes
        proxy = settings.proxy
        target = url if proxy is not None and not settings.https else url[len(settings.origin):]
        if proxy is not None and not settings.https and proxy.headers:
            headers = {**headers, **proxy.headers}
        connection: Optional[http.client.HTTPConnection] = None
        try:
            with watched(settings.deadline, _FAILURES, DeadlineExceeded) as deadline:
                connection = self._connection()
                deadline.attach(connection.sock)
                connection.request(method, target, body, headers)
                response = connection.getresponse()
                data = response.read(max_bytes + 1)
                if len(data) > max_bytes:
                    raise oversized(max_bytes)
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
        with self._lock:
            self._closed = True
            connections, self._open = self._open, []
        for connection in connections:
            connection.close()


def _tls_context(verify: Union[bool, str], cert: Union[str, tuple[str, str], None]
                 ) -> ssl.SSLContext:
    """The TLS settings of the Handle server's connections."""
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        ca = ca_bundle(verify)
        context = ssl.create_default_context(cafile=None if os.path.isdir(ca) else ca,
                                             capath=ca if os.path.isdir(ca) else None)
    if isinstance(cert, tuple):
        context.load_cert_chain(cert[0], cert[1])
    elif cert:
        context.load_cert_chain(cert)
    return context
