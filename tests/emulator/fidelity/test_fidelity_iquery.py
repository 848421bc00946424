"""The sandbox's ``iquery`` (GenQuery2 icommand) against the expectations of the server's own
test, scripts/irods/test/test_iquery.py@5.0.2, run as the user ``alice`` or the rodsadmin
``rods`` of zone tempZone; output and exit codes as irods_client_icommands src/iquery.cpp@5.0.2
L53-99 (the server's JSON on stdout; ``error: CODE`` on stderr and exit 1)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from b2safe_sandbox import cli
from b2safe_sandbox.sandbox import Sandbox

HOME = "/tempZone/home/alice"
ADMIN_HOME = "/tempZone/home/rods"


@pytest.fixture(scope="module")
def sandbox_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("iquery") / "sb"
    # A plain sandbox: b2safe's site set-up grants its service account ACLs on the homes, which
    # a rodsadmin's GenQuery2 rows would show (one row per ACL entry).
    Sandbox.create(directory, zones=("tempZone", "zoneB")).close()
    return directory


def iquery(directory: Path, *argv: str, user: str = "alice#tempZone", stdin: str = ""):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            contextlib.ExitStack() as stack:
        if stdin:
            stack.enter_context(_stdin(stdin))
        code = cli.main(["iquery", "--dir", str(directory), "--user", user, *argv])
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def _stdin(text: str):
    import sys

    saved, sys.stdin = sys.stdin, io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved


def test_runs_a_query_from_the_argument_or_stdin(sandbox_dir):
    # test_iquery.py::test_iquery_can_run_a_query__issue_7570,
    # ::test_iquery_supports_reading_query_from_stdin__issue_7570
    query = f"select COLL_NAME where COLL_NAME = '{HOME}'"
    assert iquery(sandbox_dir, query) == (0, json.dumps([[HOME]]) + "\n", "")
    assert iquery(sandbox_dir, stdin=query + "\n") == (0, json.dumps([[HOME]]) + "\n", "")


@pytest.mark.parametrize("zone", ["invalid_zone", "", " "])
def test_an_unknown_zone_is_sys_invalid_zone_name(sandbox_dir, zone):
    # test_iquery.py::test_iquery_returns_error_on_invalid_zone__issue_7570
    assert iquery(sandbox_dir, "-z", zone, "select COLL_NAME") == (1, "", "error: -26000\n")


def test_a_federated_zone_is_queried_there(sandbox_dir):
    # rs_genquery2.cpp@5.0.2 L64-80: the request goes to the zone's catalog provider.
    code, out, _ = iquery(sandbox_dir, "-z", "zoneB", "select ZONE_NAME where ZONE_NAME = 'zoneB'")
    assert (code, json.loads(out)) == (0, [["zoneB"]])


@pytest.mark.parametrize("query, error", [
    # test_iquery.py::test_iquery_returns_error_on_invalid_query_tokens__issue_7570
    (" ", "-167000"), ("select", "-167000"), ("select INVALID_COLUMN", "-130000"),
    # ::test_iquery_returns_error_when_closing_single_quote_is_missing__issue_6393
    (f"select COLL_NAME where COLL_NAME = '{HOME}", "-167000"),
    # ::test_iquery_returns_error_on_invalid_query_string__issue_5734 (quote missing mid-query)
    ("select DATA_ID, COLL_NAME where META_DATA_ATTR_NAME = 'id_foo and META_DATA_ATTR_VALUE "
     "in ('260,'3261852')", "-167000"),
])
def test_errors_are_the_servers_codes(sandbox_dir, query, error):
    assert iquery(sandbox_dir, query) == (1, "", f"error: {error}\n")


def test_or_and_order_by_as_a_rodsadmin(sandbox_dir):
    # test_iquery.py::test_iquery_supports_OR_operator__issue_4069
    query = (f"select COLL_NAME where COLL_NAME = '{HOME}' or COLL_NAME like '{ADMIN_HOME}' "
             "order by COLL_NAME")
    code, out, _ = iquery(sandbox_dir, query, user="rods#tempZone")
    assert (code, out) == (0, json.dumps([[HOME], [ADMIN_HOME]], separators=(",", ":")) + "\n")


def test_permission_columns_show_the_users_own_entry(sandbox_dir):
    # test_iquery.py::test_genquery2_maps_genquery_user_zone_columns_to_correct_database_columns__issue_8134_8135  # noqa: E501
    query = (f"select COLL_ACCESS_USER_NAME, COLL_ACCESS_USER_ZONE, COLL_ACCESS_PERM_NAME "
             f"where COLL_NAME = '{HOME}'")
    code, out, _ = iquery(sandbox_dir, query)
    assert (code, json.loads(out)) == (0, [["alice", "tempZone", "own"]])
    grouped = (f"select COLL_ACCESS_USER_NAME, COLL_ACCESS_USER_ZONE, count(COLL_ID) "
               f"where COLL_NAME = '{HOME}' group by COLL_ACCESS_USER_NAME, COLL_ACCESS_USER_ZONE")
    code, out, _ = iquery(sandbox_dir, grouped)
    assert (code, json.loads(out)) == (0, [["alice", "tempZone", "1"]])


def test_tabs_separate_words(sandbox_dir):
    # test_iquery.py::test_iquery_correctly_parses_queries_with_tabs_in_the_where_clause__issue_7795
    code, out, _ = iquery(sandbox_dir, "select USER_NAME where USER_NAME = 'alice'\t"
                                       "and USER_TYPE = 'rodsuser' and USER_ZONE = 'tempZone'")
    assert (code, json.loads(out)) == (0, [["alice"]])


def iquest(directory: Path, *words: str):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["iquest", "--dir", str(directory), "--user", "alice#tempZone", *words])
    return code, out.getvalue(), err.getvalue()


def test_iquest_prints_exits_and_fails_as_the_icommand(sandbox_dir):
    # iquest.cpp@5.0.2 L432-442 (no rows: the CAT_NO_ROWS_FOUND line, exit 1; an error: logged,
    # exit 4); rcMisc.cpp@5.0.2 L3160-3166 printGenQueryOut (the column's name, 60 dashes).
    counted = f"SELECT COLL_NAME, COUNT(COLL_ID) WHERE COLL_NAME = '{HOME}'"
    code, out, _ = iquest(sandbox_dir, counted)
    assert (code, out) == (0, f"COLL_NAME = {HOME}\nCOLL_ID = 1\n" + "-" * 60 + "\n")
    assert iquest(sandbox_dir, "%s:%s", f"SELECT COLL_NAME, COLL_ID WHERE COLL_NAME = '{HOME}'"
                  )[1].startswith(f"{HOME}:")
    assert iquest(sandbox_dir, "SELECT COLL_NAME WHERE COLL_NAME = '/none'") == (
        1, "CAT_NO_ROWS_FOUND: Nothing was found matching your query\n", "")
    assert iquest(sandbox_dir, "SELECT NO_SUCH_COLUMN") == (
        4, "", "ERROR: iquest Error: queryAndShowStrCond failed status = -1107000 "
               "NO_COLUMN_NAME_FOUND\n")
