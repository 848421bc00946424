"""What a server's core.py defines besides b2safe's rules (a later definition replaces one)."""

from __future__ import annotations

import ast


def _empty_body(node: ast.FunctionDef) -> bool:
    body = [n for n in node.body if not (isinstance(n, ast.Expr)
                                         and isinstance(n.value, ast.Constant))]
    return all(isinstance(n, ast.Pass) for n in body)


def shadowing_definitions(text: str, rule_names: set[str]) -> tuple[list[str], list[str]]:
    """(empty, other) functions core.py defines after its b2safe import under a name b2safe
    registers: those replace b2safe's."""
    tree = ast.parse(text)
    import_line = next((n.lineno for n in tree.body
                        if isinstance(n, ast.ImportFrom) and n.module == "b2safe.ruleset"), None)
    empty: list[str] = []
    other: list[str] = []
    for node in tree.body:
        if import_line is None or node.lineno < import_line:
            continue
        if isinstance(node, ast.FunctionDef) and node.name in rule_names:
            (empty if _empty_body(node) else other).append(node.name)
    return empty, other
