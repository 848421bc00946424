"""The sandbox Handle server over real HTTP(S) on loopback, for pyhandle to talk to unmodified.

:class:`HandleServer` runs a stdlib ``ThreadingHTTPServer`` in a background thread (or in the
foreground with :meth:`HandleServer.serve_forever`), keeps its records in
``<state_dir>/handles.sqlite`` (shared with every other server or reader of that directory), and
exposes request counters (:attr:`HandleServer.stats`), a request log without credentials
(:attr:`HandleServer.request_log`) and fault injection (:attr:`HandleServer.faults`).
"""

from __future__ import annotations

import collections
import email.utils
import functools
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Union
from urllib.parse import parse_qs, unquote, urlsplit

from b2safe_sandbox.handle_server.api import (
    RESPONSE_CODE_FOR_STATUS,
    HandleApi,
    Reply,
    Request,
)
from b2safe_sandbox.handle_server.faults import DROP_AFTER, DROP_BEFORE, FAIL, STALL, Faults
from b2safe_sandbox.handle_server.store import HandleStore
from b2safe_sandbox.handle_server.values import now_timestamp

LOG = logging.getLogger(__name__)

#: Prefix administrators may do everything, including listing handles.
PREFIX_ADMIN_PERMISSIONS = "111111111111"
USER_ADMIN_PERMISSIONS = "011111110011"
#: The HS_VLIST index on ``0.NA/<prefix>`` that lists the prefix's users (the usual EPIC set-up:
#: handle owner ``200:0.NA/<prefix>``).
ADMIN_GROUP_INDEX = 200
MAX_LOG_ENTRIES = 10000


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server log keeps it (never headers or bodies)."""

    method: str
    path: str
    query: str
    status: int  # 0 when the connection was dropped without a response
    caller: str
    handle: str
    fault: str
    seconds: float


class RequestStats:
    """Request counters: by method, by ``(method, first path element)``, and in total. A
    client's session set-up (``/api/sessions``) is counted only by route, so the method counts
    and the total are the requests on handles and the reverse lookup."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_method: collections.Counter = collections.Counter()
        self.by_route: collections.Counter = collections.Counter()

    def count(self, method: str, path: str) -> None:
        """Count one request."""
        route = next((root for root in ("/hrls", "/api/sessions") if path.startswith(root)),
                     "/api/handles")
        with self._lock:
            if route != "/api/sessions":
                self.by_method[method] += 1
            self.by_route[(method, route)] += 1

    @property
    def total(self) -> int:
        """All requests counted."""
        with self._lock:
            return sum(self.by_method.values())

    def __getitem__(self, method: str) -> int:
        with self._lock:
            return self.by_method[method.upper()]

    def snapshot(self) -> dict[str, int]:
        """``{method: count}`` plus ``total``."""
        with self._lock:
            out = dict(self.by_method)
        out["total"] = sum(out.values())
        return out

    def reset(self) -> None:
        """Set every counter back to zero."""
        with self._lock:
            self.by_method.clear()
            self.by_route.clear()


@functools.lru_cache(maxsize=2)
def _http_date(second: int) -> str:
    return email.utils.formatdate(second, usegmt=True)


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64
    owner: HandleServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (timeout, reset) is normal here: log at debug level only."""
        LOG.debug("sandbox handle server: connection from %s ended abruptly", client_address,
                  exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    # A buffered response: head and body leave in one send when the stdlib flushes after the
    # request (BaseHTTPRequestHandler.handle_one_request), not one send each.
    wbufsize = -1
    server_version = "b2safe-sandbox-handle/1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the stdlib's stderr log (the owner keeps its own request log)."""

    def date_time_string(self, timestamp: Optional[float] = None) -> str:
        """The Date header's text, formatted once per second."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        return _http_date(int(time.time()))

    def do_GET(self) -> None:
        self._serve("GET")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        self.server.owner._serve(self, method)


class HandleServer:
    """A Handle REST + reverse-lookup server for one prefix, state in ``state_dir``.

    ``users`` maps ``"index:prefix/suffix"`` to its secret; :meth:`ensure_admin_records` (run by
    :meth:`start`) creates each user handle with HS_SECKEY at that index and the prefix handle
    ``0.NA/<prefix>`` whose HS_VLIST at index 200 lists the users, so records owned by
    ``200:0.NA/<prefix>`` (pyhandle's default owner) are writable by them.
    """

    def __init__(self, state_dir: Union[str, Path], host: str = "127.0.0.1", port: int = 0,
                 prefix: str = "21.T12345",
                 users: Optional[Mapping[str, str]] = None, tls: bool = False,
                 latency_ms: int = 0, *, strict_https: bool = False,
                 search_users: Optional[Mapping[str, str]] = None) -> None:
        self.state_dir = Path(state_dir)
        self.host = host
        self.port = int(port)
        self.prefix = prefix
        self.users = dict(users if users is not None else {f"300:{prefix}/USER01": "secret"})
        self.tls = tls
        self.faults = Faults(latency_ms)
        self.stats = RequestStats()
        self._log: collections.deque = collections.deque(maxlen=MAX_LOG_ENTRIES)
        self._log_lock = threading.Lock()
        self.store = HandleStore(self.state_dir)
        self.api = HandleApi(self.store, [prefix], search_realm=search_users,
                             strict_https=strict_https)
        self.cert_file: Optional[Path] = None
        self._httpd: Optional[_HttpServer] = None
        self._thread: Optional[threading.Thread] = None
        self._active = 0
        self._idle = threading.Condition()
        self.base_url = ""

    # --- records ---------------------------------------------------------------------------------

    def ensure_admin_records(self) -> None:
        """Create (or refresh) ``0.NA/<prefix>`` and the user handles with their HS_SECKEY."""
        self._set_group_member(None, True)
        for user, secret in self.users.items():
            self.add_user(user, secret, admin=True)

    def add_user(self, user: str, secret: str, *, admin: bool = True) -> None:
        """Create user ``index:prefix/suffix`` with ``secret``; ``admin`` adds it to the group.

        A user added with ``admin=False`` can authenticate but administers nothing (the
        "authenticated but not authorized" case, HTTP 403).
        """
        index_text, _, handle = user.partition(":")
        index = int(index_text)
        stamp = now_timestamp()
        owner = {"handle": f"0.NA/{self.prefix}", "index": ADMIN_GROUP_INDEX,
                 "permissions": USER_ADMIN_PERMISSIONS}
        with self.store.transaction() as db:
            existing = self.store.get_in(db, handle) or []
            kept = [v for v in existing if v["index"] not in (index, 100)]
            values = [*kept,
                      {"index": 100, "type": "HS_ADMIN", "data": {"format": "admin",
                                                                  "value": owner},
                       "ttl": 86400, "timestamp": stamp, "permissions": "1110"},
                      {"index": index, "type": "HS_SECKEY",
                       "data": {"format": "string", "value": secret},
                       "ttl": 86400, "timestamp": stamp, "permissions": "1100"}]
            self.store.create_in(db, handle, values)
        self.users[user] = secret
        self._set_group_member(user, admin)

    def _set_group_member(self, user: Optional[str], member: bool) -> None:
        """Add ``user`` to (or remove it from) the HS_VLIST of ``0.NA/<prefix>``."""
        handle = f"0.NA/{self.prefix}"
        stamp = now_timestamp()
        with self.store.transaction() as db:
            members: list[dict[str, Any]] = []
            for value in self.store.get_in(db, handle) or []:
                if value["index"] == ADMIN_GROUP_INDEX and value["type"] == "HS_VLIST":
                    members = list(value["data"]["value"])
            if user is not None:
                index_text, _, member_handle = user.partition(":")
                ref = {"handle": member_handle, "index": int(index_text)}
                members = [m for m in members if m != ref] + ([ref] if member else [])
            values = [
                {"index": 100, "type": "HS_ADMIN",
                 "data": {"format": "admin",
                          "value": {"handle": handle, "index": ADMIN_GROUP_INDEX,
                                    "permissions": PREFIX_ADMIN_PERMISSIONS}},
                 "ttl": 86400, "timestamp": stamp, "permissions": "1110"},
                {"index": ADMIN_GROUP_INDEX, "type": "HS_VLIST",
                 "data": {"format": "vlist", "value": members},
                 "ttl": 86400, "timestamp": stamp, "permissions": "1110"},
            ]
            self.store.create_in(db, handle, values)

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> str:
        """Bind, start serving in a background thread, and return the base URL."""
        self._bind()
        assert self._httpd is not None
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=f"handle-server-{self.port}", daemon=True)
        self._thread.start()
        return self.base_url

    def serve_forever(self, on_ready: Optional[Callable[[str], None]] = None) -> None:
        """Bind and serve in the calling thread until interrupted (Ctrl-C returns normally).

        ``on_ready(base_url)`` is called once the socket is bound.
        """
        self._bind()
        assert self._httpd is not None
        if on_ready is not None:
            on_ready(self.base_url)
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            self._httpd.server_close()
            self._httpd = None
            self.store.close()

    def stop(self) -> None:
        """Stop serving, let requests in progress finish (up to 5 s; stalled ones are released),
        close socket and database."""
        self.faults.release()
        if self._httpd is not None:
            if self._thread is not None:
                self._httpd.shutdown()
                self._thread.join(timeout=5)
            self._httpd.server_close()
            self._httpd = None
            self._thread = None
        with self._idle:
            self._idle.wait_for(lambda: self._active == 0, timeout=5)
        self.store.close()

    def __enter__(self) -> HandleServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _bind(self) -> None:
        self.ensure_admin_records()
        httpd = _HttpServer((self.host, self.port), _Handler)
        httpd.owner = self
        scheme = "http"
        if self.tls:
            from b2safe_sandbox.handle_server.tls import ensure_certificate, server_context

            cert, key = ensure_certificate(self.state_dir)
            self.cert_file = cert
            httpd.socket = server_context(cert, key).wrap_socket(httpd.socket, server_side=True)
            scheme = "https"
        self.port = httpd.server_address[1]
        self._httpd = httpd
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.base_url = f"{scheme}://{host}:{self.port}"

    # --- request log -----------------------------------------------------------------------------

    @property
    def request_log(self) -> list[LoggedRequest]:
        """The requests served so far (oldest first, at most the last 10000)."""
        with self._log_lock:
            return list(self._log)

    def clear_log(self) -> None:
        """Empty the request log and reset the counters."""
        with self._log_lock:
            self._log.clear()
        self.stats.reset()

    # --- serving ---------------------------------------------------------------------------------

    def _serve(self, handler: _Handler, method: str) -> None:
        with self._idle:
            self._active += 1
        try:
            self._serve_one(handler, method)
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def _serve_one(self, handler: _Handler, method: str) -> None:
        started = time.monotonic()
        parts = urlsplit(handler.path)
        path = unquote(parts.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length > 0 else b""
        self.stats.count(method, path)
        self.faults.delay()
        # Injected faults are for handle and search requests; a client's session set-up is
        # not where tests aim them.
        fault = None if path.startswith("/api/sessions") else self.faults.take(method)
        kind = fault.kind if fault is not None else ""
        reply: Optional[Reply] = None
        if kind == FAIL:
            assert fault is not None
            reply = self._fault_reply(fault.status, path)
        elif kind == STALL:
            self.faults.wait_released()
        elif kind != DROP_BEFORE:
            request = Request(method=method, path=path,
                              query=parse_qs(parts.query, keep_blank_values=True),
                              authorization=handler.headers.get("Authorization"),
                              body=body, secure=self.tls)
            try:
                reply = self.api.dispatch(request)
            except Exception:  # a server bug must still answer, as a real server's 500
                LOG.exception("sandbox handle server failed on %s %s", method, path)
                reply = self._fault_reply(500, path)
        dropped = reply is None or kind == DROP_AFTER
        # Logged before answering, so a client that has its answer also sees the log entry.
        self._record(LoggedRequest(method, path, parts.query,
                                   0 if dropped or reply is None else reply.status,
                                   reply.caller if reply else "", reply.handle if reply else "",
                                   kind, time.monotonic() - started))
        if dropped or reply is None:
            self._drop(handler)
        else:
            self._send(handler, reply)

    def _fault_reply(self, status: int, path: str) -> Reply:
        if path.startswith("/hrls"):
            return Reply(status, f"Injected failure (HTTP {status})")
        code = RESPONSE_CODE_FOR_STATUS.get(status, 2)
        return Reply(status, {"responseCode": code, "message": f"Injected failure ({status})"})

    @staticmethod
    def _send(handler: _Handler, reply: Reply) -> None:
        data = b"" if reply.status == 204 else json.dumps(reply.body).encode("utf-8")
        handler.send_response(reply.status)
        handler.send_header("Content-Type", "application/json;charset=UTF-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Access-Control-Allow-Origin", "*")
        if reply.status == 401:
            handler.send_header("WWW-Authenticate", 'Basic realm="handle"')
        handler.end_headers()
        handler.wfile.write(data)

    @staticmethod
    def _drop(handler: _Handler) -> None:
        handler.close_connection = True
        try:
            handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _record(self, entry: LoggedRequest) -> None:
        with self._log_lock:
            self._log.append(entry)
