"""GenQuery2 as the server parses and checks it, per iRODS version (b2safe_sandbox.gq.genquery2,
genquery2_sql). Each expectation cites the grammar rule, the SQL generator's check or the upstream
test it comes from (irods/irods at the tag named)."""

from __future__ import annotations

import pytest
from b2safe_sandbox.errors import IrodsCallError
from b2safe_sandbox.gq import genquery2 as gq2
from b2safe_sandbox.gq import genquery2_sql as gq2_sql

V43, V50 = (4, 3), (5, 0)
LIBRARY, INVALID, NOT_SUPPORTED = -167000, -130000, -66000


def code(text: str, version: tuple = V50) -> int:
    """0 when the query parses and passes the SQL generator's checks, else the error code."""
    try:
        gq2_sql.Plan(gq2.parse(text, version), version)
    except IrodsCallError as exc:
        return exc.code
    return 0


def rows(text: str, data: list[dict], version: tuple = V50) -> list[list[str]]:
    plan = gq2_sql.Plan(gq2.parse(text, version), version)
    return gq2_sql.evaluate(plan, data)


@pytest.mark.parametrize("version", [V43, V50])
@pytest.mark.parametrize("text, expected", [
    # test_iquery.py@5.0.2 ::test_iquery_returns_error_on_invalid_query_tokens__issue_7570
    (" ", LIBRARY), ("select", LIBRARY), ("select INVALID_COLUMN", INVALID),
    # ::test_iquery_returns_error_when_closing_single_quote_is_missing__issue_6393
    ("select COLL_NAME where COLL_NAME = '/tempZone/home", LIBRARY),
    # lexer.l@5.0.2: CASE, WHEN, ELSE, END, HAVING, EXISTS are tokens no parser.y rule uses.
    ("select DATA_NAME where DATA_NAME = 'a' having", LIBRARY),
    ("select case when DATA_NAME = 'a' then 'x' end", LIBRARY),
    ("select DATA_NAME where exists (select COLL_NAME)", LIBRARY),
    # parser.y@4.3.5/5.0.2 select rule: SELECT [DISTINCT]; `no` is an identifier since 4.3.5.
    ("select no distinct DATA_NAME", LIBRARY), ("select distinct DATA_NAME", 0),
    # parser.y column rule: CAST(IDENT AS IDENT [(POSITIVE_INTEGER)]).
    ("select cast(DATA_SIZE as varchar(10)), cast(DATA_ID as bigint)", 0),
    ("select cast(DATA_SIZE as varchar(-1))", LIBRARY),
    # function rule: any name, nested, literals, DISTINCT, and the empty first argument.
    ("select concat(lower(DATA_NAME), '-', 7), f(, 'x') where DATA_NAME = 'a'", 0),
    # range rule: positive integers only, in the orders the grammar lists.
    ("select DATA_NAME offset 2 fetch first 3 rows only", 0),
    ("select DATA_NAME limit 3 offset 2 order by DATA_NAME desc, DATA_SIZE", 0),
    ("select DATA_NAME limit -1", LIBRARY), ("select DATA_NAME limit 1 limit 2", LIBRARY),
    # genquery2_sql.cpp@5.0.2 to_sql(function) L1010-1016: DISTINCT in a function outside SELECT.
    ("select DATA_NAME where count(distinct DATA_ID) > '1'", INVALID),
    # generate_inner_joins L197-260 + "invalid general query" L1268-1270.
    ("select USER_NAME, DATA_NAME", INVALID), ("select ZONE_NAME, COLL_NAME", INVALID),
    ("select RESC_NAME, COLL_NAME, DATA_NAME", 0),
    # no table: to_sql returns no SQL (L1212-1214).
    ("select count()", INVALID),
    # GenQuery1 names are not GenQuery2's (genquery2_table_column_mappings.hpp).
    ("select DATA_OWNER_NAME", INVALID), ("select RULE_EXEC_NAME", INVALID),
    ("select DELAY_RULE_NAME", 0),
    # to_sql_for_order_by_clause: a column of a table the query does not join.
    ("select COLL_NAME order by DATA_NAME", INVALID),
    # setup_column_for_post_processing L853-890: the metadata alias is joined only for a
    # metadata column of SELECT or WHERE (else the database refuses it: db_plugin.cpp L15165).
    ("select DATA_NAME order by META_DATA_ATTR_NAME", LIBRARY),
    ("select DATA_NAME where META_DATA_ATTR_NAME = 'a' order by META_DATA_ATTR_VALUE", 0),
])
def test_parse_and_check_on_both_versions(version: tuple, text: str, expected: int) -> None:
    assert code(text, version) == expected


@pytest.mark.parametrize("text, on_43, on_50", [
    # parser.y@4.3.5 group_expression (columns and functions) vs parser.y@5.0.2 identifier_list.
    ("select COLL_NAME, count(DATA_ID) group by lower(COLL_NAME)", 0, LIBRARY),
    ("select COLL_NAME, count(DATA_ID) group by cast(COLL_NAME as text)", 0, LIBRARY),
    # generate_group_by_clause@5.0.2 L610-625: the column must be named in SELECT or WHERE.
    ("select count(DATA_ID) group by COLL_NAME", INVALID, INVALID),
    ("select count(DATA_ID) where COLL_NAME = 'x' group by COLL_NAME", 0, 0),
    # genquery2_table_column_mappings.hpp: 5.0.2 adds DATA_ACCESS_TIME and DELAY_RULE_LOCK_*,
    # drops DATA_ACCESS_USER_TYPE / COLL_ACCESS_USER_TYPE.
    ("select DATA_ACCESS_TIME", INVALID, 0),
    ("select DELAY_RULE_LOCK_HOST", INVALID, 0),
    ("select DATA_ACCESS_USER_TYPE", 0, INVALID),
])
def test_versions_differ(text: str, on_43: int, on_50: int) -> None:
    assert (code(text, V43), code(text, V50)) == (on_43, on_50)


REPLICAS = [{"DATA_NAME": "f", "DATA_SIZE": 4, "COLL_NAME": "/z/c", "DATA_REPL_NUM": n}
            for n in range(3)] + [{"DATA_NAME": "g", "DATA_SIZE": 10, "COLL_NAME": "/z/c",
                                   "DATA_REPL_NUM": 0}]


def test_rows_are_not_distinct_unless_asked() -> None:
    # test_iquery.py@5.0.2 ::test_genquery2_handling_of_distinct_keyword__issue_8261
    where = " where DATA_NAME = 'f'"
    assert rows("select count(DATA_NAME)" + where, REPLICAS) == [["3"]]
    assert rows("select count(distinct DATA_NAME)" + where, REPLICAS) == [["1"]]
    assert rows("select DATA_NAME" + where, REPLICAS) == [["f"], ["f"], ["f"]]
    assert rows("select distinct DATA_NAME" + where, REPLICAS) == [["f"]]


def test_grouping_ordering_functions_and_casts() -> None:
    assert rows("select DATA_NAME, count(DATA_ID), sum(DATA_SIZE), avg(DATA_SIZE) "
                "where COLL_NAME = '/z/c' group by DATA_NAME order by DATA_NAME desc",
                [dict(r, DATA_ID=i) for i, r in enumerate(REPLICAS)]) == [
        ["g", "1", "10", "10.0000000000000000"], ["f", "3", "12", "4.0000000000000000"]]
    assert rows("select distinct upper(DATA_NAME), cast(DATA_SIZE as varchar(1)) "
                "where DATA_SIZE between '5' and '10' or DATA_NAME not like 'g%'",
                REPLICAS) == [["F", "4"], ["G", "1"]]
    assert rows("select DATA_NAME where DATA_REPL_NUM in ('1', '2') offset 1 limit 5",
                REPLICAS) == [["f"]]


@pytest.mark.parametrize("text", [
    # PostgreSQL refuses these; db_execute_genquery2_sql (db_plugin.cpp@5.0.2 L15165-15172)
    # answers SYS_LIBRARY_ERROR.
    "select DATA_NAME, count(DATA_ID)",                       # not grouped
    "select DATA_NAME where DATA_SIZE like '4%'",            # bigint ~~ unknown
    "select DATA_NAME where DATA_SIZE = 'four'",             # invalid input for bigint
    "select distinct DATA_NAME order by DATA_SIZE",          # ORDER BY not in select list
    "select cast(DATA_NAME as integer)",                     # 'f' is no integer
    "select lower(distinct DATA_NAME)",                      # DISTINCT on a non-aggregate
])
def test_database_errors_are_sys_library_error(text: str) -> None:
    with pytest.raises(IrodsCallError) as err:
        rows(text, REPLICAS)
    assert err.value.code == LIBRARY


def test_what_the_sandbox_does_not_emulate_says_so() -> None:
    # Guess: functions and types GenQuery2 passes to the database unchecked.
    for text in ("select issue_8261_fn(DATA_NAME)", "select cast(DATA_SIZE as timestamp)"):
        with pytest.raises(IrodsCallError) as err:
            rows(text, REPLICAS)
        assert err.value.code == NOT_SUPPORTED
    plan = gq2_sql.Plan(gq2.parse("select GROUP_ID", V50), V50)
    with pytest.raises(IrodsCallError) as err:
        gq2_sql.sandbox_columns(plan)
    assert err.value.code == NOT_SUPPORTED


def test_where_group_order_and_range_together() -> None:
    data = [{"DATA_NAME": n, "DATA_ID": i, "DATA_SIZE": s}
            for n, i, s in (("a", "1", "1"), ("a", "2", "2"), ("b", "3", "1"), ("c", "4", "7"),
                            ("d", "5", "10"))]
    assert rows("SELECT DATA_NAME, count(DATA_ID) WHERE not (DATA_NAME = 'b' or DATA_SIZE "
                "between '5' and '9') GROUP BY DATA_NAME ORDER BY DATA_NAME desc LIMIT 1 "
                "OFFSET 0", data) == [["d", "1"]]
    # DATA_SIZE is an integer column (bigint in the catalog): compared as a number.
    assert rows("select DATA_NAME where DATA_SIZE > '2'", data) == [["c"], ["d"]]
    assert rows("select DATA_NAME where DATA_NAME > 'b'", data) == [["c"], ["d"]]
