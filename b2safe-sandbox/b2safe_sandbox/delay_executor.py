"""``python -m b2safe_sandbox.delay_executor DIR``: one delay-rule executor process of the
sandbox in DIR (started by :func:`b2safe_sandbox.runtime.executors.run_concurrently`); prints
the rules it ran as one JSON line."""

from __future__ import annotations

import json
import sys

from b2safe_sandbox.runtime.executors import run_claiming
from b2safe_sandbox.sandbox import Sandbox


def main(directory: str) -> int:
    sandbox = Sandbox.open(directory)
    try:
        results = run_claiming(sandbox)
    finally:
        sandbox.close()
    print(json.dumps([vars(r) for r in results], default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
