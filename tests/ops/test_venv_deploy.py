"""b2safe in a virtual environment: ``install`` run from the venv writes a core.py through which
PREP's interpreter (the system python3, which knows nothing of the venv) finds it."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

from b2safe.ops.install import IMPORT_LINE
from tests.ops.tree import ROOT, needs_root, run

pytestmark = needs_root


def make_venv(where: Path) -> tuple[Path, Path]:
    """A venv whose site-packages holds this checkout (as 'pip install' into it would)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages",
                    str(where)], check=True, timeout=120)
    python = where / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"], capture_output=True,
                             text=True, check=True).stdout.strip()
    site = Path(purelib)
    (site / "b2safe-checkout.pth").write_text(f"{ROOT}\n{ROOT / 'b2safe-sandbox'}\n")
    return python, site


def test_install_from_a_venv_makes_prep_find_it(etc, tmp_path):
    python, site = make_venv(tmp_path / "venv")
    done = subprocess.run([str(python), "-m", "b2safe", "install", "--config-dir", str(etc)],
                          capture_output=True, text=True, timeout=300, cwd="/",
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stdout + done.stderr
    core = (etc / "core.py").read_text()
    assert f'__import__("site").addsitedir({str(site)!r})' in core
    assert core.index("addsitedir") < core.index(IMPORT_LINE)
    # The base interpreter (not the venv's) imports core.py as PREP does and gets the venv's
    # b2safe: this checkout, not the one installed in the base interpreter.
    base = Path(sysconfig.get_paths()["scripts"]) / "python3"
    result = run("doctor", "--no-pid", "--json", "--config", str(etc / "b2safe.json"),
                 "--config-dir", str(etc), "--service-account", "root",
                 "--service-python", str(base if base.exists() else sys.executable))
    [python_check] = [c for c in json.loads(result.out)["checks"]
                      if c["name"] == "service-python"]
    assert python_check["state"] == "OK", python_check
    assert str(ROOT / "b2safe") in python_check["detail"]
    # uninstall from the venv recognises its own core.py and removes it
    undone = subprocess.run([str(python), "-m", "b2safe", "uninstall", "--config-dir", str(etc)],
                            capture_output=True, text=True, timeout=300, cwd="/",
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert undone.returncode == 0, undone.stderr
    assert not (etc / "core.py").exists()
