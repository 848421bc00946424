#!/usr/bin/env python3
"""Benchmark: one Handle record PUT by each HTTP client library (a script, not a test).

Creates ``--count`` handles (default 2000) on a sandbox Handle server with one kept-alive
connection per client: the stdlib ``http.client`` (the floor), ``urllib3``, ``requests`` (with
and without its per-request environment lookups, ``trust_env``), b2safe's PUT as it was sent
before (pyhandle's connector over requests, with b2safe's transport adapter: timeouts, deadline,
URL check, size cap, counters) and as it is sent now (b2safe's transport with the same guards, in
a Handle session, on its http.client engine and, when pycurl is installed, its pycurl engine),
and, each when installed (a note says which are not): ``httpx``, ``httpcore`` (httpx's
connection layer), ``pycurl`` (libcurl: one reused easy handle), ``curl_cffi`` (libcurl through
cffi: one reused ``Curl``) and ``pyreqwest`` (Rust's reqwest).
Every row is given the record's values and encodes them once (the libraries with
``json.dumps``, b2safe with its own encoder). The Handle server runs in a child process
(``--server-in-process``: in this one, as before).
Prints the client-side CPU per PUT two ways: the calling thread's ``thread_time`` and the whole
process's ``process_time`` (which also counts a client's own threads, e.g. pyreqwest's
runtime; it counts the server too when ``--server-in-process``), and the wall time.

    python scripts/bench_http_clients.py [--count 2000] [--json FILE] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT), str(ROOT / "b2safe-sandbox")]  # this checkout

from b2safe_sandbox.handle_server import HandleServer  # noqa: E402
from bench_common import write_json  # noqa: E402

PREFIX = "21.T12345"
USER = f"300:{PREFIX}/USER01"
PASSWORD = "bench-password"  # noqa: S105 - a throw-away sandbox server
HEADERS = {"Authorization": "Basic " + base64.b64encode(
    f"{quote(USER)}:{PASSWORD}".encode()).decode(), "Content-Type": "application/json"}


Values = list[dict[str, Any]]


def record(i: int) -> Values:
    """The values of the ``i``-th record PUT (what b2safe's PID client is given)."""
    return [
        {"index": 100, "type": "HS_ADMIN", "data": {"format": "admin", "value": {
            "handle": f"0.NA/{PREFIX}", "index": 200, "permissions": "011111110011"}}},
        {"index": 1, "type": "URL", "data": {"format": "string", "value": f"irods://z/o/{i}"}},
        {"index": 2, "type": "CHECKSUM", "data": {"format": "string", "value": f"sha2:{i}"}}]


def encoding(factory: Callable[[], Callable[[str, str], int]]
             ) -> Callable[[], Callable[[str, Values], int]]:
    """A client library's ``put(path, text)`` as a ``put(path, values)`` that encodes the
    values with ``json.dumps`` first, as b2safe's client encodes them (so that every row pays
    for one encoding, and b2safe's no decoding of a text it was never given)."""
    def make() -> Callable[[str, Values], int]:
        put = factory()
        return lambda path, values: put(path, json.dumps({"values": values}))
    return make


def clients(base: str, host: str, port: int
            ) -> dict[str, Callable[[], Callable[[str, Values], int]]]:
    """Name -> factory of a ``put(path, values) -> status`` function (one connection each)."""

    def stdlib() -> Callable[[str, str], int]:
        conn = http.client.HTTPConnection(host, port, timeout=30)

        def put(path: str, text: str) -> int:
            conn.request("PUT", path, text, HEADERS)
            answer = conn.getresponse()
            answer.read()
            return answer.status
        return put

    def urllib3_pool() -> Callable[[str, str], int]:
        import urllib3

        pool = urllib3.HTTPConnectionPool(host, port, maxsize=1, retries=False)
        return lambda path, text: pool.request("PUT", path, body=text, headers=HEADERS).status

    def requests_session(trust_env: bool) -> Callable[[], Callable[[str, str], int]]:
        def make() -> Callable[[str, str], int]:
            import requests

            session = requests.Session()
            session.trust_env = trust_env
            return lambda path, text: session.put(base + path, data=text, headers=HEADERS,
                                                  timeout=30).status_code
        return make

    def httpx_client() -> Callable[[str, str], int]:
        import httpx

        client = httpx.Client(base_url=base, timeout=30, trust_env=False)
        return lambda path, text: client.put(path, content=text, headers=HEADERS).status_code

    def httpcore_pool() -> Callable[[str, str], int]:
        import httpcore

        pool = httpcore.ConnectionPool(max_connections=1)
        return lambda path, text: pool.request("PUT", base + path, headers=HEADERS,
                                               content=text.encode()).status

    def pycurl_handle() -> Callable[[str, str], int]:
        import io

        import pycurl

        curl = pycurl.Curl()
        # "Expect:" off: libcurl would otherwise wait for a 100-continue before large bodies.
        curl.setopt(pycurl.HTTPHEADER, [f"{k}: {v}" for k, v in HEADERS.items()] + ["Expect:"])
        curl.setopt(pycurl.CUSTOMREQUEST, "PUT")
        curl.setopt(pycurl.TIMEOUT, 30)

        def put(path: str, text: str) -> int:
            answer = io.BytesIO()
            curl.setopt(pycurl.URL, base + path)
            curl.setopt(pycurl.POSTFIELDS, text)
            curl.setopt(pycurl.WRITEDATA, answer)
            curl.perform()
            return int(curl.getinfo(pycurl.RESPONSE_CODE))
        return put

    def curl_cffi_handle() -> Callable[[str, str], int]:
        import io

        from curl_cffi import Curl, CurlInfo, CurlOpt

        curl = Curl()
        headers = [f"{k}: {v}".encode() for k, v in HEADERS.items()] + [b"Expect:"]
        curl.setopt(CurlOpt.CUSTOMREQUEST, b"PUT")
        curl.setopt(CurlOpt.TIMEOUT, 30)

        def put(path: str, text: str) -> int:
            answer = io.BytesIO()
            curl.setopt(CurlOpt.URL, (base + path).encode())
            curl.setopt(CurlOpt.HTTPHEADER, headers)  # perform() clears the header list
            curl.setopt(CurlOpt.POSTFIELDS, text.encode())
            curl.setopt(CurlOpt.WRITEDATA, answer)
            curl.perform()
            return int(curl.getinfo(CurlInfo.RESPONSE_CODE))  # type: ignore[arg-type]
        return put

    def pyreqwest_client() -> Callable[[str, str], int]:
        from pyreqwest.client import SyncClientBuilder

        client = SyncClientBuilder().max_connections(1).build()

        def put(path: str, text: str) -> int:
            response = client.put(base + path).headers(HEADERS).body_bytes(
                text.encode()).build().send()
            response.bytes()
            return int(response.status)
        return put

    def b2safe_service(engine: str = "stdlib") -> Any:
        from b2safe.adapters.handle import transport
        from b2safe.adapters.handle.credentials import HandleCredentials
        from b2safe.adapters.handle.rest import PidService

        transport.ENGINE = engine
        service = PidService(HandleCredentials.from_dict({
            "handle_server_url": base, "prefix": PREFIX, "username": USER,
            "password": PASSWORD}), workers=1)
        service.connect()
        return service

    def b2safe_now(engine: str) -> Callable[[], Callable[[str, Values], int]]:
        def make() -> Callable[[str, Values], int]:
            service = b2safe_service(engine)

            def put(path: str, values: Values) -> int:
                handle = path.split("/api/handles/", 1)[1].split("?")[0]
                return service._put(handle, values, overwrite=False).status
            return put
        return make

    def b2safe_before() -> Callable[[str, Values], int]:
        service = b2safe_service()
        connector = service._get_client()._RESTHandleClient__handlesystemconnector

        def put(path: str, values: Values) -> int:
            handle = path.split("/api/handles/", 1)[1].split("?")[0]
            response, _ = connector.send_handle_put_request(
                handle=handle, list_of_entries=values, overwrite=False)
            return int(response.status_code)
        return put

    found: dict[str, Callable[[], Callable[[str, Values], int]]] = {
        "http.client (stdlib)": encoding(stdlib), "urllib3": encoding(urllib3_pool),
        "requests, trust_env off": encoding(requests_session(False)),
        "requests, trust_env on": encoding(requests_session(True)),
        "b2safe before: pyhandle+requests": b2safe_before,
        "b2safe now: http.client, session": b2safe_now("stdlib")}
    optional = {"httpx": ("httpx", encoding(httpx_client)),
                "httpcore": ("httpcore", encoding(httpcore_pool)),
                "pycurl, one handle": ("pycurl", encoding(pycurl_handle)),
                "b2safe now: pycurl, session": ("pycurl", b2safe_now("curl")),
                "curl_cffi, one handle": ("curl_cffi", encoding(curl_cffi_handle)),
                "pyreqwest": ("pyreqwest", encoding(pyreqwest_client))}
    for name, (module, factory) in optional.items():
        if importlib.util.find_spec(module) is None:
            print(f"{name}: not installed, skipped", file=sys.stderr)
        else:
            found[name] = factory
    return found


def serve(directory: str) -> int:
    """The child of ``main``: serve a sandbox Handle server, print its port, stop when stdin
    closes."""
    server = HandleServer(Path(directory), prefix=PREFIX, users={USER: PASSWORD})
    server.start()
    print(server.port, flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="only the clients whose name starts with one of these")
    parser.add_argument("--server-in-process", action="store_true",
                        help="run the Handle server in this process (its threads then count "
                             "in the process CPU column)")
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="b2safe-bench-") as tmp:
        if args.server_in_process:
            server = HandleServer(Path(tmp) / "handle", prefix=PREFIX, users={USER: PASSWORD})
            server.start()
            port, stop = server.port, server.stop
        else:
            child = subprocess.Popen([sys.executable, __file__, "--serve", tmp],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert child.stdin is not None and child.stdout is not None
            port = int(child.stdout.readline())

            def stop() -> None:
                assert child.stdin is not None
                child.stdin.close()
                child.wait(timeout=60)
        base = f"http://127.0.0.1:{port}"
        try:
            for name, factory in clients(base, "127.0.0.1", port).items():
                if args.only and not any(name.startswith(only) for only in args.only):
                    continue
                put = factory()
                tag = "".join(c for c in name if c.isalnum())  # a handle per row and PUT
                for i in range(20):  # warm up: connection, imports
                    put(f"/api/handles/{PREFIX}/W-{tag}-{i}", record(i))
                cpu, process, wall = time.thread_time(), time.process_time(), time.perf_counter()
                for i in range(args.count):
                    status = put(f"/api/handles/{PREFIX}/{tag}-{i}"
                                 "?overwrite=false", record(i))
                    if status not in (200, 201):
                        raise SystemExit(f"{name}: PUT answered {status}")
                rows.append({"client": name, "count": args.count,
                             "client_cpu_us_per_put": round(
                                 (time.thread_time() - cpu) * 1e6 / args.count, 1),
                             "process_cpu_us_per_put": round(
                                 (time.process_time() - process) * 1e6 / args.count, 1),
                             "wall_us_per_put": round(
                                 (time.perf_counter() - wall) * 1e6 / args.count, 1),
                             "server": "in-process" if args.server_in_process
                             else "own process"})
                print(f"{name}: done", file=sys.stderr, flush=True)
        finally:
            stop()
    print(f"{'client':34} {'thread CPU us/PUT':>18} {'process CPU us/PUT':>19} "
          f"{'wall us/PUT':>12}")
    for row in rows:
        print(f"{row['client']:34} {row['client_cpu_us_per_put']:>18} "
              f"{row['process_cpu_us_per_put']:>19} {row['wall_us_per_put']:>12}")
    if args.json:
        write_json(args.json, "http_clients", rows)
    return 0


if __name__ == "__main__":
    sys.exit(serve(sys.argv[2]) if sys.argv[1:2] == ["--serve"] else main())
