"""The guide's shell session: a sandbox in a relative directory, used by separate processes."""

from __future__ import annotations

import subprocess
import sys


def b2safe(cwd, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "b2safe.cli", *argv], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_a_relative_sandbox_dir_works_from_each_process(tmp_path):
    (tmp_path / "f.txt").write_text("hello\n")
    steps = [
        ("sandbox", "init", "--dir", "sbx", "--zones", "zoneA,zoneB"),
        ("sandbox", "iput", "f.txt", "/zoneA/home/alice/f.txt", "--dir", "sbx",
         "--user", "alice#zoneA"),
        ("pid", "create", "/zoneA/home/alice/f.txt", "--sandbox", "sbx", "--user", "alice#zoneA"),
        ("chain", "/zoneA/home/alice/f.txt", "--sandbox", "sbx", "--user", "alice#zoneA"),
    ]
    for step in steps:
        result = b2safe(tmp_path, *step)
        assert result.returncode == 0, (step, result.stdout, result.stderr)
    assert "[ok]" in result.stdout and "checksum matches" in result.stdout
