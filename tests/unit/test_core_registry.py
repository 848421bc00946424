"""PREP treats every attribute of ``core`` as a rule: core must expose exactly the registry."""

import importlib
import runpy
from pathlib import Path

from b2safe.prep import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
# PREP injects these into core's namespace before every call; they are not ours.
PREP_INJECTED = {"irods_types", "irods_errors"}


def test_dir_core_equals_registry():
    core = importlib.import_module("core")
    exposed = {n for n in dir(core) if not n.startswith("__")} - PREP_INJECTED
    assert exposed == set(REGISTRY)
    for name in exposed:
        assert getattr(core, name) is REGISTRY[name].entry


def test_core_is_a_single_import():
    namespace = runpy.run_path(str(ROOT / "core.py"))
    public = {n for n in namespace if not n.startswith("__")}
    assert public == set(REGISTRY)


def test_sandbox_core_asset_matches_deployed_core():
    shipped = ROOT / "b2safe-sandbox" / "b2safe_sandbox" / "assets" / "core.py"
    assert shipped.read_text() == (ROOT / "core.py").read_text()


def test_every_rule_says_with_whose_rights_it_acts():
    """docs/rules.md and docs/security.md list it per rule and PEP (b2safe.ruleset.rights)."""
    import b2safe.ruleset  # noqa: F401 - fills the registry
    from b2safe.prep.registry import REGISTRY
    from b2safe.ruleset.rights import RIGHTS

    assert sorted(RIGHTS) == sorted(REGISTRY)
    assert all(text.strip() for text in RIGHTS.values())
