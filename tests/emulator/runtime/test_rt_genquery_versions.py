"""GenQuery1 through msiMakeGenQuery per version profile: 5.0's flex/bison parser reads ``''`` and
``\\x27`` in literals and has no ``n<`` operators; 4.3's parser has neither escape and keeps the
numeric operators.

Sources: irods lib/genquery1/dsl/lexer.l@5.0.2 (ss_string_literal), parser.y@5.0.2;
server/re/src/genQueryMS.cpp@5.0.2 L520-545 (msiMakeGenQuery parses the query);
unit_tests/src/test_genquery1_flex_bison_parser.cpp@5.0.2 L147-250.
"""

from __future__ import annotations

import pytest
from b2safe_sandbox.runtime import irods_types as T
from rt_helpers import code_of

HOME = "/zoneA/home/alice"
INPUT_ARG_NOT_WELL_FORMED_ERR = -1084000


@pytest.fixture(params=["4.3", "5.0"])
def cb(request, make_sb):
    sb = make_sb("", irods_version=request.param)
    sb.client("alice#zoneA").iput(f"{HOME}/it's.txt", b"x")
    return request.param, sb.callback("zoneA", "alice#zoneA")


def names(cb, conditions):
    try:
        gqi = cb.msiMakeGenQuery("DATA_NAME", conditions, T.GenQueryInp())["arguments"][2]
        out = cb.msiExecGenQuery(gqi, T.GenQueryOut())["arguments"][1]
    except RuntimeError as exc:
        return code_of(exc)
    return [out.sqlResult[0].row(r) for r in range(out.rowCnt)]


def test_quote_escapes_follow_the_version(cb):
    version, callback = cb
    doubled = names(callback, f"COLL_NAME = '{HOME}' and DATA_NAME = 'it''s.txt'")
    hexed = names(callback, f"COLL_NAME = '{HOME}' and DATA_NAME = 'it\\x27s.txt'")
    if version == "5.0":
        assert doubled == hexed == ["it's.txt"]
    else:
        assert doubled == INPUT_ARG_NOT_WELL_FORMED_ERR
        assert hexed == []  # no escape in 4.3: the literal text matches nothing


def test_numeric_operators_only_before_5(cb):
    version, callback = cb
    found = names(callback, f"COLL_NAME = '{HOME}' and DATA_SIZE n< '5'")
    assert found == (INPUT_ARG_NOT_WELL_FORMED_ERR if version == "5.0" else ["it's.txt"])


@pytest.fixture(params=["4.3", "5.0"])
def alice(request, make_sb):
    sb = make_sb("", irods_version=request.param)
    client = sb.client("alice#zoneA")
    client.iput(f"{HOME}/it's.txt", b"x")
    return request.param, client


def iquest(client, text):
    try:
        return client.iquest(text)
    except Exception as exc:  # IrodsCallError, as the icommand reports it
        return exc.code


def test_iquest_parses_as_the_version_does(alice):
    # iquest.cpp@5.0.2 L161 parse_genquery1_string (lib/genquery1/dsl parser.y, lexer.l);
    # iquest.cpp@4.3.4 L162 fillGenQueryInpFromStrCond (no escapes; general_query.cpp keeps n<).
    version, client = alice
    hexed = iquest(client, f"select DATA_NAME where COLL_NAME = '{HOME}' and "
                           "DATA_NAME = 'it\\x27s.txt'")
    numeric = iquest(client, f"select DATA_NAME where COLL_NAME = '{HOME}' and DATA_SIZE n< '5'")
    bare_in = iquest(client, "select DATA_NAME where DATA_NAME in 'it''s.txt', 'x'")
    if version == "5.0":
        assert (hexed, numeric, bare_in) == ([["it's.txt"]], INPUT_ARG_NOT_WELL_FORMED_ERR,
                                             [["it's.txt"]])
    else:
        assert (hexed, numeric, bare_in) == ([], [["it's.txt"]], INPUT_ARG_NOT_WELL_FORMED_ERR)
