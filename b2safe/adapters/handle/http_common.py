"""What the two HTTP engines of the Handle transport share (:mod:`.http_stdlib`,
:mod:`.http_curl`; :mod:`.transport` chooses one): the failures they raise, the settings of a
client (:class:`HttpSettings`), the proxy, the CA bundle, the check of an idle kept-alive
socket, and the guards both apply before a request leaves (:func:`check_url`,
:func:`refuse_line_breaks`)."""

from __future__ import annotations

import base64
import os
import re
import select
from dataclasses import dataclass
from typing import Optional, Union
from urllib.parse import unquote, urlsplit

from b2safe.errors import InvalidPid, PidError

#: Largest Handle server answer b2safe reads (a record, a search result list).
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
_SAFE_URL_PATH = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@/%-]*$")
_LINE_BREAK = re.compile(r"[\r\n]")


class TransportError(Exception):
    """A request to the Handle server failed below HTTP (no usable answer)."""


class HandleTimeout(TransportError, TimeoutError):
    """A socket operation timed out (connect, a read)."""


class DeadlineExceeded(HandleTimeout):
    """A request did not complete within its overall deadline."""


def oversized(max_bytes: int) -> PidError:
    """The failure of an answer longer than ``max_bytes``."""
    return PidError(f"the Handle server's answer exceeds {max_bytes} bytes; refused")


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


def refuse_line_breaks(lines: str) -> None:
    """ValueError when the header text ``lines`` (names and values) holds a line break (a
    header injected into the request); http.client refuses them too."""
    if _LINE_BREAK.search(lines):
        raise ValueError("refusing a header with a line break")


def environment_ca_bundle() -> Optional[str]:
    """The CA bundle the environment names for requests-style clients (read once)."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or None


def ca_bundle(verify: Union[bool, str]) -> str:
    """The CA file or directory both engines verify the Handle server with: the configured
    one (``verify`` a path), else the environment's bundle, else certifi's (the bundle requests
    verifies with)."""
    ca = verify if isinstance(verify, str) else environment_ca_bundle()
    if ca is None:
        import certifi

        ca = certifi.where()
    return ca


def dropped(poller: select.poll) -> bool:
    """Whether an idle kept-alive socket (the one ``poller`` watches for input) is readable:
    the server closed it (EOF) or sent something unasked; it must not carry another
    request."""
    return bool(poller.poll(0))


class Proxy:
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


@dataclass(frozen=True)
class HttpSettings:
    """What an engine needs to know of its Handle server, built once by
    :class:`~b2safe.adapters.handle.transport.HandleHttp`.

    Attributes:
        origin: ``scheme://host[:port]`` of the server.
        https: whether the server is reached over TLS.
        host, port: the server's host name and port.
        connect_timeout: seconds to connect (at most the deadline).
        read_timeout: seconds per socket read (libcurl: without a byte).
        deadline: seconds for a whole request.
        max_bytes: the largest answer read.
        verify: True (the default CAs, :func:`ca_bundle`), False, or a CA file.
        cert: a client certificate file, or (certificate, key) files, or None.
        proxy: the proxy to go through, or None for none.
    """

    origin: str
    https: bool
    host: str
    port: int
    connect_timeout: float
    read_timeout: float
    deadline: float
    max_bytes: int
    verify: Union[bool, str]
    cert: Union[str, tuple[str, str], None]
    proxy: Optional[Proxy]
