"""The emulator's import graph: no circles, and only its b2safe-specific modules import b2safe.

The emulator is generic PREP infrastructure; what ties it to b2safe is named here. Built with
grimp (import-linter's graph library), which counts every import, also those inside functions.
"""

from __future__ import annotations

import grimp
import pytest

#: The modules that make a sandbox a b2safe installation, and the only ones that import b2safe.
B2SAFE_SPECIFIC = {
    "b2safe_sandbox.site",  # provisioning: b2safe.json, b2safe's core.py, its PID clients
    "b2safe_sandbox.backend",  # the `--sandbox DIR` backend of the b2safe command
    "b2safe_sandbox.demo",  # `b2safe demo`
    "b2safe_sandbox.pytest_plugin",  # the b2safe_world fixture
}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("b2safe_sandbox", "b2safe", cache_dir=None)


def emulator_circles(graph: grimp.ImportGraph) -> list[set[str]]:
    """The strongly connected sets of more than one b2safe_sandbox module (Tarjan)."""
    nodes = sorted(m for m in graph.modules if m.split(".")[0] == "b2safe_sandbox")
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.find_modules_directly_imported_by(node)):
            if other not in nodes:
                continue
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            members = set()
            while True:
                member = stack.pop()
                members.add(member)
                if member == node:
                    break
            if len(members) > 1:
                circles.append(members)

    for node in nodes:
        if node not in index:
            visit(node)
    return circles


def test_the_emulator_has_no_import_circle(graph):
    assert emulator_circles(graph) == []


def test_only_the_b2safe_specific_modules_import_b2safe(graph):
    importers = {
        importer
        for imported in graph.modules if imported.split(".")[0] == "b2safe"
        for importer in graph.find_modules_that_directly_import(imported)
        if importer.split(".")[0] == "b2safe_sandbox"
    }
    assert importers <= B2SAFE_SPECIFIC, sorted(importers - B2SAFE_SPECIFIC)



def test_only_the_runtime_uses_the_private_factories_of_irods_types():
    """``irods_types`` is what rules see as PREP's module, so its factories are private; code
    outside the runtime builds structs through ``runtime/structs.py``."""
    import ast
    from pathlib import Path

    import b2safe_sandbox

    root = Path(b2safe_sandbox.__file__).parent
    offenders = []
    for source in sorted(root.rglob("*.py")):
        if source.parent.name == "runtime" or "runtime" in source.relative_to(root).parts[:-1]:
            continue
        tree = ast.parse(source.read_text(encoding="utf-8"))
        aliases = {a.asname or a.name for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) for a in node.names
                   if a.name == "irods_types"}
        offenders += [f"{source.relative_to(root)}:{node.lineno}" for node in ast.walk(tree)
                      if isinstance(node, ast.Attribute) and node.attr.startswith("_")
                      and isinstance(node.value, ast.Name) and node.value.id in aliases]
    assert offenders == []
