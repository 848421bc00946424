"""``python -m b2safe_sandbox.delay_executor DIR [WARM_RULES]``: one delay-rule executor
process of the sandbox in DIR (started by :class:`b2safe_sandbox.runtime.executors.ExecutorPool`):
loads the zones' rule bases and runs the warm-up rules (a JSON list of [zone, text, user]),
prints ``ready``, waits for ``go`` on stdin, runs the due rules and prints the rules it ran and
its CPU seconds as one JSON line."""

from __future__ import annotations

import json
import sys
import time

from b2safe_sandbox.runtime.executors import GO, READY, run_claiming, warm_up
from b2safe_sandbox.sandbox import Sandbox


def main(directory: str, warm_rules: str = "[]") -> int:
    sandbox = Sandbox.open(directory)
    try:
        warm_up(sandbox, [tuple(rule) for rule in json.loads(warm_rules)])
        print(READY, flush=True)
        if sys.stdin.readline().strip() != GO:
            return 1
        cpu = time.process_time()
        results = run_claiming(sandbox)
    finally:
        sandbox.close()
    print(json.dumps({"cpu_seconds": time.process_time() - cpu,
                      "results": [vars(r) for r in results]}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
