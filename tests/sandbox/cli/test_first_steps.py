"""The documented first steps, typed as a newcomer types them: relative directories, commands
run twice, ``ils -r``, the irule RULE_NAME form, ``python3 -m b2safe``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def b2safe(cwd: Path, *argv: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "b2safe", *argv], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def test_init_with_a_relative_directory_then_rules_work(tmp_path):
    done = b2safe(tmp_path, "sandbox", "init", "--dir", "sbx")
    assert done.returncode == 0, done.stderr
    config = json.loads(next((tmp_path / "sbx").glob("zones/*/etc/irods/b2safe.json"))
                        .read_text())
    assert Path(config["pid"]["credentials_file"]).is_absolute()
    version = b2safe(tmp_path, "rule", "getB2SAFEVersion", "--sandbox", "sbx")
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("version = ")
    irule = b2safe(tmp_path, "sandbox", "irule", "-r", "irods_rule_engine_plugin-python-instance",
                   "getB2SAFEVersion", "null", "ruleExecOut", "--dir", "sbx")
    assert irule.returncode == 0, irule.stderr
    assert irule.stdout == version.stdout  # PREP's "irule RULE_NAME" form prints the OUTs


def test_init_twice_keeps_the_sandbox(tmp_path):
    assert b2safe(tmp_path, "sandbox", "init", "--dir", "sbx").returncode == 0
    put = b2safe(tmp_path, "sandbox", "iput", str(Path(__file__)), "/tempZone/home/rods/x.py",
                 "--dir", "sbx")
    assert put.returncode == 0, put.stderr
    again = b2safe(tmp_path, "sandbox", "init", "--dir", "sbx")
    assert again.returncode == 0
    assert "kept as it is" in again.stdout
    listing = b2safe(tmp_path, "sandbox", "ils", "--dir", "sbx", "/tempZone/home/rods")
    assert "x.py" in listing.stdout  # nothing was reset
    other = b2safe(tmp_path, "sandbox", "init", "--dir", "sbx", "--zones", "a,b")
    assert other.returncode == 2 and "already holds a sandbox" in other.stderr


def test_demo_with_a_relative_directory_and_recursive_ils(tmp_path):
    demo = b2safe(tmp_path, "demo", "--dir", "./demo-sandbox", "--quick")
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    listing = b2safe(tmp_path, "sandbox", "ils", "--dir", "./demo-sandbox", "-r",
                     "/zoneB/replicas")
    assert listing.returncode == 0, listing.stderr
    headers = [line for line in listing.stdout.splitlines() if line.endswith(":")]
    assert headers[:2] == ["/zoneB/replicas:", "/zoneB/replicas/dataset:"]
    assert "/zoneB/replicas/dataset/raw:" in headers
    assert any(line.strip().endswith(".csv") for line in listing.stdout.splitlines())
