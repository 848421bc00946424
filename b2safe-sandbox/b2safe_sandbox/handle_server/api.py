"""The Handle REST API and the HRLS reverse lookup, independent of the HTTP transport.

:meth:`HandleApi.dispatch` takes a parsed request and returns a :class:`Reply`. Statuses and
``responseCode`` values follow the HANDLE.NET v9 Technical Manual ch. 14 as summarized in
``pid-service.md`` section 3:

====  ======  ==================================================================
rc    HTTP    meaning
====  ======  ==================================================================
1     200/201 success (201 when a handle was created)
2     500     server error
100   404     handle not found
101   409     handle already exists (PUT ``overwrite=false``)
102   400     invalid handle
200   200/400 values not found (200 when reading, 400 when deleting)
201   409     value already exists (PUT with ``index`` and ``overwrite=false``)
202   400     invalid value
301   400     server not responsible for the prefix (also ``hdl:``-prefixed paths)
402   401     authentication needed
40x   401/403 400 not authorized (403), 403 authentication failed (401)
====  ======  ==================================================================

Sessions (``/api/sessions``, ``/api/sessions/this``): :mod:`.sessions`.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence
from urllib.parse import quote, unquote

from b2safe_sandbox.handle_server import auth
from b2safe_sandbox.handle_server.sessions import Sessions, parse_handle_header
from b2safe_sandbox.handle_server.store import HandleStore
from b2safe_sandbox.handle_server.values import (
    admin_value,
    is_public,
    now_timestamp,
    public_form,
    values_from_body,
)

API_ROOT = "/api/handles"
SESSIONS_ROOT = "/api/sessions"
HRLS_ROOT = "/hrls"
_RESERVED_SEARCH_PARAMS = ("limit", "enforcesql", "page", "retrieverecords")
DEFAULT_ADMIN_PERMISSIONS = "011111110011"


@dataclass
class Request:
    """A parsed HTTP request: method, decoded path, query lists, Authorization header, body."""

    method: str
    path: str
    query: Mapping[str, list[str]] = field(default_factory=dict)
    authorization: Optional[str] = None
    body: bytes = b""
    secure: bool = False


@dataclass
class Reply:
    """A response: HTTP status, a JSON-serializable body, and who the caller was."""

    status: int
    body: Any
    caller: str = ""
    handle: str = ""


def handle_error(status: int, code: int, message: str, handle: str = "") -> Reply:
    """An error reply in the Handle REST API's JSON form."""
    body: dict[str, Any] = {"responseCode": code, "message": message}
    if handle:
        body["handle"] = handle
    return Reply(status, body, handle=handle)


#: responseCode for an injected status.
RESPONSE_CODE_FOR_STATUS = {400: 2, 401: 402, 403: 400, 404: 100, 409: 101}


def _flag(query: Mapping[str, list[str]], name: str, default: bool) -> bool:
    values = query.get(name)
    if not values:
        return default
    # A bare parameter ("?pretty") means true.
    return values[-1].strip().lower() in ("", "true", "1", "yes")


class HandleApi:
    """Serves handles of ``prefixes`` (and their ``0.NA/<prefix>`` handles) from ``store``.

    ``search_realm`` maps extra reverse-lookup users to passwords (the servlet's own realm);
    Handle users (HS_SECKEY) may search too. With ``strict_https`` writes over plain HTTP are
    refused with 403 as a real server does; the sandbox default allows them.
    """

    def __init__(self, store: HandleStore, prefixes: Sequence[str], *,
                 search_realm: Optional[Mapping[str, str]] = None,
                 strict_https: bool = False) -> None:
        self.store = store
        self.prefixes = {prefix.upper() for prefix in prefixes}
        self.search_realm = dict(search_realm or {})
        self.strict_https = strict_https
        self.sessions = Sessions()

    # --- routing --------------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Reply:
        """Answer one request."""
        path = request.path
        if path in (API_ROOT, API_ROOT + "/") and "prefix" in request.query:
            if request.method != "GET":
                return handle_error(405, 2, "method not allowed")
            return self.list_handles(request)
        if path in (SESSIONS_ROOT, SESSIONS_ROOT + "/", SESSIONS_ROOT + "/this"):
            return self.session(request, this=path.endswith("/this"))
        if path.startswith(API_ROOT + "/"):
            handle = unquote(path[len(API_ROOT) + 1:])
            method = {"GET": self.get, "PUT": self.put, "DELETE": self.delete}.get(
                request.method)
            if method is None:
                return handle_error(405, 2, "method not allowed", handle)
            return method(request, handle)
        if path == HRLS_ROOT + "/ping":
            return Reply(200, "OK")
        if path == HRLS_ROOT + "/handles" or path.startswith(HRLS_ROOT + "/handles/"):
            if request.method != "GET":
                return Reply(405, "Method not allowed")
            prefix = unquote(path[len(HRLS_ROOT + "/handles"):].strip("/"))
            return self.search(request, prefix)
        return handle_error(404, 2, "no such resource")

    # --- helpers --------------------------------------------------------------------------------

    def _values_of(self, handle: str) -> Optional[list]:
        """A record authorization reads (user handles, groups, prefix handles): read-only,
        from the store's cache of such records (store.py says how it stays current)."""
        return self.store.get_shared(handle)

    def _check_handle(self, handle: str, allow_empty_suffix: bool = False) -> Optional[Reply]:
        if handle.lower().startswith(("hdl:", "doi:")):
            return handle_error(400, 301, "That prefix doesn't live here", handle)
        prefix, slash, suffix = handle.partition("/")
        if not slash or not prefix or (not suffix and not allow_empty_suffix):
            return handle_error(400, 102, "Invalid handle", handle)
        if prefix.upper() not in self.prefixes and prefix.upper() != "0.NA":
            return handle_error(400, 301, "That prefix doesn't live here", handle)
        return None

    def _caller(self, request: Request, handle: str = ""
                ) -> tuple[Optional[auth.Caller], Optional[Reply]]:
        try:
            caller = auth.authenticate(request.authorization, self._values_of, self.sessions)
        except auth.AuthFailed as exc:
            # Guess: wrong credentials answer 401 with responseCode 403 ("authentication
            # failed"); pyhandle treats any 401 as HandleAuthenticationError.
            return None, handle_error(401, 403, f"Authentication failed: {exc}", handle)
        return caller, None

    def _writer(self, request: Request, handle: str
                ) -> tuple[Optional[auth.Caller], Optional[Reply]]:
        caller, failure = self._caller(request, handle)
        if failure is not None:
            return None, failure
        if caller is None:
            return None, handle_error(401, 402, "Authentication needed", handle)
        if self.strict_https and not request.secure:
            return None, handle_error(403, 400, "Admin operations require HTTPS", handle)
        return caller, None

    def _denied(self, caller: auth.Caller, handle: str) -> Reply:
        reply = handle_error(403, 400, f"Not authorized: {caller} is not an administrator "
                                       "with the needed permission", handle)
        reply.caller = str(caller)
        return reply

    # --- sessions -------------------------------------------------------------------------------

    def session(self, request: Request, this: bool) -> Reply:
        """``POST /api/sessions`` opens a session; ``GET|PUT /api/sessions/this`` shows the
        session the Authorization names (proving a user when it carries a proof);
        ``DELETE /api/sessions/this`` ends it (204). See handle_server/sessions.py."""
        if not this:
            if request.method != "POST":
                return handle_error(405, 2, "method not allowed")
            session_id, nonce = self.sessions.open()
            return Reply(201, {"sessionId": session_id, "nonce": nonce})
        if request.method not in ("GET", "PUT", "DELETE"):
            return handle_error(405, 2, "method not allowed")
        params = parse_handle_header(request.authorization or "") or {}
        session_id = params.get("sessionid", "")
        if not session_id:
            return handle_error(401, 402, "no session named in the Authorization")
        if request.method == "DELETE":
            self.sessions.close(session_id)
            return Reply(204, None)
        caller, failure = self._caller(request)
        if failure is not None:
            return failure
        return Reply(200, {"sessionId": session_id, "authenticated": caller is not None,
                           **({"id": str(caller)} if caller else {})},
                     caller=_name(caller))

    # --- GET ------------------------------------------------------------------------------------

    def get(self, request: Request, handle: str) -> Reply:
        """Resolve ``handle`` (optionally ``index``/``type`` filtered)."""
        problem = self._check_handle(handle)
        if problem is not None:
            return problem
        caller, failure = self._caller(request, handle)
        if failure is not None:
            return failure
        record = self.store.get(handle)
        if record is None:
            return handle_error(404, 100, "Handle Not Found", handle)
        public_only = _flag(request.query, "publicOnly", caller is None)
        if not public_only and not auth.is_authorized(caller, record, 1, self._values_of):
            public_only = True
        values = [value for value in record if is_public(value) or not public_only]
        indices = {int(i) for i in request.query.get("index", []) if i.strip().isdigit()}
        types = request.query.get("type", [])
        if indices or types:
            values = [value for value in values
                      if (not indices or value["index"] in indices)
                      and (not types or any(_type_matches(value["type"], t) for t in types))]
            if not values:
                return Reply(200, {"responseCode": 200, "message": "Values Not Found",
                                   "handle": handle}, _name(caller), handle)
        body = {"responseCode": 1, "handle": handle, "values": [public_form(v) for v in values]}
        return Reply(200, body, _name(caller), handle)

    # --- PUT ------------------------------------------------------------------------------------

    def put(self, request: Request, handle: str) -> Reply:
        """Create, replace, or add/replace values of ``handle``."""
        mint = _flag(request.query, "mintNewSuffix", False)
        problem = self._check_handle(handle, allow_empty_suffix=mint)
        if problem is not None:
            return problem
        caller, failure = self._writer(request, handle)
        if failure is not None:
            return failure
        assert caller is not None
        if mint:
            handle = handle.rstrip("/") + "/" + str(uuid.uuid4()).upper()
        try:
            body = json.loads(request.body.decode("utf-8") or "null")
            values = values_from_body(body, now_timestamp())
        except (ValueError, UnicodeDecodeError) as exc:
            return handle_error(400, 202, f"Invalid value: {exc}", handle)
        overwrite = _flag(request.query, "overwrite", True)
        index_params = request.query.get("index", [])
        if index_params:
            return self._put_values(request, caller, handle, values, index_params, overwrite)
        return self._put_record(caller, handle, values, overwrite)

    def _put_record(self, caller: auth.Caller, handle: str, values: list,
                    overwrite: bool) -> Reply:
        with self.store.transaction() as db:
            existing = self.store.get_in(db, handle)
            if existing is not None:
                if not overwrite:
                    return handle_error(409, 101, "Handle Already Exists", handle)
                if not auth.is_authorized(caller, existing, auth.MODIFY_VALUE, self._values_of):
                    return self._denied(caller, handle)
            else:
                prefix_record = self._values_of("0.NA/" + handle.split("/", 1)[0])
                if not auth.is_authorized(caller, prefix_record, auth.ADD_HANDLE,
                                          self._values_of):
                    return self._denied(caller, handle)
            if not any(admin_value(value) for value in values):
                # Guess: a record created without HS_ADMIN gets one naming the caller.
                index = 100
                while any(value["index"] == index for value in values):
                    index += 1
                values.append({"index": index, "type": "HS_ADMIN",
                               "data": {"format": "admin",
                                        "value": {"handle": caller.handle,
                                                  "index": caller.index,
                                                  "permissions": DEFAULT_ADMIN_PERMISSIONS}},
                               "ttl": 86400, "timestamp": now_timestamp(),
                               "permissions": "1110"})
            self.store.create_in(db, handle, values, existing=existing is not None)
        status = 200 if existing is not None else 201
        return Reply(status, {"responseCode": 1, "handle": handle}, str(caller), handle)

    def _put_values(self, request: Request, caller: auth.Caller, handle: str, values: list,
                    index_params: list[str], overwrite: bool) -> Reply:
        if not any(item.strip().lower() == "various" for item in index_params):
            try:
                wanted = {int(item) for item in index_params}
            except ValueError:
                return handle_error(400, 202, "Invalid value: index is not an integer", handle)
            if {value["index"] for value in values} != wanted:
                return handle_error(400, 202, "Invalid value: the body's indices do not "
                                              "match the index parameters", handle)
        with self.store.transaction() as db:
            existing = self.store.get_in(db, handle)
            if existing is None:
                return handle_error(404, 100, "Handle Not Found", handle)
            present = {value["index"] for value in existing}
            replacing = [value for value in values if value["index"] in present]
            if replacing and not overwrite:
                return handle_error(409, 201, "Value Already Exists", handle)
            needed = ([auth.MODIFY_VALUE] if replacing else []) + (
                [auth.ADD_VALUE] if len(replacing) < len(values) else [])
            for bit in needed:
                if not auth.is_authorized(caller, existing, bit, self._values_of):
                    return self._denied(caller, handle)
            self.store.put_values_in(db, handle, values)
        return Reply(200, {"responseCode": 1, "handle": handle}, str(caller), handle)

    # --- DELETE ---------------------------------------------------------------------------------

    def delete(self, request: Request, handle: str) -> Reply:
        """Delete ``handle`` or some of its values (``index`` parameters)."""
        problem = self._check_handle(handle)
        if problem is not None:
            return problem
        caller, failure = self._writer(request, handle)
        if failure is not None:
            return failure
        assert caller is not None
        try:
            indices = [int(item) for item in request.query.get("index", [])]
        except ValueError:
            return handle_error(400, 202, "Invalid value: index is not an integer", handle)
        with self.store.transaction() as db:
            existing = self.store.get_in(db, handle)
            if existing is None:
                return handle_error(404, 100, "Handle Not Found", handle)
            bit = auth.REMOVE_VALUE if indices else auth.DELETE_HANDLE
            if not auth.is_authorized(caller, existing, bit, self._values_of):
                return self._denied(caller, handle)
            if indices:
                if self.store.delete_values_in(db, handle, indices) == 0:
                    return handle_error(400, 200, "Values Not Found", handle)
            else:
                self.store.delete_in(db, handle)
        return Reply(200, {"responseCode": 1, "handle": handle}, str(caller), handle)

    # --- listing --------------------------------------------------------------------------------

    def list_handles(self, request: Request) -> Reply:
        """``GET /api/handles?prefix=P[&page=&pageSize=]`` (prefix administrators only)."""
        prefix = request.query.get("prefix", [""])[-1]
        if prefix.upper() not in self.prefixes:
            return handle_error(400, 301, "That prefix doesn't live here")
        caller, failure = self._writer(request, "")
        if failure is not None:
            return failure
        prefix_record = self._values_of("0.NA/" + prefix)
        if not auth.is_authorized(caller, prefix_record, auth.LIST_HANDLES, self._values_of):
            assert caller is not None
            return self._denied(caller, "")
        handles = self.store.list_handles(prefix)
        body: dict[str, Any] = {"responseCode": 1, "prefix": prefix,
                                "totalCount": str(len(handles))}
        try:
            page = int(request.query.get("page", ["-1"])[-1])
            size = int(request.query.get("pageSize", ["-1"])[-1])
        except ValueError:
            return handle_error(400, 2, "page and pageSize must be integers")
        if size == 0:
            handles = []
        elif page >= 0:
            size = size if size > 0 else 1000  # Guess: the server's default page size
            handles = handles[page * size:(page + 1) * size]
            body.update(page=page, pageSize=size)
        body["handles"] = handles
        return Reply(200, body, _name(caller))

    # --- reverse lookup (HRLS) ------------------------------------------------------------------

    def search(self, request: Request, prefix: str = "") -> Reply:
        """``GET /hrls/handles[/PREFIX]?KEY=VALUE[&KEY2=V2][&limit=N]`` -> JSON list."""
        try:
            credentials = auth.basic_credentials(request.authorization)
        except auth.AuthFailed:
            credentials = None
        user = self._search_user(credentials)
        if user is None:
            return Reply(401, "Unauthorized")
        conditions = [(key, value) for key, values in request.query.items()
                      if key not in _RESERVED_SEARCH_PARAMS for value in values]
        if not conditions:
            return Reply(400, "No search parameters given", user)
        try:
            limit_values = request.query.get("limit")
            limit = int(limit_values[-1]) if limit_values else None
        except ValueError:
            return Reply(400, "limit must be an integer", user)
        found = self.store.search(conditions, None if prefix else limit)
        if prefix:
            found = [h for h in found if h.split("/", 1)[0] == prefix.upper()]
            found = found[:limit] if limit is not None else found
        return Reply(200, found, user)

    def _search_user(self, credentials: Optional[tuple[str, str]]) -> Optional[str]:
        if credentials is None:
            return None
        user, secret = credentials
        name = unquote(user)
        expected = self.search_realm.get(name, self.search_realm.get(user))
        if expected is not None:
            return name if secret == expected else None
        try:
            caller = auth.authenticate(
                auth_header_for(user, secret), self._values_of)
        except auth.AuthFailed:
            return None
        return str(caller) if caller else None


def auth_header_for(user: str, secret: str) -> str:
    """A Basic Authorization header for ``user``/``secret`` (user percent-encoded)."""
    token = base64.b64encode(f"{quote(unquote(user))}:{secret}".encode()).decode("ascii")
    return "Basic " + token


def _name(caller: Optional[auth.Caller]) -> str:
    return str(caller) if caller else ""


def _type_matches(value_type: str, wanted: str) -> bool:
    if wanted.endswith("."):
        return value_type == wanted[:-1] or value_type.startswith(wanted)
    return value_type == wanted
