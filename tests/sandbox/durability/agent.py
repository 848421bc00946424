"""An agent process for the concurrency tests: opens a sandbox and runs rule calls.

Run as ``python -m tests.sandbox.durability.agent SANDBOX_DIR``. Once the sandbox is open it
prints ``ready``, then reads one JSON job from stdin, ``{"calls": [[zone, rule, [args...],
user], ...]}``: a test starts several agents, waits for every ``ready`` and then releases them
together by writing their jobs (the read is the start gate, no sleeping). It prints one JSON
line: ``[[code, rule_args], ...]``, one entry per call, in order.
"""

from __future__ import annotations

import json
import sys


def main(directory: str) -> int:
    from b2safe_sandbox.sandbox import Sandbox

    sandbox = Sandbox.open(directory)
    print("ready", flush=True)
    job = json.loads(sys.stdin.read())
    results = []
    try:
        for zone, rule, args, user in job["calls"]:
            outcome = sandbox.exec_rule(zone, rule, list(args), user)
            results.append([outcome.code, outcome.rule_args])
    finally:
        sandbox.close()
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
