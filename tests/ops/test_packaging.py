"""Both distributions build (sdist, then the wheel from that sdist, as ``python -m build``
does), and the wheels hold what the docs point to: rule files, the example configuration,
LICENSE, the console script and the sandbox's entry points."""

from __future__ import annotations

import configparser
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("build", reason="the 'build' package (test extra) is missing")

ROOT = Path(__file__).resolve().parents[2]


def build(source: Path, out: Path) -> tuple[Path, Path]:
    """sdist and wheel of ``source`` (no isolation: the installed setuptools, no download)."""
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir",
                           str(out), str(source)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [sdist] = out.glob("*.tar.gz")
    [wheel] = out.glob("*.whl")
    return sdist, wheel


@pytest.fixture(scope="module")
def b2safe_dists(tmp_path_factory):
    return build(ROOT, tmp_path_factory.mktemp("b2safe-dist"))


def test_b2safe_wheel_has_rules_example_config_and_license(b2safe_dists):
    sdist, wheel = b2safe_dists
    names = zipfile.ZipFile(wheel).namelist()
    data = f"{wheel.name.split('-py3')[0]}.data/data/share/b2safe"
    for rule_file in sorted((ROOT / "rules").glob("*.r")):
        assert f"{data}/rules/{rule_file.name}" in names
    assert f"{data}/conf/b2safe.example.json" in names
    assert f"{data}/core.py" in names
    assert any(n.endswith(".dist-info/LICENSE") for n in names)
    assert "b2safe/schema/b2safe.schema.json" in names
    assert "b2safe/__main__.py" in names  # python3 -m b2safe
    assert not any(n.startswith("b2safe_sandbox/") for n in names)
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith("entry_points.txt"))).decode()
    points = configparser.ConfigParser()
    points.read_string(entry_points)
    assert points["console_scripts"]["b2safe"] == "b2safe.cli:main"
    members = tarfile.open(sdist).getnames()
    assert any(m.endswith("/LICENSE") for m in members)
    assert any(m.endswith("/docs/installation.md") for m in members)


def test_sandbox_wheel_has_assets_and_plugs_into_b2safe(tmp_path):
    _, wheel = build(ROOT / "b2safe-sandbox", tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert "b2safe_sandbox/assets/core.py" in names
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith("entry_points.txt"))).decode()
    points = configparser.ConfigParser()
    points.read_string(entry_points)
    assert set(points["b2safe.commands"]) == {"sandbox", "demo"}
    assert points["b2safe.backends"]["sandbox"] == "b2safe_sandbox.backend:open_backend"
    assert "b2safe_sandbox" in points["pytest11"]
