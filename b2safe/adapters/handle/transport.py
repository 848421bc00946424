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

Here: the checks before any engine (the URL, the header line breaks), the reading of the
environment, and the choice of engine; :mod:`.http_stdlib` and :mod:`.http_curl` are the
engines, :mod:`.http_common` what they share, :mod:`.deadlines` the http.client engine's
watchdog.

Failures are :class:`~.http_common.TransportError` (``HandleTimeout`` when a timeout or the
deadline ended the request), ``ssl.SSLError`` for TLS (:class:`~.http_curl.TlsFailure` from
libcurl), ``OSError`` (:class:`~.http_curl.ConnectionFailure` from libcurl) and
``http.client.HTTPException`` (an answer cut short is ``IncompleteRead`` from both) otherwise;
:mod:`b2safe.adapters.handle.rest` translates them.
"""


from __future__ import annotations

from typing import Callable, Optional, Protocol, Union
from urllib.parse import urlsplit

from b2safe.adapters.handle.http_common import (
    MAX_RESPONSE_BYTES,
    HttpSettings,
    Proxy,
    check_url,
    refuse_line_breaks,
)
from b2safe.adapters.handle.http_curl import CurlEngine, curl_usable
from b2safe.adapters.handle.http_stdlib import StdlibEngine
from b2safe.errors import InvalidPid, PidError


class HttpEngine(Protocol):
    """What :class:`HandleHttp` sends through (:class:`~.http_stdlib.StdlibEngine`,
    :class:`~.http_curl.CurlEngine`)."""

    def exchange(self, method: str, url: str, headers: dict[str, str],
                 body: Optional[bytes]) -> tuple[int, bytes]:
        """Send one request to a checked URL of the server; returns (HTTP status, body)."""

    def close(self) -> None:
        """Close the kept-alive connections (of every thread)."""


class HandleHttp:
    """Requests to one Handle server (see the module docstring).

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
        engine: ``"curl"`` (pycurl) or ``"stdlib"`` (http.client); default:
            :func:`default_engine`.
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
        self._count = count
        self._origin = f"{split.scheme}://{split.netloc}"
        if proxy is None:
            import requests.utils  # pyhandle's dependency: its reading of the proxy variables

            proxies = requests.utils.get_environ_proxies(base_url)
            proxy = proxies.get(split.scheme) or proxies.get("all")
        https = split.scheme == "https"
        settings = HttpSettings(
            origin=self._origin, https=https, host=split.hostname,
            port=split.port or (443 if https else 80),
            connect_timeout=min(timeout, deadline), read_timeout=timeout, deadline=deadline,
            max_bytes=max_bytes, verify=verify, cert=cert, proxy=Proxy(proxy) if proxy else None)
        self.engine = engine or default_engine()
        self._engine: HttpEngine
        if self.engine == "curl":
            self._engine = CurlEngine(settings)
        elif self.engine == "stdlib":
            self._engine = StdlibEngine(settings)
        else:
            raise PidError(f"unknown HTTP engine {self.engine!r} (curl or stdlib)")

    def send(self, method: str, url: str, headers: dict[str, str],
             body: Optional[bytes] = None) -> tuple[int, bytes]:
        """Send one request; returns (HTTP status, body). Raises InvalidPid for a URL that is
        not a plain handle path of this server, ValueError for a header holding a line break,
        PidError for an answer over the size cap, HandleTimeout (DeadlineExceeded past the
        overall deadline), ``ssl.SSLError``, ``OSError`` or ``http.client.HTTPException`` for
        transport failures."""
        check_url(url)
        if not url.startswith(self._origin + "/"):
            raise InvalidPid(f"refusing a Handle request to {url[:120]!r}: not the configured "
                             "Handle server")
        refuse_line_breaks("".join(headers) + "".join(headers.values()))
        self._count(method)
        return self._engine.exchange(method, url, headers, body)

    def close(self) -> None:
        """Close the kept-alive connections (of every thread)."""
        self._engine.close()


def default_engine() -> str:
    """The engine of a :class:`HandleHttp` built without one: :data:`ENGINE` when set, else
    ``"curl"`` when pycurl is installed (``pip install 'b2safe[fast-http]'``), else
    ``"stdlib"`` (http.client)."""
    global _INSTALLED
    if ENGINE:
        return ENGINE
    if _INSTALLED is None:
        _INSTALLED = "curl" if curl_usable() else "stdlib"
    return _INSTALLED


#: ``"curl"`` or ``"stdlib"`` to choose the engine of every :class:`HandleHttp` built from now
#: on without one (benchmarks, tests of both engines); None: :func:`default_engine` decides.
ENGINE: Optional[str] = None
_INSTALLED: Optional[str] = None
