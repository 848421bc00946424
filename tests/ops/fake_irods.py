"""A small fake iRODS server for tests: the iRODS protocol over TCP, in front of a sandbox.

It speaks what python-irodsclient sends for the ``b2safe`` command's live backend, so the
command's calls run through the REAL installed python-irodsclient down to the socket and every
request can be asserted (API number, packing instruction, values):

* the startup: ``RODS_CONNECT`` with ``StartupPack_PI``, answered with ``RODS_VERSION`` /
  ``Version_PI`` (lib/core/src/sockComm.cpp ``readStartupPack``/``sendVersion``; no
  client-server negotiation: the environment does not request it);
* native authentication through ``AUTHENTICATION_APN`` (110000, ``BinBytesBuf_PI`` JSON in and
  out, plugins/api/src/authenticate.cpp): ``auth_agent_auth_request`` answers a 64-character
  challenge in ``request_result``; ``auth_agent_auth_response`` checks the digest (MD5 of the
  challenge and the password padded to 50 bytes, zero bytes replaced by 1, base64;
  plugins/authentication/src/native.cpp) and fails with CAT_INVALID_AUTHENTICATION otherwise;
* ``EXEC_MY_RULE_AN`` (625, ``ExecMyRuleInp_PI``): the native-rule-language body python-irodsclient
  wraps as ``@external rule { BODY }`` runs in the sandbox's rule-language engine as the
  connected user, with the ``MsParamArray_PI`` inputs; a Python rule file's text sent as irule -F
  sends it (``@external`` and a newline first, ``instance_name`` the Python engine's) runs as the
  sandbox's irule -F runs it; the reply is a ``MsParamArray_PI`` whose
  ``ruleExecOut`` is an ``ExecCmdOut_PI`` (stdout in ``BinBytesBuf_PI``). A failed rule answers
  its code with the error text on the error stack (``RError_PI``). Guess: the server's exact
  error-stack wording for a rule failure; the code-carrying ``[iRods__Error__Code:N]`` line is
  PREP's (src/main.cpp ``to_irods_error_object``);
* ``GEN_QUERY_AN`` (702, ``GenQueryInp_PI``): columns by id (``InxIvalPair_PI``) and conditions
  (``InxValPair_PI``) answered from the sandbox's GenQuery as ``GenQueryOut_PI``, all rows in one
  page; CAT_NO_ROWS_FOUND when empty (server/api/src/rsGenQuery.cpp); a ``zone`` keyword
  (``KeyValPair_PI``) reads that zone's catalog;
* ``DATA_OBJ_CHKSUM_AN`` (629, ``DataObjInp_PI``): with ``verifyChksum`` the sandbox re-reads the
  stored bytes; success answers 0 and no message, a mismatch CHECK_VERIFICATION_RESULTS with the
  JSON verification results in ``STR_PI`` (server/api/src/rsDataObjChksum.cpp
  ``do_verification``, ``add_verification_result``);
* ``RODS_DISCONNECT``.

Any other API is answered SYS_NOT_SUPPORTED and recorded in :attr:`FakeIrods.unhandled`.

The server's delay server runs when the delay queue is read (a GenQuery on ``RULE_EXEC_*``):
the sandbox's clock first advances by :attr:`FakeIrods.delay_step` seconds and the due rules
run, so following queued work is deterministic.

Test-only; not shipped.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import socket
import string
import struct
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from irods.message import STR_PI as StrPI
from irods.message import (
    BinBytesBuf,
    Error,
    ErrorMessage,
    ExecCmdOut_PI,
    FileOpenRequest,
    GenQueryRequest,
    GenQueryResponse,
    GenQueryResponseColumn,
    MsParam,
    MsParamArray,
    StartupPack,
    VersionResponse,
    iRODSMessage,
)

#: API numbers (lib/api/include/irods/apiNumberData.h; plugins/api/.../api_plugin_number_data.h).
EXEC_MY_RULE_AN = 625
DATA_OBJ_CHKSUM_AN = 629
GEN_QUERY_AN = 702
AUTHENTICATION_APN = 110000

#: The Python rule engine's instance name (irule -r, python-irodsclient's instance_name).
PYTHON_INSTANCE = "irods_rule_engine_plugin-python-instance"

#: Error codes (lib/core/include/irods/rodsErrorTable.h).
CAT_NO_ROWS_FOUND = -808000
CAT_INVALID_AUTHENTICATION = -826000
SYS_NOT_SUPPORTED = -66000
CHECK_VERIFICATION_RESULTS = -407000
USER_CHKSUM_MISMATCH = -314000

#: MAX_PASSWORD_LEN (authenticate.h): the password is padded to this many bytes.
MAX_PASSWORD_LEN = 50
CHALLENGE_LEN = 64


class _StartupPack(StartupPack):
    """StartupPack_PI as the server reads it (python-irodsclient's class needs the users)."""

    def __init__(self) -> None:
        super().__init__(None, None)


@dataclass
class Request:
    """One message the client sent: its type, API number and main message (XML bytes)."""

    msg_type: str
    api: int
    body: bytes = b""
    decoded: Any = None


@dataclass
class Reply:
    """What the fake answers: a code (``intInfo``), a main message and the error stack."""

    code: int = 0
    msg: Any = None
    errors: list[tuple[int, str]] = field(default_factory=list)


def digest(challenge: str, password: str) -> str:
    """The native-scheme answer to ``challenge`` (see the module docstring)."""
    padded = struct.pack(f"{MAX_PASSWORD_LEN}s", password.encode("utf-8"))
    raw = hashlib.md5(challenge.encode("utf-8") + padded).digest()  # noqa: S324 - iRODS's
    return base64.b64encode(raw.replace(b"\0", b"\1")).decode("ascii")


@dataclass
class RuleCall:
    """An ExecMyRuleInp_PI as sent (python-irodsclient's RuleExecutionRequest does not read its
    own KeyValPair_PI and MsParamArray_PI back)."""

    myRule: str
    cond: dict[str, str]
    params: list[tuple[str, str]]
    outParamDesc: str

    @classmethod
    def read(cls, body: bytes) -> RuleCall:
        from irods.message import ET  # python-irodsclient's own XML reader

        root = ET().fromstring(body)
        kvp = root.find("KeyValPair_PI")
        keys = [e.text or "" for e in kvp.findall("keyWord")] if kvp is not None else []
        values = [e.text or "" for e in kvp.findall("svalue")] if kvp is not None else []
        params = [(param.findtext("label") or "", param.findtext("STR_PI/myStr") or "")
                  for param in root.iter("MsParam_PI")]
        return cls(root.findtext("myRule") or "", dict(zip(keys, values)), params,
                   root.findtext("outParamDesc") or "")


def _error_stack(errors: list[tuple[int, str]]) -> bytes:
    entries = [ErrorMessage(status=code, msg=text) for code, text in errors]
    return Error(count=len(entries), RErrMsg_PI=entries).pack()


class SandboxSide:
    """The server's work, done in a sandbox directory as the authenticated user."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._sb: Any = None
        self.user = ""

    @property
    def sb(self) -> Any:
        if self._sb is None:  # opened in the connection's own thread (sqlite connections)
            from b2safe_sandbox import site

            self._sb = site.open(self.directory)
        return self._sb

    def close(self) -> None:
        if self._sb is not None:
            self._sb.close()

    # -- EXEC_MY_RULE_AN
    def exec_my_rule(self, request: Any) -> Reply:
        body = request.myRule
        inputs = ", ".join(f"{label}={value}" for label, value in request.params) or "null"
        if request.cond.get("instance_name") == PYTHON_INSTANCE and body.startswith("@external\n"):
            # irule -F's form for the Python engine (PREP src/main.cpp@5.0.1 L781-811).
            text = f"{body[len('@external'):]}\nINPUT {inputs}\nOUTPUT ruleExecOut\n"
            result = self.sb.client(self.user).irule_file(text)
        else:
            match = re.fullmatch(r"@external rule \{ (.*) \}", body, re.S)
            assert match, f"unexpected rule text {body!r}"
            text = (f"b2safe_wire_call {{\n{match.group(1)}\n}}\nINPUT {inputs}\n"
                    "OUTPUT ruleExecOut\n")
            result = self.sb.client(self.user).irule_native(text)
        if result.code < 0:
            return Reply(result.code, errors=[(result.code, result.error)])
        out = result.stdout.encode("utf-8")
        # Guess: an empty buffer (a NULL ``bin *buf``: stderr always, stdout when the rule wrote
        # nothing) is left out of the packing; python-irodsclient cannot read an empty
        # <buf></buf> back (base64 of None).
        exec_out = ExecCmdOut_PI(status=0)
        if out:
            exec_out = ExecCmdOut_PI(stdoutBuf=BinBytesBuf(buflen=len(out), buf=out), status=0)
        param = MsParam(label="ruleExecOut", type="ExecCmdOut_PI", inOutStruct=exec_out)
        return Reply(0, MsParamArray(paramLen=1, oprType=0, MsParam_PI=[param]))

    # -- GEN_QUERY_AN
    def gen_query(self, request: Any) -> tuple[Reply, list[str], bool]:
        from b2safe_sandbox.gq.columns import COLUMNS

        names = {column.id: name for name, column in COLUMNS.items()}
        selects = request.InxIvalPair_PI
        ids = [int(i) for i in (selects.inx or [])]
        conds = request.InxValPair_PI
        where = [f"{names[int(i)]} {v}" for i, v in zip(conds.inx or [], conds.svalue or [])]
        queue_read = any(names[i].startswith("RULE_EXEC_") for i in ids)
        text = "SELECT " + ", ".join(names[i] for i in ids)
        if where:
            text += " WHERE " + " and ".join(where)
        keywords = dict(zip(request.KeyValPair_PI.keyWord or [],
                            request.KeyValPair_PI.svalue or []))
        rows = self._rows(text, keywords.get("zone", ""))
        if not rows:
            return Reply(CAT_NO_ROWS_FOUND), [text], queue_read
        columns = [GenQueryResponseColumn(attriInx=i, reslen=256,
                                          value=[str(row[n]) for row in rows])
                   for n, i in enumerate(ids)]
        out = GenQueryResponse(rowCnt=len(rows), attriCnt=len(ids), continueInx=0,
                               totalRowCount=len(rows), SqlResult_PI=columns)
        return Reply(0, out), [text], queue_read

    def _rows(self, text: str, zone: str) -> list[list[str]]:
        """Every row of GenQuery ``text``; ``zone`` (ZONE_KW, set by python-irodsclient for
        another zone's path) names the catalog, as the server's redirection does."""
        if not zone:
            return self.sb.client(self.user).iquest(text)
        from b2safe_sandbox.runtime.msis import query as msi_query

        select, _, where = text[len("SELECT "):].partition(" WHERE ")
        columns = msi_query.select_columns(select)
        catalog = self.sb.reachable_zone(zone).catalog
        rows: list[list[str]] = []
        with self.sb.toplevel():
            while True:
                page = catalog.genquery(columns, where, self.user, max_rows=msi_query.MAX_SQL_ROWS,
                                        offset=len(rows))
                rows.extend(list(r) for r in page.rows)
                if not page.has_more:
                    return rows

    # -- DATA_OBJ_CHKSUM_AN
    def chksum(self, request: Any) -> Reply:
        keywords = dict(zip(request.KeyValPair_PI.keyWord or [],
                            request.KeyValPair_PI.svalue or []))
        verify = "verifyChksum" in keywords
        try:
            value = self.sb.client(self.user).ichksum(request.objPath, verify=verify)
        except Exception as exc:  # IrodsCallError: the code decides
            code = getattr(exc, "code", None)
            if code != CHECK_VERIFICATION_RESULTS:
                return Reply(int(code or -1), errors=[(int(code or -1), str(exc))])
            results = [{"severity": "error", "error_code": USER_CHKSUM_MISMATCH,
                        "message": "ERROR: Computed checksum does not match what is in the "
                                   "catalog for replica [0]."}]
            return Reply(CHECK_VERIFICATION_RESULTS, StrPI(myStr=json.dumps(results)))
        if verify:  # verification passed: 0 and no message
            return Reply(0)
        return Reply(0, StrPI(myStr=value))


class FakeIrods:
    """The fake server (context manager): ``port``, ``requests``, ``unhandled``."""

    def __init__(self, sandbox_dir: Path, password: str, zone: str,
                 version: str = "rods4.3.4") -> None:
        self.sandbox_dir = Path(sandbox_dir)
        self.password = password
        self.zone = zone
        self.version = version
        self.requests: list[Request] = []
        self.queries: list[str] = []
        self.unhandled: list[Request] = []
        self.failures: list[str] = []
        self.delay_step = 600.0
        #: While set, a rule call is answered only after :attr:`hold_seconds` (a rule running
        #: long), or not at all when the server stops first.
        self.hold_rules = False
        self.hold_seconds = 20.0
        self._release = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._connections: list[socket.socket] = []
        self._stop = threading.Event()

    def __enter__(self) -> FakeIrods:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._release.set()
        with socket.create_connection(("127.0.0.1", self.port)):
            pass  # wakes the accepting thread, which then sees the stop
        self._listener.close()
        for conn in self._connections:  # clients that kept a connection open
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in self._threads:
            thread.join(timeout=10)

    def settle(self) -> None:
        """Wait until every connection the client closed has been read to its end."""
        for thread in self._threads[1:]:
            thread.join(timeout=10)

    def environment(self, user: str) -> dict[str, Any]:
        """An irods_environment.json for ``user`` on this server."""
        return {"irods_host": "127.0.0.1", "irods_port": self.port, "irods_user_name": user,
                "irods_zone_name": self.zone, "irods_authentication_scheme": "native"}

    def apis(self) -> list[Any]:
        """The API numbers (or message types) of every request, in order."""
        return [r.api if r.msg_type == "RODS_API_REQ" else r.msg_type for r in self.requests]

    # -- the wire
    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            if self._stop.is_set():
                conn.close()
                return
            self._connections.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _send(self, conn: socket.socket, msg_type: str, reply: Reply) -> None:
        error = _error_stack(reply.errors) if reply.errors else b""
        conn.sendall(iRODSMessage(msg_type=msg_type, msg=reply.msg, error=error,
                                  int_info=reply.code).pack())

    def _serve(self, conn: socket.socket) -> None:
        side = SandboxSide(self.sandbox_dir)
        try:
            with conn:
                startup = iRODSMessage.recv(conn)
                pack = startup.get_main_message(_StartupPack)
                self.requests.append(Request(startup.msg_type, 0, startup.msg or b"", pack))
                user = f"{pack.clientUser}#{pack.clientRcatZone}"
                version = VersionResponse(status=0, relVersion=self.version, apiVersion="d",
                                          reconnPort=0, reconnAddr="", cookie=400)
                self._send(conn, "RODS_VERSION", Reply(0, version))
                challenge = ""
                authenticated = False
                while True:
                    try:
                        message = iRODSMessage.recv(conn)
                    except OSError:
                        return
                    request = Request(message.msg_type, int(message.int_info),
                                      message.msg or b"")
                    self.requests.append(request)
                    if message.msg_type == "RODS_DISCONNECT":
                        return
                    if request.api == AUTHENTICATION_APN:
                        data = message.get_json_encoded_struct()
                        request.decoded = data
                        reply, challenge, authenticated = self._authenticate(
                            data, challenge, authenticated)
                    elif not authenticated:
                        reply = Reply(CAT_INVALID_AUTHENTICATION,
                                      errors=[(CAT_INVALID_AUTHENTICATION, "not logged in")])
                    else:
                        side.user = user
                        reply = self._dispatch(side, request, message)
                    self._send(conn, "RODS_API_REPLY", reply)
        except Exception as exc:  # recorded: a test asserts there were none
            self.failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            side.close()

    def _authenticate(self, data: dict, challenge: str,
                      authenticated: bool) -> tuple[Reply, str, bool]:
        step = data.get("next_operation")
        if step == "auth_agent_auth_request":
            challenge = "".join(random.choice(string.ascii_letters)
                                for _ in range(CHALLENGE_LEN))
            answer = dict(data, request_result=challenge)
            payload = json.dumps(answer).encode("utf-8")
            return Reply(0, BinBytesBuf(buflen=len(payload), buf=payload)), challenge, False
        if step == "auth_agent_auth_response" and challenge and \
                data.get("digest") == digest(challenge, self.password):
            payload = json.dumps(dict(data, next_operation="auth_agent_auth_response")).encode()
            return Reply(0, BinBytesBuf(buflen=len(payload), buf=payload)), challenge, True
        return Reply(CAT_INVALID_AUTHENTICATION, errors=[
            (CAT_INVALID_AUTHENTICATION, "authentication failed")]), challenge, authenticated

    def _dispatch(self, side: SandboxSide, request: Request, message: Any) -> Reply:
        if request.api == EXEC_MY_RULE_AN:
            request.decoded = RuleCall.read(request.body)
            if self.hold_rules and self._release.wait(timeout=self.hold_seconds):
                return Reply(SYS_NOT_SUPPORTED)  # stopped meanwhile: nobody waits for it
            return side.exec_my_rule(request.decoded)
        if request.api == GEN_QUERY_AN:
            request.decoded = message.get_main_message(GenQueryRequest)
            reply, texts, queue_read = side.gen_query(request.decoded)
            if queue_read:  # the delay server works between two reads of the queue
                side.sb.run_delayed(advance=self.delay_step)
                reply, texts, _ = side.gen_query(request.decoded)
            self.queries.extend(texts)
            return reply
        if request.api == DATA_OBJ_CHKSUM_AN:
            request.decoded = message.get_main_message(FileOpenRequest)
            return side.chksum(request.decoded)
        self.unhandled.append(request)
        return Reply(SYS_NOT_SUPPORTED, errors=[(SYS_NOT_SUPPORTED, "not in the fake")])


def write_environment(path: Path, server: FakeIrods, user: str) -> Path:
    """Write the irods_environment.json for ``user`` and return its path."""
    path.write_text(json.dumps(server.environment(user)), encoding="utf-8")
    return path


def options(env: Path, extra: Optional[list[str]] = None) -> list[str]:
    """The command-line options of a live run against the fake."""
    return ["--irods-env", str(env), *(extra or [])]
