"""Generated reference documents must be current, and the schema must describe every key."""

from pathlib import Path

import pytest

from b2safe import config as cfg
from b2safe.ops.docgen import GENERATED

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("relative", sorted(GENERATED))
def test_generated_document_is_current(relative):
    current = (ROOT / relative).read_text(encoding="utf-8")
    assert current == GENERATED[relative](), f"{relative} is stale: run scripts/gen_docs.py"


def _properties(node, schema, where=""):
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].split("/")[-1]]
    for key, sub in node.get("properties", {}).items():
        yield f"{where}/{key}", sub
        yield from _properties(sub, schema, f"{where}/{key}")
    if "items" in node:
        yield from _properties(node["items"], schema, f"{where}[]")


def test_every_schema_key_is_described():
    schema = cfg.schema()
    missing = []
    for pointer, sub in _properties(schema, schema):
        resolved = schema["$defs"][sub["$ref"].split("/")[-1]] if "$ref" in sub else {}
        if pointer in ("/$schema", "/version"):
            continue
        if not sub.get("description") and not resolved.get("description"):
            missing.append(pointer)
    assert missing == []
