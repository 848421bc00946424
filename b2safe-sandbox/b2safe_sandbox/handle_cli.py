"""``b2safe sandbox handle-server`` and ``b2safe sandbox handle get|list``.

The Handle server keeps its state in ``<sandbox dir>/handle/handles.sqlite``
(:func:`state_dir_for`); ``handle get`` and ``handle list`` read that file directly, so they work
whether or not a server is running. Secrets (HS_SECKEY values) are masked in the output.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Union

from b2safe_sandbox.errors import SYS_INVALID_INPUT_PARAM, USER_FILE_DOES_NOT_EXIST, SandboxError

DEFAULT_DIR = "b2safe-sandbox"
HANDLE_SUBDIR = "handle"
PASSWORD_ENV = "B2SAFE_SANDBOX_HANDLE_PASSWORD"  # noqa: S105 - the variable's name
DEFAULT_PREFIX = "21.T12345"
DIR_HELP = "sandbox directory (default: $B2SAFE_SANDBOX or ./b2safe-sandbox)"


def default_dir() -> str:
    """The sandbox directory when ``--dir`` is not given (as the other sandbox commands)."""
    return os.environ.get("B2SAFE_SANDBOX") or os.path.join(os.getcwd(), DEFAULT_DIR)


def state_dir_for(sandbox_dir: Union[str, Path]) -> Path:
    """Where the sandbox Handle server of ``sandbox_dir`` keeps its state."""
    return Path(sandbox_dir) / HANDLE_SUBDIR


def add_parser(subparsers: Any) -> None:
    """Add ``handle-server`` and ``handle get|list`` to an argparse sub-parsers object."""
    server = subparsers.add_parser(
        "handle-server", help="run the sandbox Handle REST + reverse-lookup server")
    server.add_argument("--dir", default=default_dir(), help=DIR_HELP)
    server.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    server.add_argument("--port", type=int, default=8000, help="port (0: any free port)")
    server.add_argument("--prefix", default=DEFAULT_PREFIX, help="Handle prefix served")
    server.add_argument("--user", default=None,
                        help="admin user index:prefix/suffix (default 300:PREFIX/USER01)")
    server.add_argument("--password", default=None,
                        help=f"the user's secret (default: ${PASSWORD_ENV})")
    server.add_argument("--latency-ms", type=int, default=0, help="added latency per request")
    server.add_argument("--tls", action="store_true",
                        help="serve HTTPS with a generated self-signed certificate")
    server.set_defaults(sandbox_func=_cmd_server)

    handle = subparsers.add_parser("handle", help="inspect the sandbox Handle records")
    handle_sub = handle.add_subparsers(dest="handle_command", metavar="ACTION")
    get = handle_sub.add_parser("get", help="print one handle record as JSON")
    get.add_argument("pid", help="prefix/suffix")
    get.add_argument("--dir", default=default_dir(), help=DIR_HELP)
    get.set_defaults(sandbox_func=_cmd_get)
    listing = handle_sub.add_parser("list", help="print the handles as a JSON list")
    listing.add_argument("--dir", default=default_dir(), help=DIR_HELP)
    listing.add_argument("--prefix", default="", help="only handles under this prefix")
    listing.set_defaults(sandbox_func=_cmd_list)


def _cmd_server(args: argparse.Namespace) -> int:
    from b2safe_sandbox.handle_server import HandleServer

    user = args.user or f"300:{args.prefix}/USER01"
    password = args.password or os.environ.get(PASSWORD_ENV)
    if not password:
        raise SandboxError(f"give --password or set {PASSWORD_ENV}", code=SYS_INVALID_INPUT_PARAM)
    index, sep, handle = user.partition(":")
    if not sep or not index.isdigit() or not handle.upper().startswith(args.prefix.upper() + "/"):
        raise SandboxError(f"--user {user!r} must be index:{args.prefix}/suffix",
                           code=SYS_INVALID_INPUT_PARAM)
    server = HandleServer(state_dir_for(args.dir), host=args.host, port=args.port,
                          prefix=args.prefix, users={user: password}, tls=args.tls,
                          latency_ms=args.latency_ms)
    server.serve_forever(on_ready=lambda url: _announce(server, url, user))
    return 0


def _announce(server: Any, url: str, user: str) -> None:
    print(f"Handle server on {url} (prefix {server.prefix}, user {user}); "
          f"reverse lookup on {url}/hrls/handles", flush=True)
    if server.cert_file:
        print(f"certificate: {server.cert_file} (use it as HTTPS_verify)", flush=True)
    print("Ctrl-C to stop", flush=True)


def _masked(values: list) -> list:
    out = []
    for value in values:
        if value.get("type") == "HS_SECKEY":
            value = dict(value, data={"format": "string", "value": "***"})
        out.append(value)
    return out


def _cmd_get(args: argparse.Namespace) -> int:
    from b2safe_sandbox.handle_server.store import HandleStore

    store = HandleStore(state_dir_for(args.dir))
    try:
        values = store.get(args.pid)
    finally:
        store.close()
    if values is None:
        raise SandboxError(f"PID {args.pid} not found in {state_dir_for(args.dir)}",
                           code=USER_FILE_DOES_NOT_EXIST)
    json.dump({"handle": args.pid, "values": _masked(values)}, sys.stdout, indent=2)
    print()
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from b2safe_sandbox.handle_server.store import HandleStore

    store = HandleStore(state_dir_for(args.dir))
    try:
        handles = store.list_handles(args.prefix)
    finally:
        store.close()
    json.dump(handles, sys.stdout, indent=2)
    print()
    return 0
