"""`b2safe demo` (the README's main command) runs every step for real and says so."""

from __future__ import annotations

import re
import subprocess
import sys

from b2safe_sandbox.demo import run_demo


def test_demo_runs_every_step(tmp_path, capsys):
    assert run_demo(directory=str(tmp_path / "demo"), quick=True) == 0
    out = capsys.readouterr().out
    assert "PIDs created on ingest by the policy: 6 of 6" in out
    assert "copies registered by zoneB: 6 of 6" in out  # at once, by the user's own rule
    assert "(rods#zoneA): # of successes:0, # of failures:0" in out  # nothing left to retry
    assert "created=3 existing=6 failed=0" in out  # dataset, raw, processed
    assert out.count("::registered=true::recursive=true") == 2
    chain = re.findall(r"^\S.*\[ok\].*$|^\s*└── .*\[ok\].*$", out, re.M)
    assert len(chain) == 3, out
    assert "repaired=1" in out and "the replica's bytes equal the source's again" in out
    assert "Demo finished" in out


def test_demo_refuses_a_non_empty_directory(tmp_path, capsys):
    (tmp_path / "x").write_text("keep me")
    assert run_demo(directory=str(tmp_path), quick=True) == 1
    assert "not empty" in capsys.readouterr().err
    assert (tmp_path / "x").read_text() == "keep me"


def test_demo_command_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "b2safe.cli", "demo", "--quick", "--dir",
                           str(tmp_path / "d")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Demo finished" in done.stdout
