#!/usr/bin/env python3
"""Benchmark: one Handle record PUT by each HTTP client library (a script, not a test).

Creates ``--count`` handles (default 2000) on a sandbox Handle server with one kept-alive
connection per client: the stdlib ``http.client`` (the floor), ``urllib3``, ``requests`` (with
and without its per-request environment lookups, ``trust_env``), b2safe's PUT as it was sent
before (pyhandle's connector over requests, with b2safe's transport adapter: timeouts, deadline,
URL check, size cap, counters) and as it is sent now (b2safe's http.client transport with the same
guards, in a Handle session), and ``httpx`` when installed. Prints the client-side CPU (the
calling thread's ``thread_time``: the server's threads are not counted) and wall time per PUT.

    python scripts/bench_http_clients.py [--count 2000] [--json FILE]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
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


def body(i: int) -> str:
    return json.dumps({"values": [
        {"index": 100, "type": "HS_ADMIN", "data": {"format": "admin", "value": {
            "handle": f"0.NA/{PREFIX}", "index": 200, "permissions": "011111110011"}}},
        {"index": 1, "type": "URL", "data": {"format": "string", "value": f"irods://z/o/{i}"}},
        {"index": 2, "type": "CHECKSUM", "data": {"format": "string", "value": f"sha2:{i}"}}]})


def clients(base: str, host: str, port: int) -> dict[str, Callable[[], Callable[[str, str], int]]]:
    """Name -> factory of a ``put(path, body) -> status`` function (one connection each)."""

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

    def b2safe_service() -> Any:
        from b2safe.adapters.handle.credentials import HandleCredentials
        from b2safe.adapters.handle.rest import PidService

        service = PidService(HandleCredentials.from_dict({
            "handle_server_url": base, "prefix": PREFIX, "username": USER,
            "password": PASSWORD}), workers=1)
        service.connect()
        return service

    def b2safe_now() -> Callable[[str, str], int]:
        service = b2safe_service()

        def put(path: str, text: str) -> int:
            handle = path.split("/api/handles/", 1)[1].split("?")[0]
            return service._put(handle, json.loads(text)["values"], overwrite=False).status
        return put

    def b2safe_before() -> Callable[[str, str], int]:
        service = b2safe_service()
        connector = service._get_client()._RESTHandleClient__handlesystemconnector

        def put(path: str, text: str) -> int:
            handle = path.split("/api/handles/", 1)[1].split("?")[0]
            response, _ = connector.send_handle_put_request(
                handle=handle, list_of_entries=json.loads(text)["values"], overwrite=False)
            return int(response.status_code)
        return put

    found: dict[str, Callable[[], Callable[[str, str], int]]] = {
        "http.client (stdlib)": stdlib, "urllib3": urllib3_pool,
        "requests, trust_env off": requests_session(False),
        "requests, trust_env on": requests_session(True),
        "b2safe before: pyhandle+requests": b2safe_before,
        "b2safe now: http.client, session": b2safe_now}
    try:
        import httpx  # noqa: F401
        found["httpx"] = httpx_client
    except ImportError:
        pass
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="b2safe-bench-") as tmp:
        server = HandleServer(Path(tmp) / "handle", prefix=PREFIX, users={USER: PASSWORD})
        base = server.start()
        try:
            for name, factory in clients(base, "127.0.0.1", server.port).items():
                put = factory()
                tag = name.split()[0].replace(".", "")
                for i in range(20):  # warm up: connection, imports
                    put(f"/api/handles/{PREFIX}/W-{tag}-{name[-3:]}-{i}", body(i))
                cpu, wall = time.thread_time(), time.perf_counter()
                for i in range(args.count):
                    status = put(f"/api/handles/{PREFIX}/{tag}-{name[-3:]}-{i}"
                                 "?overwrite=false", body(i))
                    if status not in (200, 201):
                        raise SystemExit(f"{name}: PUT answered {status}")
                rows.append({"client": name, "count": args.count,
                             "client_cpu_us_per_put": round(
                                 (time.thread_time() - cpu) * 1e6 / args.count, 1),
                             "wall_us_per_put": round(
                                 (time.perf_counter() - wall) * 1e6 / args.count, 1)})
                print(f"{name}: done", file=sys.stderr, flush=True)
        finally:
            server.stop()
    print(f"{'client':34} {'client CPU us/PUT':>18} {'wall us/PUT':>12}")
    for row in rows:
        print(f"{row['client']:34} {row['client_cpu_us_per_put']:>18} "
              f"{row['wall_us_per_put']:>12}")
    if args.json:
        write_json(args.json, "http_clients", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
