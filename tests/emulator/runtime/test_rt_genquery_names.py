"""The sandbox's ``genquery`` module offers the names PREP's offers, no more and no fewer.

Source: genquery.py of irods_rule_engine_plugin_python at 4.3.5.0 and 5.0.1 (the two files have
the same top-level names): module-level imports ``itertools``, ``re``, ``OrderedDict``, ``Enum``
and ``END_OF_RESULTSET`` (from irods_errors), then AUTO_CLOSE_QUERIES, __all__, MAX_SQL_ROWS,
Option, row_return_type, AS_DICT/AS_LIST/AS_TUPLE, Parser, the three GenQuery_*_Error classes,
Query, row_iterator, row_generator, paged_iterator, logPrinter and
test_python_RE_genquery_iterators.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from b2safe_sandbox.runtime import irods_errors

ASSET = Path(__file__).resolve().parents[3] / "b2safe-sandbox" / "b2safe_sandbox" / "assets" \
    / "genquery.py"
PREP_PUBLIC = {
    "AS_DICT", "AS_LIST", "AS_TUPLE", "AUTO_CLOSE_QUERIES", "END_OF_RESULTSET", "Enum",
    "GenQuery_Columns_Type_Error", "GenQuery_Options_Spec_Error", "GenQuery_Row_Return_Type_Error",
    "MAX_SQL_ROWS", "Option", "OrderedDict", "Parser", "Query", "itertools", "logPrinter",
    "paged_iterator", "re", "row_generator", "row_iterator", "row_return_type",
    "test_python_RE_genquery_iterators",
}
PREP_ALL = ["Query", "row_iterator", "paged_iterator", "AS_DICT", "AS_LIST", "AS_TUPLE"]


@pytest.fixture
def genquery(monkeypatch):
    monkeypatch.setitem(sys.modules, "irods_errors", irods_errors)
    spec = importlib.util.spec_from_file_location("genquery_under_test", ASSET)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_public_names_are_preps(genquery):
    public = {n for n in vars(genquery) if not n.startswith("_")}
    assert public == PREP_PUBLIC
    assert sorted(genquery.__all__) == sorted(PREP_ALL)


def test_row_shapes_are_classes_never_instances(genquery):
    with pytest.raises(NotImplementedError):
        genquery.AS_LIST()
    assert issubclass(genquery.AS_DICT, genquery.row_return_type)
    assert genquery.AUTO_CLOSE_QUERIES() is True
    assert genquery.END_OF_RESULTSET == -408000
    assert [p.name for p in genquery.Parser] == ["GENQUERY1", "GENQUERY2"]
