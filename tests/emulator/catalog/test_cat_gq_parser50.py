"""The 5.0 GenQuery1 parser against the upstream parser tests (GenQuery2: test_cat_genquery2.py).

Sources: irods unit_tests/src/test_genquery1_flex_bison_parser.cpp@5.0.2 L105-145 (error codes)
and L147-250 (``\\x27`` unescaped); lib/genquery1/dsl/lexer.l@5.0.2 (``''``), parser.y (no
``n<``, ``in`` without parentheses).
"""

from __future__ import annotations

import pytest
from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import IrodsCallError
from b2safe_sandbox.gq import parser50
from b2safe_sandbox.gq.parser import Predicate

BAD = CODES["INPUT_ARG_NOT_WELL_FORMED_ERR"]
HIER = "select DATA_RESC_HIER where DATA_NAME = 'foo' and DATA_RESC_HIER "


def code(fn, *args):
    with pytest.raises(IrodsCallError) as info:
        fn(*args)
    return info.value.code


@pytest.mark.parametrize("query, expected", [
    ("bad formatting", BAD),
    ("select DATA_RESC_GROUP_NAME where DATA_NAME = 'x'", CODES["NO_COLUMN_NAME_FOUND"]),
    ("select bad_aggregate_func(COLL_NAME)", CODES["INVALID_GENQUERY_AGGREGATE_FUNCTION"]),
    (HIER + "'root;mid;leaf'", BAD),
    (HIER + "== 'root;mid;leaf'", BAD),
    (HIER + "lik 'root;mid;leaf1' || like 'root;mid;leaf1'", BAD),
    (HIER + "like not like 'root;mid;leaf'", BAD),
    (HIER + "not 'root;mid;leaf'", BAD),
    (HIER + "not not like 'root;mid;leaf'", BAD),
    (HIER + "notlike 'root;mid;leaf'", BAD),
    ("select DATA_NAME where DATA_SIZE n< '3'", BAD),
    ("select DATA_NAME where DATA_NAME not in ('a')", BAD),
    ("select DATA_NAME where DATA_NAME = 'open", BAD),
])
def test_errors_as_the_upstream_parser_test(query, expected):
    assert code(parser50.parse_query, query) == expected


def test_escapes_and_in_without_parentheses():
    query = parser50.parse_query("select DATA_ID where DATA_NAME = 'data\\x27_object' and "
                                 "COLL_NAME in 'a''b', 'c' and DATA_SIZE != '1'")
    assert query.conditions[0].predicates == (Predicate("=", ("data'_object",)),)
    assert query.conditions[1].predicates == (Predicate("in", ("a'b", "c")),)
    assert query.conditions[2].predicates == (Predicate("<>", ("1",)),)
    assert parser50.parse("count(DATA_ID), DATA_NAME", "").selections[0].func == "COUNT"

