"""GenQuery1 grammar: examples, errors, and hypothesis-generated valid queries and garbage."""

from __future__ import annotations

import pytest
from b2safe_sandbox import gq
from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import (
    INPUT_ARG_NOT_WELL_FORMED_ERR,
    NO_COLUMN_NAME_FOUND,
    IrodsCallError,
)
from b2safe_sandbox.gq import Condition, Predicate, Selection
from cat_helpers import ALICE, BOB, FakeClock, make_zone, raises_code
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

INVALID_GENQUERY_AGGREGATE_FUNCTION = CODES["INVALID_GENQUERY_AGGREGATE_FUNCTION"]


def test_full_query_example():
    q = gq.parse_query("select COLL_NAME, count(DATA_ID), ORDER_DESC(DATA_SIZE) where "
                       "DATA_NAME = 'a' || like 'b%' AND DATA_SIZE n>= '5' and "
                       "META_DATA_ATTR_NAME in ('x', 'y') and DATA_REPL_NUM between '0' '1' "
                       "and COLL_NAME not like '/z/trash%'")
    assert q.selections == (Selection("COLL_NAME"), Selection("DATA_ID", "COUNT"),
                            Selection("DATA_SIZE", "ORDER_DESC"))
    assert [s.label for s in q.selections] == ["COLL_NAME", "COUNT(DATA_ID)",
                                               "ORDER_DESC(DATA_SIZE)"]
    assert q.conditions[0] == Condition("DATA_NAME", (Predicate("=", ("a",)),
                                                      Predicate("like", ("b%",))), ("||",))
    assert q.conditions[1].predicates == (Predicate("n>=", ("5",)),)
    assert q.conditions[2].predicates == (Predicate("in", ("x", "y")),)
    assert q.conditions[3].predicates == (Predicate("between", ("0", "1")),)
    assert q.conditions[4].predicates == (Predicate("not like", ("/z/trash%",)),)


def test_values_keep_everything_but_quotes():
    cond = gq.parse_conditions("DATA_NAME = ' spaced, (odd) || and %_ \"x\" '")
    assert cond[0].predicates[0].values == (' spaced, (odd) || and %_ "x" ',)
    assert gq.parse_conditions("DATA_NAME = ''")[0].predicates[0].values == ("",)


def test_numeric_and_other_operators():
    for op in ("=", "<>", "<", ">", "<=", ">=", "n=", "n<>", "n<", "n>", "n<=", "n>="):
        cond = gq.parse_conditions(f"DATA_SIZE {op} '1'")
        assert cond[0].predicates[0].op == op
    assert gq.parse_conditions("DATA_SIZE != '1'")[0].predicates[0].op == "<>"
    assert gq.parse_conditions("DATA_SIZE N< '1'")[0].predicates[0].op == "n<"
    cond = gq.parse_conditions("DATA_SIZE > '1' && < '5'")[0]
    assert cond.joiners == ("&&",)
    assert gq.parse_conditions("DATA_NAME not in ('a') and DATA_SIZE not between '1' '2'")


def test_upper_cased_conditions_parse():
    text = "COLL_NAME LIKE '/Z/%' AND DATA_NAME NOT LIKE 'A%' AND DATA_SIZE N> '1'"
    assert len(gq.parse_conditions(text)) == 3


def test_select_forms():
    assert gq.parse_select(["DATA_NAME", "MAX(DATA_SIZE)"]) == gq.parse_select(
        "DATA_NAME, max(DATA_SIZE)")
    assert gq.parse("DATA_NAME", "").conditions == ()
    assert gq.parse_query("SELECT ZONE_NAME").conditions == ()


@pytest.mark.parametrize("columns", ["", "DATA_NAME,", "DATA_NAME DATA_SIZE",
                                     "COUNT(DATA_NAME", "COUNT()", "'DATA_NAME'", "DATA_NAME;"])
def test_bad_select(columns):
    with raises_code(INPUT_ARG_NOT_WELL_FORMED_ERR):
        gq.parse_select(columns)


def test_unknown_function():
    # INVALID_GENQUERY_AGGREGATE_FUNCTION since 4.3.4 (lib/genquery1/dsl/parser.y@5.0.2).
    with raises_code(INVALID_GENQUERY_AGGREGATE_FUNCTION):
        gq.parse_select("FOO(DATA_NAME)")


@pytest.mark.parametrize("conditions", [
    "DATA_NAME", "DATA_NAME =", "DATA_NAME = a", "DATA_NAME = 'a", "DATA_NAME == 'a'",
    "DATA_NAME = 'a' or DATA_SIZE = '1'", "DATA_NAME = 'a' and", "DATA_NAME in 'a'",
    "DATA_NAME in ('a' 'b')", "DATA_NAME between 'a'", "DATA_NAME not = 'a'",
    "DATA_NAME = 'a' ||", "= 'a'", "DATA_NAME = 'it''s'", "DATA_NAME like 'a' 'b'",
    "DATA_NAME = 'a' DATA_SIZE = '1'", "DATA_NAME in ()"])
def test_bad_conditions(conditions):
    with raises_code(INPUT_ARG_NOT_WELL_FORMED_ERR):
        gq.parse_conditions(conditions)


def test_unknown_columns():
    with raises_code(NO_COLUMN_NAME_FOUND):
        gq.parse_select("DATA_NAMES")
    with raises_code(NO_COLUMN_NAME_FOUND):
        gq.parse_select("data_name")  # column names are case-sensitive
    with raises_code(NO_COLUMN_NAME_FOUND):
        gq.parse_conditions("NOPE = 'x'")
    with raises_code(NO_COLUMN_NAME_FOUND):
        gq.parse_query("SELECT COUNT(NOPE)")


def test_bad_whole_queries():
    for text in ("DATA_NAME", "SELECT", "SELECT DATA_NAME WHERE", "SELECT DATA_NAME WHERE x"):
        with pytest.raises(IrodsCallError) as info:
            gq.parse_query(text)
        assert info.value.code in (INPUT_ARG_NOT_WELL_FORMED_ERR, NO_COLUMN_NAME_FOUND,
                                   INVALID_GENQUERY_AGGREGATE_FUNCTION)


# -- hypothesis ---------------------------------------------------------------------------------

COLUMN_NAMES = sorted(gq.COLUMNS)
VALUE = st.text(st.characters(blacklist_characters="'", blacklist_categories=("Cs",)),
                max_size=12)
FUNCS = st.sampled_from([None, None, "COUNT", "SUM", "MIN", "MAX", "AVG", "ORDER",
                         "ORDER_DESC", "order"])


@st.composite
def selections(draw):
    cols = draw(st.lists(st.sampled_from(COLUMN_NAMES), min_size=1, max_size=3))
    out = []
    for col in cols:
        func = draw(FUNCS)
        out.append(f"{func}({col})" if func else col)
    return out


def _quote(value: str) -> str:
    return f"'{value}'"


@st.composite
def predicate(draw):
    kind = draw(st.sampled_from(["op", "like", "in", "between"]))
    if kind == "op":
        op = draw(st.sampled_from(["=", "<>", "!=", "<", ">", "<=", ">=", "n=", "n<", "n<=",
                                   "n>", "n>=", "n<>"]))
        return f"{op} {_quote(draw(VALUE))}"
    neg = draw(st.sampled_from(["", "not ", "NOT "]))
    if kind == "like":
        return f"{neg}{draw(st.sampled_from(['like', 'LIKE']))} {_quote(draw(VALUE))}"
    if kind == "in":
        values = draw(st.lists(VALUE, min_size=1, max_size=3))
        return f"{neg}in (" + ", ".join(_quote(v) for v in values) + ")"
    return f"{neg}between {_quote(draw(VALUE))} {_quote(draw(VALUE))}"


@st.composite
def conditions(draw):
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        column = draw(st.sampled_from(COLUMN_NAMES))
        preds = draw(st.lists(predicate(), min_size=1, max_size=3))
        joiner = draw(st.sampled_from([" || ", " && ", "||"]))
        parts.append(f"{column} " + joiner.join(preds))
    return draw(st.sampled_from([" and ", " AND "])).join(parts)


@pytest.fixture(scope="module")
def qcat(tmp_path_factory):
    cat = make_zone(tmp_path_factory.mktemp("gqzone"), FakeClock())
    cat.data_put("/tempZone/home/alice/f", b"abc", ALICE, checksum=True)
    cat.avu_add("-d", "/tempZone/home/alice/f", "k", "v")
    cat.avu_add("-C", "/tempZone/home/alice", "k", "v")
    cat.delay_add("callback.x()", ALICE, 5, "1h", 5, "")
    yield cat
    cat.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(selections(), conditions(), st.booleans(), st.booleans(),
       st.sampled_from([None, ALICE, BOB]))
def test_generated_valid_queries_parse_and_run(qcat, cols, conds, distinct, upper, actor):
    query = gq.parse(cols, conds)
    assert len(query.selections) == len(cols)
    result = qcat.genquery(cols, conds, actor, no_distinct=not distinct,
                           upper_case_where=upper, total_row_count=True, max_rows=5)
    assert len(result.columns) == len(cols)
    assert all(len(row) == len(cols) and all(isinstance(v, str) for v in row)
               for row in result.rows)
    assert result.total is not None and result.total >= len(result.rows)
    assert result.has_more == (result.total > len(result.rows))
    whole = gq.parse_query(f"SELECT {', '.join(cols)}" + (f" WHERE {conds}" if conds else ""))
    assert whole == query


TOKENS = st.sampled_from(["DATA_NAME", "COLL_NAME", "META_DATA_ATTR_VALUE", "NOPE", "data_name",
                          "=", "<>", "n<", "like", "not", "in", "between", "and", "AND", "or",
                          "||", "&&", "(", ")", ",", "'x'", "'", "'%'", "COUNT", "ORDER_DESC",
                          "SELECT", "WHERE", " ", "n", ";", "\"", "\\", "'a b'", "0"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=40), st.lists(TOKENS, max_size=12).map(" ".join),
                 st.lists(TOKENS, max_size=12).map("".join)),
       st.lists(TOKENS, max_size=4).map(", ".join))
def test_garbage_raises_only_the_right_errors(qcat, conds, cols):
    for call in (lambda: qcat.genquery(cols or "DATA_NAME", conds, BOB, max_rows=3),
                 lambda: gq.parse_query(conds),
                 lambda: qcat.genquery("DATA_NAME", conds, None, max_rows=3)):
        try:
            call()
        except IrodsCallError as exc:
            assert exc.code in (INPUT_ARG_NOT_WELL_FORMED_ERR, NO_COLUMN_NAME_FOUND,
                                INVALID_GENQUERY_AGGREGATE_FUNCTION), exc
