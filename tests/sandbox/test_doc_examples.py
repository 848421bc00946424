"""The pytest example in docs/sandbox.md runs as written (the guide must not drift)."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "sandbox.md"


def test_sandbox_guide_example(tmp_path):
    text = DOC.read_text(encoding="utf-8")
    code = re.search(r"## In pytest.*?```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    make = namespace["sb"]
    fixture = getattr(make, "__wrapped__", make)(tmp_path)  # pytest >= 8 wraps fixtures
    sandbox = next(fixture)
    try:
        namespace["test_my_policy_creates_a_pid_on_upload"](sandbox)
    finally:
        next(fixture, None)
