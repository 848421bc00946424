"""An agent process for the concurrency tests: opens a sandbox and runs rule calls.

Run as ``python -m tests.sandbox.durability.agent SANDBOX_DIR``. Once the sandbox is open it
prints ``ready``, then reads one JSON job line from stdin, ``{"calls": [[zone, rule, [args...],
user], ...], "barrier": ""}``: a test starts several agents, waits for every ``ready`` and then
releases them together by writing their jobs (the read is the start gate, no sleeping).

With ``"barrier": TEXT`` the agent stops before its first Handle ``PUT`` whose body contains
TEXT (after the reads that precede it): it prints ``barrier`` and waits for a line on stdin.
The test releases the agents once all stand there, so they write on what they all read: a
deterministic conflict. The agent prints one JSON line: ``[[code, rule_args], ...]``, one entry
per call, in order.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _stop_before_put(text: str) -> None:
    """Wait at the barrier before the first Handle PUT whose body contains ``text`` (on
    b2safe's http.client transport, which sends record reads and writes, or on pyhandle's
    ``requests``)."""
    import requests

    from b2safe.adapters.handle.transport import HandleHttp

    original = requests.adapters.HTTPAdapter.send
    original_http = HandleHttp.send
    waiting = [True]

    def wait(method: str, body: Any) -> None:
        body = body or b""
        body = body.decode() if isinstance(body, bytes) else str(body)
        if waiting[0] and method == "PUT" and text in body:
            waiting[0] = False
            print("barrier", flush=True)
            sys.stdin.readline()

    def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        wait(request.method, request.body)
        return original(self, request, *args, **kwargs)

    def http_send(self: Any, method: str, url: str, headers: Any, body: Any = None) -> Any:
        wait(method, body)
        return original_http(self, method, url, headers, body)

    requests.adapters.HTTPAdapter.send = send  # type: ignore[method-assign]
    HandleHttp.send = http_send  # type: ignore[method-assign]


def main(directory: str) -> int:
    from b2safe_sandbox.sandbox import Sandbox

    sandbox = Sandbox.open(directory)
    print("ready", flush=True)
    job = json.loads(sys.stdin.readline())
    if job.get("barrier"):
        _stop_before_put(job["barrier"])
    results = []
    try:
        for zone, rule, args, user in job["calls"]:
            outcome = sandbox.exec_rule(zone, rule, list(args), user)
            entry: list[Any] = [outcome.code, outcome.rule_args]
            if outcome.code:  # why it failed, for the test's message
                entry.append((outcome.traceback or "")[-600:])
            results.append(entry)
    finally:
        sandbox.close()
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
