"""The pytest example in docs/sandbox.md runs as written (the guide must not drift)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "sandbox.md"


def test_sandbox_guide_example_passes_with_the_b2safe_world_fixture(tmp_path):
    # The example is a site's test file: run it with pytest on its own, as the site would, so
    # the b2safe_world fixture comes from the installed plugin (entry point pytest11).
    text = DOC.read_text(encoding="utf-8")
    code = re.search(r"## In pytest.*?```python\n(.*?)```", text, re.S).group(1)
    (tmp_path / "test_site_rules.py").write_text(code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_site_rules.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
