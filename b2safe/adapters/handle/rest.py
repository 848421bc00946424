"""PidService: EUDAT PID records on a Handle server, with pyhandle as the field's client.

One authenticated :class:`pyhandle.client.resthandleclient.RESTHandleClient` per service (its
constructor costs a request: it GETs the user's handle); :func:`get_pid_service` keeps one
service per credentials file and settings in the process. Reads and writes of records go over
pycurl when installed, else http.client (:mod:`~b2safe.adapters.handle.transport`: one
kept-alive connection per worker, the URLs and Basic credentials as pyhandle makes them; why:
that module's docstring), writes in a
Handle session where the server offers one (:mod:`~b2safe.adapters.handle.session_auth`); the
reverse lookup and the credentials check go through pyhandle's ``requests`` sessions. Every
request has:

* a timeout per socket operation and an overall deadline;
* bounded retries with jittered exponential backoff on connection errors, timeouts and 5xx;
  never on 4xx;
* errors translated here into :mod:`b2safe.errors` classes (PidNotFound, PidConflict,
  PidAuthError, PidServiceUnavailable, PidError); no ``requests``/urllib3/pyhandle exception,
  response body or credential leaves this module;
* request counters (:attr:`PidService.stats`) for benchmarks.

Requests per operation: building the service one GET (the user handle) and, where the server
offers sessions, a POST and a PUT on ``/api/sessions``; ``create`` one PUT (``overwrite=false``;
a 409 adds one GET); ``get``/``get_value`` one GET; ``update``/``add_replica`` one GET and one
PUT (plus one DELETE when values are removed; no PUT when nothing changes); ``delete`` one
DELETE; ``search`` one GET on the reverse-lookup servlet.

Threads: :meth:`PidService.bulk` runs a function over items in a bounded pool. The function must
only do HTTP through this service; never call the PREP ``callback`` from it.
"""

from __future__ import annotations

import collections
import collections.abc
import contextvars
import http.client
import itertools
import json
import logging
import os
import re
import ssl
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import (
    Any,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    TypeVar,
    Union,
)
from urllib.parse import quote

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from b2safe.adapters.handle import logsafe
from b2safe.adapters.handle.credentials import HandleCredentials
from b2safe.adapters.handle.deadlines import request_deadline, watched
from b2safe.adapters.handle.http_common import (
    MAX_RESPONSE_BYTES,
    HandleTimeout,
    check_url,
    environment_ca_bundle,
    oversized,
)
from b2safe.adapters.handle.minting import DETERMINISTIC, SUFFIX_MODES, mint_handle
from b2safe.adapters.handle.retry import RetryPolicy, Transient
from b2safe.adapters.handle.session_auth import open_session, session_header
from b2safe.adapters.handle.transport import HandleHttp
from b2safe.domain import profile
from b2safe.domain.paths import validate_pid
from b2safe.domain.profile import HsAdmin, PidRecord
from b2safe.errors import (
    AccessDenied,
    B2SafeError,
    ConfigError,
    InvalidInput,
    InvalidPid,
    PidAuthError,
    PidConflict,
    PidError,
    PidNotFound,
    PidServiceUnavailable,
)

T = TypeVar("T")
R = TypeVar("R")

LOG = logging.getLogger("b2safe.adapters.handle")
_LOCK_STRIPES = 64
#: Items per task of :meth:`PidService.bulk` (at most).
_BULK_SLICE = 16
#: Read-and-re-apply rounds of a conditional EUDAT/REPLICA update before giving up.
_CAS_ATTEMPTS = 50
#: JSON of request bodies: they are built here from strings, numbers and plain dicts and lists,
#: never circular, so without the encoder's check for cycles (20 -> 12 us per record body).
_encode = json.JSONEncoder(check_circular=False).encode


# --- transport ------------------------------------------------------------------------------------


class PidStats:
    """Counters of a PidService: HTTP requests by method, retries, creates, adoptions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: collections.Counter = collections.Counter()

    def add(self, name: str, amount: int = 1) -> None:
        """Increase counter ``name``."""
        with self._lock:
            self._counts[name] += amount

    def __getitem__(self, name: str) -> int:
        with self._lock:
            return self._counts[name]

    @property
    def requests(self) -> int:
        """HTTP requests sent (all methods)."""
        with self._lock:
            return sum(v for k, v in self._counts.items() if k.startswith("http_"))

    def snapshot(self) -> dict[str, int]:
        """All counters, plus ``requests`` (the HTTP total)."""
        with self._lock:
            out = dict(self._counts)
        out["requests"] = sum(v for k, v in out.items() if k.startswith("http_"))
        return out

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self._counts.clear()


class _WatchedHTTPPool(HTTPConnectionPool):
    """A connection pool that hands each connection it gives out to the thread's deadline
    (:func:`~b2safe.adapters.handle.deadlines.watched`)."""

    def _get_conn(self, timeout: Optional[float] = None) -> Any:
        connection = super()._get_conn(timeout)
        deadline = getattr(request_deadline, "deadline", None)
        if deadline is not None:
            deadline.attach(connection)
        return connection


class _WatchedHTTPSPool(_WatchedHTTPPool, HTTPSConnectionPool):
    """The HTTPS variant of :class:`_WatchedHTTPPool`."""


WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _TimeoutAdapter(HTTPAdapter):
    """The transport under pyhandle: a timeout on every socket operation, an overall deadline
    on every request (connecting, sending, the headers and the whole body: ``deadline``, by
    default twice the timeout), a size cap on every answer, URLs checked, requests counted (no
    retries of its own)."""

    def __init__(self, timeout: float, stats: PidStats, pool_size: int,
                 max_bytes: int = MAX_RESPONSE_BYTES, deadline: Optional[float] = None,
                 ca_bundle: Optional[str] = None) -> None:
        super().__init__(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
        self._timeout = timeout
        self._deadline = 2 * timeout if deadline is None else deadline
        self._stats = stats
        self._max_bytes = max_bytes
        self._ca_bundle = ca_bundle

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = WATCHED_POOLS
        return manager

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Union[bool, str] = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        check_url(request.url or "")
        self._stats.add(f"http_{request.method}")
        if verify is True and self._ca_bundle:
            verify = self._ca_bundle  # REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE, read once
        per_operation = self._timeout if timeout is None else timeout
        if not isinstance(per_operation, tuple):
            per_operation = (min(per_operation, self._deadline), per_operation)
        failures = (requests.exceptions.RequestException, OSError, AttributeError, ValueError)
        with watched(self._deadline, failures, requests.exceptions.Timeout) as deadline:
            response = super().send(request, stream=True, timeout=per_operation, verify=verify,
                                    cert=cert, proxies=proxies)
            deadline.attach(response.raw)
            _read_bounded(response, self._max_bytes)
        return response


def _read_bounded(response: requests.Response, max_bytes: int) -> None:
    """Read the whole body of ``response`` up to ``max_bytes`` (the request's deadline closes
    the connection of a server that drips)."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(65536):
        size += len(chunk)
        if size > max_bytes:
            response.close()
            raise oversized(max_bytes)
        chunks.append(chunk)
    response._content = b"".join(chunks)
    vars(response)["_content_consumed"] = True  # a private flag the stubs do not declare


def _freeze_environment(session: requests.Session, url: str) -> Optional[str]:
    """Read requests' environment settings for ``url`` once, not on every request.

    With ``trust_env`` on, every request looks up the proxy variables (and the system's proxy
    configuration), netrc and the CA-bundle variables again. Here the proxies go into the
    session, ``trust_env`` is turned off, and the CA bundle the environment names (or None) is
    returned for the transport to use where a request asks for default verification.
    """
    proxies = requests.utils.get_environ_proxies(url)
    for scheme, proxy in proxies.items():
        session.proxies.setdefault(scheme, proxy)
    session.trust_env = False
    return environment_ca_bundle()


def _pyhandle_sessions(client: Any) -> list[requests.Session]:
    """The requests sessions inside a RESTHandleClient (connector and searcher).

    pyhandle keeps them in name-mangled attributes and offers no way to pass a timeout; this is
    the one place that reaches inside it.
    """
    connector = getattr(client, "_RESTHandleClient__handlesystemconnector", None)
    searcher = getattr(client, "_RESTHandleClient__searcher", None)
    sessions = [getattr(connector, "_HandleSystemConnector__session", None),
                getattr(searcher, "_Searcher__session", None)]
    if not all(isinstance(session, requests.Session) for session in sessions):
        raise PidError("this pyhandle version keeps its HTTP sessions elsewhere; "
                       "b2safe cannot set timeouts on it")
    return sessions  # type: ignore[return-value]


def _require_url(pid: str, values: list[dict[str, Any]], expected: Sequence[str]) -> None:
    """AccessDenied unless the record's URL is one of ``expected`` (no check when empty)."""
    if not expected:
        return
    url = next((profile.data_as_text(v.get("data")) for v in values
                if v.get("type") == profile.URL), "")
    if url not in expected:
        raise AccessDenied(f"PID {pid} points at {url[:200]!r}, not at the object b2safe acts "
                           f"for ({expected[0][:200]!r}); its PID attribute is only a claim, "
                           "so the record is left unchanged")


_ERRNO_TEXT = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def _cause(exc: BaseException) -> str:
    """The innermost reason of a requests error, short (``Connection refused``, ``Read timed
    out``), without the pool's repr of the whole URL."""
    text = str(exc)
    found = _ERRNO_TEXT.findall(text)
    if found:
        return found[-1].strip()
    for phrase in ("timed out", "Name or service not known", "Connection refused",
                   "Connection reset", "certificate verify failed"):
        if phrase.lower() in text.lower():
            return phrase
    return text[:160] or type(exc).__name__


def _connector(client: Any) -> Any:
    return client._RESTHandleClient__handlesystemconnector


def _write_auth(connector: Any) -> tuple[dict[str, str], Any]:
    """(headers, client certificate) pyhandle sends with a write request (its private parts:
    it offers no authenticated read)."""
    headers = connector._HandleSystemConnector__get_headers("DELETE")
    cert = getattr(connector, "_HandleSystemConnector__cert_object", None)
    return headers, cert


# --- responses ------------------------------------------------------------------------------------


class _Answer(NamedTuple):
    """A Handle server's answer: HTTP status, responseCode, JSON body (a tuple: made per
    request, and a frozen dataclass costs three object.__setattr__ calls to build)."""

    status: int
    code: Optional[int]
    body: Any


def _answer(response: requests.Response, pid: str = "") -> _Answer:
    """:func:`_answer_of` a requests response (pyhandle's requests)."""
    return _answer_of(response.status_code, response.content, pid)


def _answer_of(status: int, data: bytes, pid: str = "") -> _Answer:
    """The answer's status, responseCode and JSON body; with ``pid``, a body that names
    another handle is refused (a server or proxy answering for the wrong record)."""
    try:
        body = json.loads(data.decode("utf-8")) if data else None
    except ValueError:  # not JSON, or not UTF-8 (RFC 8259 section 8.1)
        body = None
    code = body.get("responseCode") if isinstance(body, dict) else None
    named = body.get("handle") if isinstance(body, dict) else None
    if pid and isinstance(named, str) and named.casefold() != pid.casefold():
        raise PidError(f"the Handle server answered for {named[:120]!r} when asked for {pid}")
    return _Answer(status, code if isinstance(code, int) else None, body)


def _describe(answer: _Answer) -> str:
    text = f"HTTP {answer.status}"
    if answer.code is not None:
        text += f", responseCode {answer.code}"
    message = answer.body.get("message") if isinstance(answer.body, dict) else None
    if isinstance(message, str) and message:
        text += f": {message[:200]}"
    return text


def _raise_for(answer: _Answer, operation: str, pid: str) -> None:
    """Raise the b2safe error for a failed answer (Transient for 5xx)."""
    what = f"{operation} {pid}".strip()
    if answer.status >= 500:
        raise Transient(f"{what}: {_describe(answer)}")
    if answer.status == 404 or answer.code == 100:
        raise PidNotFound(f"{what}: PID not found ({_describe(answer)})")
    if answer.status in (401, 403) or answer.code in (402, 400, 401, 403, 404):
        raise PidAuthError(f"{what}: the Handle server refused our credentials or "
                           f"permissions ({_describe(answer)})")
    if answer.status == 409:
        raise PidConflict(f"{what}: already exists ({_describe(answer)})")
    if answer.code == 301:
        raise InvalidPid(f"{what}: this Handle server does not serve that prefix "
                         f"({_describe(answer)})")
    if answer.code in (102, 202):
        raise InvalidPid(f"{what}: the Handle server rejected the handle or a value "
                         f"({_describe(answer)})")
    raise PidError(f"{what}: unexpected answer ({_describe(answer)})")


def _ok(answer: _Answer) -> bool:
    return answer.status in (200, 201) and answer.code == 1


# --- the service ----------------------------------------------------------------------------------


class PidService:
    """EUDAT PID records on a Handle server (the ``PidService`` port over pyhandle REST).

    Args:
        credentials: from :meth:`HandleCredentials.load`.
        timeout: seconds per socket operation of an HTTP request (connect, each read).
        deadline: seconds for a whole HTTP request (connect, headers and body; default twice
            ``timeout``): a server that stalls or drips is cut off then.
        retries: extra attempts after a transient failure (connection, timeout, 5xx).
        backoff: base wait in seconds (doubles per attempt, jittered).
        workers: threads of the :meth:`bulk` pool.
        suffix_mode: ``deterministic`` (suffix from the mint key) or ``uuid`` (random).
        logger: where operations are logged (default ``b2safe.adapters.handle``); never secrets.
        client_factory: builds the pyhandle client from keyword arguments (tests may pass
            another; default ``RESTHandleClient``).
        sessions: authenticate writes with a Handle session where the server offers one
            (:mod:`~b2safe.adapters.handle.session_auth`); False: Basic on every write.
    """

    def __init__(self, credentials: HandleCredentials, *, timeout: float = 10.0,
                 deadline: Optional[float] = None, retries: int = 3, backoff: float = 0.5,
                 workers: int = 4,
                 suffix_mode: str = DETERMINISTIC, logger: Optional[logging.Logger] = None,
                 client_factory: Optional[Callable[..., Any]] = None,
                 sessions: bool = True) -> None:
        if suffix_mode not in SUFFIX_MODES:
            raise InvalidInput(f"PID suffix mode {suffix_mode!r} is not one of "
                               f"{', '.join(SUFFIX_MODES)}")
        if timeout <= 0 or retries < 0 or backoff < 0 or workers < 1:
            raise InvalidInput("PID service settings out of range (timeout > 0, retries >= 0, "
                               "backoff >= 0, workers >= 1)")
        self.credentials = credentials
        self.timeout = float(timeout)
        self.deadline = 2 * self.timeout if deadline is None else float(deadline)
        self.workers = int(workers)
        self.suffix_mode = suffix_mode
        self.sessions = sessions
        self.policy = RetryPolicy(retries=int(retries), backoff=float(backoff))
        self.log = logger or LOG
        self.stats = PidStats()
        self.prefix = credentials.prefix
        self.admin = (HsAdmin.parse(credentials.handleowner, self._admin_permissions())
                      if credentials.handleowner else
                      HsAdmin.default_for(credentials.prefix))
        self._factory = client_factory
        self._client: Any = None
        self._http: Optional[HandleHttp] = None
        self._auth_headers: Optional[dict[str, str]] = None
        self._client_lock = threading.Lock()
        self._pid_locks = [threading.Lock() for _ in range(_LOCK_STRIPES)]
        self._pool: Optional[ThreadPoolExecutor] = None
        self._pool_lock = threading.Lock()
        self._closed = False
        redactor = logsafe.install()
        redactor.add_secrets(credentials.secrets(),
                             users=[credentials.username or "",
                                    credentials.reverselookup_username or ""])

    def __repr__(self) -> str:
        return (f"PidService(server={self.credentials.handle_server_url!r}, "
                f"prefix={self.prefix!r}, suffix_mode={self.suffix_mode!r})")

    def _admin_permissions(self) -> str:
        options = dict(self.credentials.options)
        return str(options.get("HS_ADMIN_permissions", profile.DEFAULT_ADMIN_PERMISSIONS))

    # --- client ---------------------------------------------------------------------------------

    def _get_client(self) -> Any:
        """The pyhandle client, built (with retries) on first use and then reused."""
        if self._client is not None:
            return self._client
        with self._client_lock:
            if self._client is None:
                if self._closed:
                    raise PidError("the PID service was closed")
                self._client = self._retrying("connect", "", self._build_client)
            return self._client

    def _build_client(self, attempt: int) -> Any:
        from pyhandle.client.resthandleclient import RESTHandleClient

        factory = self._factory or RESTHandleClient
        args = self.credentials.client_args()
        result: dict[str, Any] = {}

        def construct() -> None:
            try:
                result["client"] = factory(**args)
            except BaseException as exc:  # handed to the waiting thread below
                result["error"] = exc

        # pyhandle's constructor GETs the user handle on a session we cannot configure before;
        # run it in a daemon thread so a hung server cannot block us past the timeout.
        worker = threading.Thread(target=construct, name="pyhandle-connect", daemon=True)
        worker.start()
        worker.join(self.timeout * 2)
        if worker.is_alive():
            raise Transient(f"connecting to {self.credentials.handle_server_url} timed out")
        if "error" in result:
            self._translate_exception(result["error"], "connect", "")
        client = result["client"]
        if "username" in args and "password" in args and not (
                args.get("certificate_and_key") or args.get("private_key")):
            self.stats.add("http_GET")  # the constructor's GET of the user handle
        for session in _pyhandle_sessions(client):
            ca_bundle = _freeze_environment(session, self.credentials.handle_server_url)
            adapter = _TimeoutAdapter(self.timeout, self.stats, max(10, self.workers * 2),
                                      deadline=self.deadline, ca_bundle=ca_bundle)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        self._http = HandleHttp(self.credentials.handle_server_url, timeout=self.timeout,
                                deadline=self.deadline, verify=self.credentials.https_verify,
                                cert=self._client_certificate(),
                                count=lambda method: self.stats.add(f"http_{method}"))
        self._auth_headers = self._authenticate(_connector(client))
        self.log.debug("connected to Handle server %s as %s",
                       self.credentials.handle_server_url,
                       self.credentials.username or "(certificate)")
        return client

    def _client_certificate(self) -> Union[str, tuple[str, str], None]:
        """The client certificate (and key) files of certificate authentication, or None."""
        creds = self.credentials
        if creds.certificate_and_key:
            return creds.certificate_and_key
        if creds.certificate_only and creds.private_key:
            return (creds.certificate_only, creds.private_key)
        return None

    def _translate_exception(self, exc: BaseException, operation: str, pid: str) -> None:
        """Raise the b2safe error (or Transient) for an exception from pyhandle, requests or
        urllib3."""
        from pyhandle import handleexceptions as hx

        what = f"{operation} {pid}".strip()
        url = self.credentials.handle_server_url
        if isinstance(exc, B2SafeError) or isinstance(exc, Transient):
            raise exc
        if isinstance(exc, urllib3.exceptions.SSLError):
            raise PidServiceUnavailable(f"{what}: TLS failure talking to the Handle server "
                                        f"{url} ({_cause(exc)}; check HTTPS_verify)") from None
        if isinstance(exc, (urllib3.exceptions.TimeoutError, urllib3.exceptions.ProtocolError,
                            urllib3.exceptions.NewConnectionError,
                            urllib3.exceptions.ProxyError, ConnectionError)):
            raise Transient(f"{what}: Handle server {url}: {type(exc).__name__}: "
                            f"{_cause(exc)}") from None
        if isinstance(exc, urllib3.exceptions.HTTPError):
            raise PidServiceUnavailable(f"{what}: Handle server {url}: {type(exc).__name__}: "
                                        f"{_cause(exc)}") from None
        if isinstance(exc, requests.exceptions.SSLError):
            raise PidServiceUnavailable(f"{what}: TLS failure talking to the Handle server "
                                        f"{url} ({_cause(exc)}; check HTTPS_verify)") from None
        if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                            requests.exceptions.ChunkedEncodingError)):
            raise Transient(f"{what}: Handle server {url}: {type(exc).__name__}: "
                            f"{_cause(exc)}") from None
        if isinstance(exc, requests.exceptions.RequestException):
            raise PidServiceUnavailable(f"{what}: Handle server {url}: {type(exc).__name__}: "
                                        f"{_cause(exc)}") from None
        if isinstance(exc, ssl.SSLError):
            raise PidServiceUnavailable(f"{what}: TLS failure talking to the Handle server "
                                        f"{url} ({_cause(exc)}; check HTTPS_verify)") from None
        if isinstance(exc, HandleTimeout):
            raise Transient(f"{what}: Handle server {url}: Timeout: {exc}") from None
        if isinstance(exc, (OSError, http.client.HTTPException)):
            raise Transient(f"{what}: Handle server {url}: {type(exc).__name__}: "
                            f"{_cause(exc)}") from None
        if isinstance(exc, hx.HandleAuthenticationError):
            raise PidAuthError(f"{what}: the Handle server refused our credentials") from None
        if isinstance(exc, hx.HandleNotFoundException):
            if operation == "connect":
                raise PidAuthError(f"connect: the user handle of "
                                   f"{self.credentials.username} does not exist") from None
            raise PidNotFound(f"{what}: PID not found") from None
        if isinstance(exc, hx.HandleSyntaxError):
            raise InvalidInput(f"{what}: malformed handle") from None
        if isinstance(exc, (hx.GenericHandleError, hx.ReverseLookupException)):
            response = getattr(exc, "response", None)
            if response is not None:
                _raise_for(_answer(response), operation, pid)
            raise PidError(f"{what}: {type(exc).__name__}") from None
        if isinstance(exc, hx.PyhandleBaseException):
            raise PidError(f"{what}: {type(exc).__name__}") from None
        if isinstance(exc, (ValueError, KeyError, TypeError)):
            raise PidError(f"{what}: malformed answer from the Handle server "
                           f"({type(exc).__name__})") from None
        raise exc

    def _retrying(self, operation: str, pid: str, attempt_fn: Callable[[int], T]) -> T:
        """Run ``attempt_fn`` under the retry policy, translating errors."""

        def guarded(attempt: int) -> T:
            try:
                return attempt_fn(attempt)
            except Exception as exc:  # translated below, never leaked
                self._translate_exception(exc, operation, pid)
                raise  # pragma: no cover - _translate_exception always raises

        def on_retry(attempt: int, exc: Transient) -> None:
            self.stats.add("retries")
            self.log.warning("Handle %s failed (%s); retry %d of %d", operation, exc.reason,
                             attempt + 1, self.policy.retries)

        try:
            return self.policy.run(guarded, on_retry)
        except Transient as exc:
            self.stats.add("failures")
            raise PidServiceUnavailable(
                f"{exc.reason} (gave up after {self.policy.retries + 1} attempts)") from None

    # --- low-level requests (one HTTP request each) ---------------------------------------------

    def _send(self, method: str, pid: str, *, indices: Optional[list] = None,
              overwrite: Optional[bool] = None, entries: Optional[list] = None) -> _Answer:
        """One request on the http.client transport, shaped as pyhandle's connector shapes it
        (its URL layout; GET anonymous with ``auth=true``; PUT and DELETE with the write
        credentials)."""
        connector = _connector(self._get_client())
        http = self._http
        if http is None:
            raise PidError("the PID service was closed")
        if method == "GET":
            url = connector.make_handle_URL(pid, indices, auth="true")
            headers = {"Accept": "application/json"}
        else:
            url = connector.make_handle_URL(pid, indices, overwrite=overwrite)
            headers = self._write_headers(connector)
        body = None
        if entries is not None:
            body = _encode({"values": entries}).encode("utf-8")
            headers["Content-Type"] = "application/json"
        status, data = http.send(method, url, headers, body)
        if status == 401 and headers.get("Authorization", "").startswith("Handle version"):
            # The session expired (or the server forgot it): authenticate again, once.
            with self._client_lock:
                if self._auth_headers is not None and \
                        self._auth_headers.get("Authorization") == headers["Authorization"]:
                    self._auth_headers = None
            headers.update(self._write_headers(connector))
            status, data = http.send(method, url, headers, body)
        return _answer_of(status, data, pid)

    def _authenticate(self, connector: Any) -> dict[str, str]:
        """The Authorization of writes: a Handle session when the server offers sessions and
        the credentials are a user and secret (two requests, once per service); otherwise
        pyhandle's Basic or client-certificate header."""
        creds = self.credentials
        if self.sessions and self._http is not None and creds.username and creds.password \
                and not self._client_certificate():
            session = open_session(self._http.send, creds.handle_server_url, creds.username,
                                   creds.password)
            if session is not None:
                self.stats.add("sessions")
                return {"Authorization": session_header(session)}
        headers = dict(_write_auth(connector)[0])
        headers.pop("Content-Type", None)
        return headers

    def _write_headers(self, connector: Any) -> dict[str, str]:
        """The Authorization of a write (see :meth:`_authenticate`)."""
        headers = self._auth_headers
        if headers is None:
            with self._client_lock:
                if self._auth_headers is None:
                    self._auth_headers = self._authenticate(connector)
                headers = self._auth_headers
        return dict(headers)

    def _get_values(self, pid: str) -> Optional[list[dict[str, Any]]]:
        answer = self._send("GET", pid)
        if answer.status == 404 or answer.code == 100:
            return None
        if answer.status == 200 and answer.code == 200:
            return []
        if not _ok(answer):
            _raise_for(answer, "get", pid)
        values = answer.body.get("values")
        if not isinstance(values, list):
            raise PidError(f"get {pid}: the answer has no value list")
        return values

    def _put(self, pid: str, entries: list[dict[str, Any]], *, indices: Optional[list] = None,
             overwrite: bool) -> _Answer:
        return self._send("PUT", pid, indices=indices, overwrite=overwrite, entries=entries)

    def _delete(self, pid: str, indices: Optional[list] = None) -> _Answer:
        return self._send("DELETE", pid, indices=indices)

    def _lock_for(self, pid: str) -> threading.Lock:
        return self._pid_locks[hash(pid.upper()) % _LOCK_STRIPES]

    # --- the port -------------------------------------------------------------------------------

    def connect(self) -> None:
        """Build the authenticated client now (one GET of the user handle) instead of lazily."""
        self._get_client()

    def check_access(self) -> str:
        """Prove the credentials with a harmless authenticated request; returns what was shown.

        pyhandle's constructor reads the user handle anonymously, so a wrong password only shows
        at the first write. This sends the write credentials with a read-only request, the
        handle listing of the prefix with ``pageSize=0`` (a count; Handle Tech Manual 14,
        ``GET /api/handles?prefix=``), which the server must authenticate: 401 means the
        credentials are wrong (PidAuthError), 403 that they are right but may not list handles
        (fine: b2safe never lists), 200 that they may.
        """
        client = self._get_client()
        connector = _connector(client)
        headers, cert = _write_auth(connector)
        url = (self.credentials.handle_server_url.rstrip("/") + "/api/handles?prefix="
               + self.prefix + "&pageSize=0")
        session = _pyhandle_sessions(client)[0]
        verify = self.credentials.https_verify
        try:
            response = session.get(url, headers={**headers, "Accept": "application/json"},
                                   verify=verify, cert=cert)
        except requests.RequestException as exc:
            raise PidServiceUnavailable(
                f"cannot reach the Handle server {self.credentials.handle_server_url}: "
                f"{type(exc).__name__}: {exc}") from None
        answer = _answer(response)
        if answer.status == 200:
            return "credentials accepted (may list the prefix)"
        if answer.status == 403:
            return "credentials accepted"
        _raise_for(answer, "authenticated request (list prefix)", self.prefix)
        raise PidError(f"unexpected answer {_describe(answer)}")  # pragma: no cover

    def may_create_handles(self) -> tuple[Optional[bool], str]:
        """Whether the write user may create handles under the prefix: (answer, explanation).

        Reads ``0.NA/<prefix>``: an HS_ADMIN value with the "add handle" bit (the last of the
        12-bit mask, pid-service.md section 3) must name the user, directly or through an
        HS_VLIST (one level) that lists it. None when that cannot be read (the prefix handle
        usually lives at the global registry, which this server may not resolve).
        """
        try:
            owner = HsAdmin.parse(self.credentials.username or "")
        except InvalidInput:
            return None, "certificate authentication: not checked"
        user = (owner.index, owner.handle.upper())
        prefix_handle = f"0.NA/{self.prefix}"
        try:
            values = self._get_values(prefix_handle) or []
        except B2SafeError as exc:
            return None, f"cannot read {prefix_handle}: {exc}"
        records = {prefix_handle.upper(): values}
        for value in values:
            data = value.get("data")
            admin = data.get("value") if isinstance(data, dict) else None
            if value.get("type") != "HS_ADMIN" or not isinstance(admin, dict):
                continue
            perms = str(admin.get("permissions", ""))
            if len(perms) != 12 or perms[-1] != "1":
                continue
            ref = (int(admin.get("index", 0)), str(admin.get("handle", "")).upper())
            if ref == user:
                return True, f"{prefix_handle} names {self.credentials.username} as admin"
            if ref[1] not in records:
                try:
                    records[ref[1]] = self._get_values(ref[1]) or []
                except B2SafeError:
                    records[ref[1]] = []
            for group in records[ref[1]]:
                members = group.get("data", {}).get("value") if isinstance(
                    group.get("data"), dict) else None
                if group.get("type") == "HS_VLIST" and group.get("index") == ref[0] and \
                        isinstance(members, list) and any(
                            (int(m.get("index", 0)), str(m.get("handle", "")).upper()) == user
                            for m in members if isinstance(m, dict)):
                    return True, (f"{self.credentials.username} is in the admin group "
                                  f"{ref[0]}:{ref[1]} of {prefix_handle}")
        return False, (f"no HS_ADMIN of {prefix_handle} with the add-handle permission names "
                       f"{self.credentials.username} (directly or through an HS_VLIST)")

    def mint(self, mint_key: str) -> str:
        """The handle ``create`` uses for ``mint_key`` (deterministic mode: always the same)."""
        return mint_handle(self.prefix, mint_key, self.suffix_mode)

    def create(self, record: PidRecord, mint_key: str) -> str:
        """Register ``record`` under a new handle minted from ``mint_key``; return the handle.

        One ``PUT ?overwrite=false``. If the handle exists (409, e.g. an earlier attempt whose
        answer was lost), it is adopted when its URL equals ``record.url``; otherwise
        PidConflict. ROR/FIO given as ``"pid"`` become the new handle.
        """
        handle = self.mint(mint_key)
        record = record.resolve_self(handle)
        entries = record.to_values(handle, admin=self.admin)

        def attempt(number: int) -> str:
            answer = self._put(handle, entries, overwrite=False)
            if _ok(answer):
                self.stats.add("created")
                created = answer.body.get("handle") if isinstance(answer.body, dict) else None
                return created if isinstance(created, str) else handle
            if answer.status == 409:
                return self._adopt(handle, record)
            _raise_for(answer, "create", handle)
            raise AssertionError("unreachable")

        with self._lock_for(handle):
            pid = self._retrying("create", handle, attempt)
        # Debug, not info: one server-log line (a writeLine call) per PID doubled the
        # microservice calls of a bulk run; the workflows log a summary per run instead.
        self.log.debug("PID %s registered for %s", pid, record.url)
        return pid

    def _adopt(self, handle: str, record: PidRecord) -> str:
        values = self._get_values(handle)
        existing_url = None
        for value in values or []:
            if value.get("type") == profile.URL:
                existing_url = profile.data_as_text(value.get("data"))
                break
        if existing_url == record.url:
            self.stats.add("adopted")
            self.log.info("PID %s already existed with our URL; adopted", handle)
            return handle
        self.stats.add("conflicts")
        raise PidConflict(f"PID {handle} already exists for another URL "
                          f"({existing_url!r}, not {record.url!r})")

    def get(self, pid: str) -> PidRecord:
        """The record of ``pid`` (PidNotFound when absent; PidError when not a profile record)."""
        pid = validate_pid(pid)
        values = self._retrying("get", pid, lambda n: self._get_values(pid))
        if values is None:
            raise PidNotFound(f"PID {pid} not found")
        try:
            return PidRecord.from_values(values)
        except InvalidInput as exc:
            raise PidError(f"PID {pid} is not an EUDAT profile record: {exc}") from None

    def get_values(self, pid: str) -> list[dict[str, Any]]:
        """The raw Handle values of ``pid`` (PidNotFound when absent)."""
        pid = validate_pid(pid)
        values = self._retrying("get", pid, lambda n: self._get_values(pid))
        if values is None:
            raise PidNotFound(f"PID {pid} not found")
        return values

    def get_value(self, pid: str, key: str) -> Optional[str]:
        """The first value of type ``key`` in ``pid`` as text, or None (PidNotFound if no PID)."""
        values = self.get_values(pid)
        if key == profile.REPLICA:
            slots = profile.replica_values(values)
            return slots[-1][1] if slots else None
        for value in values:
            if value.get("type") == key:
                return profile.data_as_text(value.get("data"))
        return None

    def update(self, pid: str, changes: Mapping[str, Optional[str]], *,
               expect_url: Sequence[str] = ()) -> dict[str, Optional[str]]:
        """Set (or with None remove) values of ``pid``; only changed indices are written.

        ``expect_url``: when given, the record's URL must be one of these (the record is the
        witness that the PID belongs to the object b2safe acts for), else AccessDenied and
        nothing is written. Returns the changes actually applied (empty when the record already
        matched: then no write is sent). HS_ADMIN and HS_* values cannot be changed here
        (InvalidInput).
        """
        pid = validate_pid(pid)
        for key in changes:
            if not key or key.startswith("HS_"):
                raise InvalidInput(f"update of {key!r} is not allowed")

        def attempt(number: int) -> dict[str, Optional[str]]:
            values = self._get_values(pid)
            if values is None:
                raise PidNotFound(f"PID {pid} not found")
            _require_url(pid, values, expect_url)
            return self._apply(pid, dict(changes), values, number)

        with self._lock_for(pid):
            return self._retrying("update", pid, attempt)

    def add_replica(self, parent_pid: str, child_pid: str, *,
                    expect_url: Sequence[str] = ()) -> str:
        """Add ``child_pid`` to the EUDAT/REPLICA of ``parent_pid``; return the new list.

        Safe against concurrent agents in any process or server: the new list is written with a
        conditional ``PUT ?index=<next slot>&overwrite=false`` (see
        :func:`b2safe.domain.profile.replica_slot_after`); an agent whose write lost the race,
        or whose child is not in the current list afterwards, reads again and re-applies.
        Nothing is written when the child is already listed (any letter case). Requests: one
        GET when listed; GET and PUT for the first child; else GET, PUT, GET and one request
        retiring the superseded slot. ``expect_url``: as for :meth:`update`, checked on the
        parent's record at every read (nothing is written to a record that names another
        object).
        """
        return self._add_to_replicas(validate_pid(parent_pid), validate_pid(child_pid), None,
                                     expect_url)

    def add_first_replica(self, parent_pid: str, child_pid: str, *,
                          expect_url: Sequence[str] = ()) -> str:
        """Add the first child of a parent whose record has no EUDAT/REPLICA: one request.

        ``PUT ?index=7&overwrite=false`` without reading first: in a record b2safe made, slot 7
        holds only EUDAT/REPLICA and is never freed once used (:meth:`_retire` and
        :meth:`_apply` mark it instead; no other type is given index 7), so a success proves
        the parent had no list. When the slot is taken (409) this continues as
        :meth:`add_replica`, ``expect_url`` checked on every read. The caller vouches that the
        record is the object's (nothing is read before the PUT). Returns the new list.
        """
        return self._add_to_replicas(validate_pid(parent_pid), validate_pid(child_pid), [],
                                     expect_url)

    def _add_to_replicas(self, parent_pid: str, child_pid: str,
                         assumed: Optional[list[dict[str, Any]]],
                         expect_url: Sequence[str] = ()) -> str:
        """Re-read and re-apply until the current EUDAT/REPLICA holds ``child_pid``.

        ``assumed``: values to start from instead of a first GET ([] for a parent believed to
        have no list). ``expect_url``: checked on every record read (:func:`_require_url`).
        """

        def attempt(number: int) -> str:
            values = assumed if number == 0 else None
            for _ in range(_CAS_ATTEMPTS):
                if values is None:
                    values = self._get_values(parent_pid)
                    if values is None:
                        raise PidNotFound(f"PID {parent_pid} not found")
                    _require_url(parent_pid, values, expect_url)
                slots = profile.replica_values(values)
                head_index, current = slots[-1] if slots else (None, "")
                listed = profile.parse_replicas(current)
                if profile.contains_pid(listed, child_pid):
                    self._retire(parent_pid, slots[:-1])
                    return profile.format_replicas(listed)
                new = ",".join(profile.add_replica(listed, child_pid))  # normalized
                first = profile.DEFAULT_INDICES[profile.REPLICA]
                slot = profile.replica_slot_after(head_index)
                if slot == first and any(int(v["index"]) == first for v in values):
                    slot = profile.REPLICA_CHAIN_START  # 7 holds another type (or the marker)
                entry = {"index": slot, "type": profile.REPLICA, "data": new}
                answer = self._put(parent_pid, [entry], indices=[slot], overwrite=False)
                if _ok(answer) and slot == first:
                    return new  # slot 7 was never used: there was no list to merge with
                if not _ok(answer) and answer.status != 409:
                    _raise_for(answer, "add_replica", parent_pid)
                self.stats.add("replica_writes" if _ok(answer) else "replica_conflicts")
                values = None  # read back: a write below the current slot does not count
            raise PidError(f"add_replica {parent_pid}: EUDAT/REPLICA kept changing during "
                           f"{_CAS_ATTEMPTS} attempts; try again")

        with self._lock_for(parent_pid):
            return self._retrying("add_replica", parent_pid, attempt)

    def _retire(self, pid: str, superseded: list[tuple[int, str]]) -> None:
        """Remove superseded EUDAT/REPLICA versions (tidying: failures are left for later).

        Slot 7 is overwritten with a ``B2SAFE/REPLICA_MOVED`` marker instead of deleted, so it
        is never free again (see :meth:`add_first_replica`); later slots are deleted.
        """
        first = profile.DEFAULT_INDICES[profile.REPLICA]
        later = [index for index, _ in superseded if index != first]
        if any(index == first for index, _ in superseded):
            marker = _slot_marker("EUDAT/REPLICA is kept at a higher index")
            self._put(pid, [marker], indices=[first], overwrite=True)
        if later:
            self._delete(pid, indices=later)

    def _apply(self, pid: str, changes: dict[str, Optional[str]],
               values: Optional[list[dict[str, Any]]], attempt: int) -> dict[str, Optional[str]]:
        """GET (unless ``values`` given), then one PUT for set values, one DELETE for removed."""
        if values is None:
            values = self._get_values(pid)
            if values is None:
                raise PidNotFound(f"PID {pid} not found")
        by_type: dict[str, dict[str, Any]] = {}
        for value in sorted(values, key=lambda v: (v.get("type") == profile.REPLICA and
                                                   -int(v["index"]))):
            by_type.setdefault(str(value.get("type")), value)  # EUDAT/REPLICA: the current slot
        taken = {int(value["index"]) for value in values}
        writes: list[dict[str, Any]] = []
        removals: list[int] = []
        applied: dict[str, Optional[str]] = {}
        for key, new in changes.items():
            current = by_type.get(key)
            if new is None:
                if current is not None and int(current["index"]) == _REPLICA_SLOT:
                    # never freed (add_first_replica's proof): marked instead
                    writes.append(_slot_marker(f"{key} was removed from here"))
                    applied[key] = None
                elif current is not None:
                    removals.append(int(current["index"]))
                    applied[key] = None
                continue
            if current is not None:
                if profile.data_as_text(current.get("data")) == new:
                    continue
                entry = {"index": int(current["index"]), "type": key, "data": new}
                if "ttl" in current:
                    entry["ttl"] = current["ttl"]
            else:
                index = _next_index(key, taken)
                taken.add(index)
                entry = {"index": index, "type": key, "data": new}
            writes.append(entry)
            applied[key] = new
        if writes:
            answer = self._put(pid, writes, indices=[e["index"] for e in writes], overwrite=True)
            if not _ok(answer):
                _raise_for(answer, "update", pid)
        if removals:
            answer = self._delete(pid, indices=removals)
            values_gone = answer.status == 400 and answer.code == 200
            if not _ok(answer) and not (values_gone and attempt > 0):
                _raise_for(answer, "update", pid)
        if applied:
            self.log.debug("PID %s updated: %s", pid, ", ".join(sorted(applied)))
        return applied

    def delete(self, pid: str) -> None:
        """Delete ``pid``. PidNotFound when it does not exist (unless a retried attempt after a
        lost answer finds it gone)."""
        pid = validate_pid(pid)

        def attempt(number: int) -> None:
            answer = self._delete(pid)
            if _ok(answer):
                return
            if (answer.status == 404 or answer.code == 100) and number > 0:
                return  # an earlier attempt deleted it but its answer was lost
            _raise_for(answer, "delete", pid)

        with self._lock_for(pid):
            self._retrying("delete", pid, attempt)
        self.log.info("PID %s deleted", pid)

    def search(self, criteria: Optional[Mapping[str, str]] = None, *,
               prefix: Optional[str] = None, limit: Optional[int] = None,
               **key_values: str) -> list[str]:
        """Reverse lookup: handles whose values match every ``KEY=VALUE`` (``*`` wildcard).

        Keys may be given as a mapping (for types like ``EUDAT/CHECKSUM``) or as keywords.
        Values are URL-encoded (``*`` kept). Keys outside the credentials'
        ``allowed_search_keys`` (when configured) raise InvalidInput.
        """
        terms = dict(criteria or {})
        terms.update(key_values)
        if not terms:
            raise InvalidInput("reverse lookup needs at least one KEY=VALUE")
        allowed = self.credentials.allowed_search_keys
        for key in terms:
            if allowed and key not in allowed:
                raise InvalidInput(f"reverse lookup by {key!r} is not allowed "
                                   f"(allowed: {', '.join(allowed)})")
        encoded = {quote(key, safe="/"): quote(str(value), safe="*") for key, value in
                   terms.items()}
        if limit is not None:
            encoded["limit"] = str(int(limit))

        def attempt(number: int) -> list[str]:
            found = self._get_client().search_handle(prefix=prefix, **encoded)
            if found is None:
                raise PidError("reverse lookup is not configured (no search credentials)")
            if not isinstance(found, list):
                raise PidError("reverse lookup answered with something other than a list")
            return [str(item) for item in found]

        return self._retrying("search", ",".join(terms), attempt)

    def search_url(self, url: str) -> list[str]:
        """Handles whose URL is exactly ``url`` (object URLs never contain ``*``)."""
        return self.search({profile.URL: url})

    def bulk(self, fn: Callable[[T], R], items: Iterable[T]
             ) -> Iterator[tuple[T, Union[R, BaseException]]]:
        """``(item, fn(item) or the exception it raised)`` for each item, in input order.

        At most ``workers`` calls run at once. Items go to the pool in slices of consecutive
        items, one task per slice (a task, its future and its copy of the caller's context cost
        more CPU than the HTTP request of a PID; issue 19): slices of up to
        :data:`_BULK_SLICE`, fewer when a sequence of items is short, so that every worker
        gets some. At most ``2 * workers`` slices are queued, so a long iterable is consumed
        lazily. ``fn`` must only do HTTP (never call PREP's callback).
        """
        pool = self._get_pool()
        window = self.workers * 2
        size = _BULK_SLICE
        if isinstance(items, collections.abc.Sized):
            size = max(1, min(size, -(-len(items) // self.workers)))
        pending: collections.deque[Future] = collections.deque()

        def run(chunk: list[T]) -> list[tuple[T, Union[R, BaseException]]]:
            done: list[tuple[T, Union[R, BaseException]]] = []
            for item in chunk:
                try:
                    done.append((item, fn(item)))
                except BaseException as exc:  # handed to the caller, as a future would
                    done.append((item, exc))
            return done

        iterator = iter(items)
        while True:
            chunk = list(itertools.islice(iterator, size))
            if not chunk:
                break
            # Each slice runs in a copy of the caller's context: context-bound state (the rule
            # call's server-log routing) reaches the worker thread.
            pending.append(pool.submit(contextvars.copy_context().run, run, chunk))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()

    def _get_pool(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._closed:
                raise PidError("the PID service was closed")
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.workers,
                                                thread_name_prefix="b2safe-pid")
            return self._pool

    def close(self) -> None:
        """Stop the worker pool and close the HTTP sessions."""
        with self._pool_lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        with self._client_lock:
            client, self._client = self._client, None
            http, self._http = self._http, None
        if client is not None:
            for session in _pyhandle_sessions(client):
                session.close()
        if http is not None:
            http.close()
        _forget(self)

    def __enter__(self) -> PidService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: EUDAT/REPLICA's first slot: no other type is given it, and it is never freed (marked instead).
_REPLICA_SLOT = profile.DEFAULT_INDICES[profile.REPLICA]


def _slot_marker(text: str) -> dict[str, Any]:
    """The value that keeps :data:`_REPLICA_SLOT` taken once its value is gone."""
    return {"index": _REPLICA_SLOT, "type": profile.REPLICA_MOVED, "data": text}


def _next_index(key: str, taken: set) -> int:
    """The index a new value of ``key`` gets: its profile index when free, else the first free
    from 2 up, never 100-199 (HS_ADMIN's) nor :data:`_REPLICA_SLOT` (see
    :meth:`PidService.add_first_replica`)."""
    preferred = profile.DEFAULT_INDICES.get(key)
    if preferred is not None and preferred not in taken and preferred != 100:
        return preferred
    index = 2
    while index in taken or 100 <= index < 200 or index == _REPLICA_SLOT:
        index += 1
    return index


# --- process-wide cache ---------------------------------------------------------------------------

_CACHE: dict[tuple, PidService] = {}
_CACHE_LOCK = threading.Lock()


def get_pid_service(credentials_path: Union[str, os.PathLike], **settings: Any) -> PidService:
    """The process's PidService for a credentials file and settings (built on first use).

    Keyed by (real path, file mtime and size, settings): editing the file gives a new service
    (the old one is left to finish its work). ``settings`` are PidService keyword arguments.
    """
    path = os.path.realpath(os.fspath(credentials_path))
    try:
        info = os.stat(path)
    except OSError:
        info = None
    stamp = (info.st_mtime_ns, info.st_size) if info else (0, 0)
    key = (path, stamp, tuple(sorted((k, repr(v)) for k, v in settings.items())))
    with _CACHE_LOCK:
        service = _CACHE.get(key)
        if service is None:
            credentials = HandleCredentials.load(path)
            service = PidService(credentials, **settings)
            for old_key in [k for k in _CACHE if k[0] == path]:
                del _CACHE[old_key]
            _CACHE[key] = service
        return service


def settings_from_config(pid_config: Any) -> dict[str, Any]:
    """PidService keyword arguments from the config's ``pid`` section (a PidConfig or dict)."""
    get = pid_config.get if isinstance(pid_config, Mapping) else (
        lambda name, default=None: getattr(pid_config, name, default))
    settings = {
        "timeout": get("timeout_seconds", 10.0),
        "retries": get("retries", 3),
        "backoff": get("backoff_seconds", 0.5),
        "workers": get("workers", 4),
        "suffix_mode": get("suffix", DETERMINISTIC),
    }
    return {k: v for k, v in settings.items() if v is not None}


def pid_service_from_config(pid_config: Any) -> PidService:
    """:func:`get_pid_service` for the config's ``pid`` section."""
    get = pid_config.get if isinstance(pid_config, Mapping) else (
        lambda name, default=None: getattr(pid_config, name, default))
    path = get("credentials_file")
    if not path:
        raise ConfigError("the pid section names no credentials_file")
    return get_pid_service(path, **settings_from_config(pid_config))


def _forget(service: PidService) -> None:
    with _CACHE_LOCK:
        for key in [k for k, v in _CACHE.items() if v is service]:
            del _CACHE[key]


def cached_services() -> list[PidService]:
    """The PidServices this process has cached (to close those of a stopped server)."""
    with _CACHE_LOCK:
        return list(_CACHE.values())


def clear_cache() -> None:
    """Close and forget every cached service (tests, reconfiguration)."""
    with _CACHE_LOCK:
        services = list(_CACHE.values())
        _CACHE.clear()
    for service in services:
        service.close()


def describe_values(values: list[dict[str, Any]]) -> str:
    """Values as compact JSON (for CLI output and debugging; Handle values hold no secrets
    except HS_SECKEY, which is removed)."""
    shown = [v for v in values if v.get("type") != "HS_SECKEY"]
    return json.dumps(shown, sort_keys=True)
