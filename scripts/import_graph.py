#!/usr/bin/env python3
"""The import graph of the b2safe package, drawn in docs/architecture.md.

Prints the graph (each package or top-level module of b2safe with the ones it imports, function-
level imports included); ``--write`` replaces the block between the markers in
docs/architecture.md. tests/unit/test_architecture.py fails when the drawing is stale. Needs
grimp (the ``test`` extra).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
START, END = "<!-- import-graph:start -->", "<!-- import-graph:end -->"


def _node(module: str) -> str:
    """``b2safe.workflows.pids`` -> ``workflows``; adapters are drawn one level deeper."""
    parts = module.split(".")[1:]
    if not parts:
        return "b2safe"
    depth = 2 if parts[0] == "adapters" and len(parts) > 1 else 1
    return "/".join(parts[:depth])


def graph() -> dict[str, set[str]]:
    """``{node: nodes it imports}`` of the b2safe package found on sys.path."""
    import grimp

    imports = grimp.build_graph("b2safe")
    edges: dict[str, set[str]] = defaultdict(set)
    for module in imports.modules:
        for imported in imports.find_modules_directly_imported_by(module):
            source, target = _node(module), _node(imported)
            if source != target and target != "b2safe":  # b2safe/__init__: __version__ only
                edges[source].add(target)
    return edges


def render() -> str:
    """The drawing: one line per node, its imports in order."""
    edges = graph()
    width = max(len(n) for n in edges)
    lines = [f"{node:<{width}} -> {', '.join(sorted(edges[node]))}" for node in sorted(edges)]
    return "\n".join(["```", *lines, "```"])


def block() -> str:
    """The marked block as it belongs in docs/architecture.md."""
    return f"{START}\n{render()}\n{END}"


def current_block(text: str) -> str:
    """The marked block as docs/architecture.md has it ('' when missing)."""
    if START not in text or END not in text:
        return ""
    return text[text.index(START):text.index(END) + len(END)]


def main(argv: list[str]) -> int:
    if "--write" in argv:
        text = DOC.read_text(encoding="utf-8")
        DOC.write_text(text.replace(current_block(text), block()), encoding="utf-8")
        print(f"wrote the import graph into {DOC.relative_to(ROOT)}")
    else:
        print(render())
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
