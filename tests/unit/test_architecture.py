"""The layout is the architecture: import contracts, the drawn import graph, and a b2safe wheel
without the emulator (see docs/architecture.md)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import import_graph  # noqa: E402


def test_import_contracts_hold():
    # Layers point down, the adapters are independent, b2safe never imports b2safe_sandbox, and
    # neither distribution has an import circle (pyproject.toml [tool.importlinter]). Run apart:
    # import-linter reconfigures logging. This checkout's packages come first on the path.
    lint = (
        "import sys, b2safe, b2safe_sandbox\n"
        "for module in (b2safe, b2safe_sandbox):\n"
        "    assert module.__file__.startswith(sys.argv[1]), module.__file__\n"
        "from importlinter.cli import lint_imports\n"
        "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True))\n"
    )
    path = os.pathsep.join([str(ROOT), str(ROOT / "b2safe-sandbox")])
    result = subprocess.run([sys.executable, "-c", lint, str(ROOT)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": path}, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_drawn_import_graph_is_current():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert import_graph.current_block(text) == import_graph.block(), \
        "docs/architecture.md's import graph is stale: run scripts/import_graph.py --write"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True, capture_output=True, text=True)
    [built] = out.glob("b2safe-*.whl")
    return built


def test_the_b2safe_wheel_holds_no_emulator_code(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    packages = {name.split("/")[0] for name in names if not name.endswith(".dist-info/")}
    # .data/ holds the data files (share/b2safe: rule files, example configuration), no code
    assert {p for p in packages if not p.endswith((".dist-info", ".data"))} == {"b2safe"}
    assert not [n for n in names if "sandbox" in n.split("/")[-1] or "b2safe_sandbox" in n]
    assert "b2safe/ports.py" in names and "b2safe/ruleset/policy.py" in names


def test_importing_every_b2safe_module_imports_no_emulator_module(wheel, tmp_path):
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    probe = (
        "import importlib, pkgutil, sys, b2safe\n"
        "assert b2safe.__file__.startswith(sys.argv[1]), b2safe.__file__\n"
        "names = [m.name for m in pkgutil.walk_packages(b2safe.__path__, 'b2safe.')\n"
        "         if not m.name.endswith('__main__')]  # those run the command\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "print(len(names))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'b2safe_sandbox'))\n"
    )
    site = str(tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": site}
    result = subprocess.run([sys.executable, "-c", probe, site], cwd=tmp_path, env=env,
                            capture_output=True, text=True, check=True)
    count, emulator = result.stdout.splitlines()
    assert int(count) > 60
    assert emulator == "[]"
