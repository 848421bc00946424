"""The libcurl engine of the Handle transport (pycurl, the ``fast-http`` extra; :mod:`.transport`
says when it is used and which guards every engine keeps): one easy handle per thread, each
keeping one connection alive, its options set once; libcurl counts the deadline itself
(``TIMEOUT_MS``) and the stall timeout (``LOW_SPEED_*``); a request is never sent twice.

Failures: ``HandleTimeout`` (``DeadlineExceeded`` past the deadline), :class:`TlsFailure` (an
``ssl.SSLError``), :class:`ConnectionFailure` (an ``OSError``; also a connection reset during
the TLS handshake, as http.client reports it), ``http.client.IncompleteRead`` for an answer cut
short, PidError for one over the size cap.
"""

from __future__ import annotations

import errno
import http.client
import math
import os
import select
import ssl
import threading
from typing import Any, Optional, Union

from b2safe.adapters.handle.http_common import (
    DeadlineExceeded,
    HandleTimeout,
    HttpSettings,
    TransportError,
    ca_bundle,
    dropped,
    oversized,
)
from b2safe.errors import PidError


def curl_usable() -> bool:
    """Whether pycurl is installed, built against libcurl 7.80 or later (the send callback,
    see :class:`_Answer`)."""
    try:
        import pycurl
    except ImportError:
        return False
    return hasattr(pycurl, "PREREQFUNCTION")


class TlsFailure(TransportError, ssl.SSLError):
    """libcurl could not set up or verify TLS (an ``ssl.SSLError``, as http.client raises)."""


class ConnectionFailure(TransportError, ConnectionError):
    """libcurl could not connect, send or receive (an ``OSError``, as http.client raises)."""


#: libcurl's TLS failures (CURLE_SSL_*, CURLE_PEER_FAILED_VERIFICATION, CURLE_USE_SSL_FAILED).
_CURL_TLS_ERRORS = frozenset({35, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91, 98})
_CURL_TIMEOUT, _CURL_PARTIAL, _CURL_WRITE_ERROR = 28, 18, 23
_CURL_SSL_CONNECT_ERROR = 35
#: What the socket said when a TLS handshake ended in CURLE_SSL_CONNECT_ERROR because the
#: connection broke (http.client raises these as OSError, not ssl.SSLError, too).
_BROKEN_CONNECTION = frozenset({errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE})


def curl_tls(verify: Union[bool, str], cert: Union[str, tuple[str, str], None]
             ) -> list[tuple[str, Any]]:
    """The TLS options of a libcurl handle: the same CA choice and checks as the http.client
    engine's (peer and host name verified unless ``verify`` is false)."""
    options: list[tuple[str, Any]]
    if verify is False:
        options = [("SSL_VERIFYPEER", 0), ("SSL_VERIFYHOST", 0)]
    else:
        ca = ca_bundle(verify)
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


def _header_lines(headers: dict[str, str], bodiless: bool) -> list[str]:
    """libcurl's header lines for ``headers``: no 100-continue round trip before a body, no
    User-Agent (pycurl's default names its and libcurl's versions; http.client sends none),
    and no Content-Type but the one given (libcurl would name its form type for a body)."""
    lines = [f"{name}: {value}" for name, value in headers.items()]
    lines += ("Expect:", "User-Agent:")
    if not bodiless and "Content-Type" not in headers:
        lines.append("Content-Type:")
    return lines


class CurlEngine:
    """One libcurl easy handle per thread, each keeping one connection alive (replaced when
    the server closed it while idle, see :meth:`_handle`).

    Set once per handle: HTTP/1.1 only, http and https only, no redirects, no proxy but the
    one given (an empty proxy stops libcurl reading the environment's proxy variables on every
    request), the TLS options, ``NOSIGNAL`` (timeouts without SIGALRM, for threads), a connect
    timeout, the overall deadline (``TIMEOUT_MS``: connect, send and the whole answer), and a
    stall timeout for the answer (``LOW_SPEED_*``: less than a byte per second for the read
    timeout, rounded up to whole seconds, as libcurl counts it)."""

    def __init__(self, settings: HttpSettings) -> None:
        import pycurl

        self._pycurl = pycurl
        self._deadline = deadline = settings.deadline
        self._max_bytes = settings.max_bytes
        proxy = settings.proxy
        tls = curl_tls(settings.verify, settings.cert) if settings.https else []
        http_only = pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS
        options: list[tuple[str, Any]] = [
            ("NOSIGNAL", 1), ("HTTP_VERSION", pycurl.CURL_HTTP_VERSION_1_1),
            ("PROTOCOLS", http_only), ("REDIR_PROTOCOLS", http_only),
            ("FOLLOWLOCATION", 0), ("MAXREDIRS", 0), ("MAXCONNECTS", 1),
            ("CONNECTTIMEOUT_MS", max(1, int(settings.connect_timeout * 1000))),
            ("TIMEOUT_MS", max(1, int(deadline * 1000))),
            ("LOW_SPEED_LIMIT", 1), ("LOW_SPEED_TIME", max(1, math.ceil(settings.read_timeout))),
            *tls]
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
        if curl is not None and local.socket >= 0 and dropped(local.poller):
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
            local.told = None  # what the handle was last told (see exchange)
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
        """Send one request to ``url`` (a checked URL of the server, its headers checked) on
        this thread's handle; returns (HTTP status, body). Failures: see the module
        docstring."""
        pycurl = self._pycurl
        curl = self._handle()
        local = self._local
        answer = local.answer
        answer.reset()
        try:
            curl.setopt(pycurl.URL, url)
            bodiless = body is None and method in ("GET", "DELETE")
            if bodiless:
                curl.setopt(pycurl.HTTPGET, 1)
            else:  # a body, even an empty one (Content-Length: 0, as http.client sends)
                curl.setopt(pycurl.POSTFIELDS, body or b"")
            # The method and the header lines stay set on the handle: told again only when they
            # change (libcurl is given a new copy of the header list on every setopt).
            if local.told != (method, bodiless, headers):
                curl.setopt(pycurl.CUSTOMREQUEST, method)
                curl.setopt(pycurl.HTTPHEADER, _header_lines(headers, bodiless))
                local.told = (method, bodiless, dict(headers))
            curl.perform()
            status = int(curl.getinfo(pycurl.RESPONSE_CODE))
            self._watch(curl)
        except pycurl.error as exc:
            code, message = exc.args[0], str(exc.args[1]) if len(exc.args) > 1 else ""
            elapsed = curl.getinfo(pycurl.TOTAL_TIME)
            os_errno = curl.getinfo(pycurl.OS_ERRNO)
            self._discard(curl)
            raise self._failure(code, message, elapsed, os_errno, answer) from None
        except BaseException:
            self._discard(curl)
            raise
        if self._closed:
            self._discard(curl)
        return status, b"".join(answer.chunks)

    def _failure(self, code: int, message: str, elapsed: float, os_errno: int,
                 answer: _Answer) -> BaseException:
        """The exception for libcurl's failure ``code`` (``os_errno``: the socket's error, as
        libcurl kept it). A TLS handshake the connection broke under (a reset: the socket's
        error, which libcurl reports as CURLE_SSL_CONNECT_ERROR) is a connection failure, as
        http.client reports it, and is retried; every other TLS failure (a certificate that
        fails verification is CURLE_PEER_FAILED_VERIFICATION) is a TlsFailure, not retried."""
        if code == _CURL_WRITE_ERROR and answer.over:
            return oversized(self._max_bytes)
        if code == _CURL_TIMEOUT:
            if elapsed >= self._deadline * 0.99:
                return DeadlineExceeded(f"no complete answer within {self._deadline:.1f}s")
            return HandleTimeout(f"timed out ({message})")
        if answer.resent:
            return ConnectionFailure(code, "the server closed the kept-alive connection without "
                                     "an answer (not sent again here)")
        if code == _CURL_PARTIAL:
            return http.client.IncompleteRead(b"".join(answer.chunks))
        if code == _CURL_SSL_CONNECT_ERROR and os_errno in _BROKEN_CONNECTION:
            return ConnectionFailure(os_errno, f"{message} (libcurl error {code}, during the "
                                     "TLS handshake)")
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
