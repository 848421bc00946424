"""The genquery asset against a small in-test GenQuery server (sandbox tests cover the real one).

The fake implements only the four microservices PREP's genquery module uses, with iRODS' paging
rules (256-row pages, continueInx > 0 while rows remain, AUTO_CLOSE ends the statement).
"""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List

import pytest
from b2safe_sandbox.runtime import irods_types as it

ROWS = [[f"/z/c{i // 300}", f"obj{i:04d}", str(i)] for i in range(700)]
COLS = ["COLL_NAME", "DATA_NAME", "DATA_SIZE"]


class FakeGenQueryServer:
    """Answers msiMakeGenQuery/msiExecGenQuery/msiGetMoreRows over ``ROWS`` (no filtering)."""

    def __init__(self, rows: List[List[str]]) -> None:
        self.rows = rows
        self.calls: List[str] = []
        self.conditions: List[str] = []
        self.open: Dict[int, int] = {}  # statement id -> next row
        self._next_id = 1

    def _page(self, gqi: it.GenQueryInp, start: int) -> it.GenQueryOut:
        cols, _ = it._gq_query(gqi)
        width = [COLS.index(c) for c in cols]
        page_size = gqi.maxRows if 0 < gqi.maxRows < 256 else 256
        selected = self.rows[gqi.rowOffset:]
        page = [[row[w] for w in width] for row in selected[start:start + page_size]]
        more = start + page_size < len(selected)
        inx = 0
        if more and not gqi.options & 0x100:
            inx = self._next_id
            self._next_id += 1
            self.open[inx] = start + page_size
        total = len(self.rows) if gqi.options & 0x20 else 0
        return it._make_gen_query_out(page, len(cols), continue_inx=inx, total_row_count=total)

    def msiMakeGenQuery(self, columns: str, conditions: str, gqi: Any) -> Dict[str, Any]:
        self.calls.append("make")
        self.conditions.append(conditions)
        made = it._make_gen_query_inp([c.strip() for c in columns.split(",")], conditions)
        return {"arguments": [columns, conditions, made], "code": 0, "status": True}

    def msiExecGenQuery(self, gqi: Any, gqo: Any) -> Dict[str, Any]:
        self.calls.append("exec")
        return {"arguments": [gqi, self._page(gqi, 0)], "code": 0, "status": True}

    def msiGetMoreRows(self, gqi: Any, gqo: Any, cont: Any) -> Dict[str, Any]:
        self.calls.append("more")
        start = self.open.pop(gqo.continueInx)
        page = self._page(gqi, start)
        return {"arguments": [gqi, page, page.continueInx], "code": 0, "status": True}


@pytest.fixture
def server() -> FakeGenQueryServer:
    return FakeGenQueryServer(ROWS)


def test_asset_does_not_import_b2safe() -> None:
    for name in ("genquery", "session_vars"):
        assets = (Path(__file__).resolve().parents[3] / "b2safe-sandbox" / "b2safe_sandbox"
                  / "assets")
        tree = ast.parse((assets / f"{name}.py").read_text())
        imported = {n.names[0].name.split(".")[0] for n in ast.walk(tree)
                    if isinstance(n, ast.Import)}
        imported |= {n.module.split(".")[0] for n in ast.walk(tree)
                     if isinstance(n, ast.ImportFrom) and n.module}
        assert "b2safe" not in imported


def test_star_exports(genquery: ModuleType) -> None:
    assert set(genquery.__all__) == {"Query", "row_iterator", "paged_iterator", "AS_DICT",
                                     "AS_LIST", "AS_TUPLE"}


def test_row_shapes(genquery: ModuleType, server: FakeGenQueryServer) -> None:
    q = genquery.Query(server, "DATA_NAME", limit=2)
    assert list(q) == ["obj0000", "obj0001"]
    assert genquery.Query(server, "DATA_NAME, DATA_SIZE").first() == ("obj0000", "0")
    as_list = genquery.Query(server, ["DATA_NAME", "DATA_SIZE"], output=genquery.AS_LIST)
    assert as_list.first() == ["obj0000", "0"]
    as_dict = genquery.Query(server, "COLL_NAME,DATA_NAME", output=genquery.AS_DICT).first()
    assert list(as_dict.items()) == [("COLL_NAME", "/z/c0"), ("DATA_NAME", "obj0000")]


def test_lazy_and_paged(genquery: ModuleType, server: FakeGenQueryServer) -> None:
    q = genquery.Query(server, "DATA_NAME")
    assert server.calls == []
    names = list(q)
    assert len(names) == 700 and names[-1] == "obj0699"
    assert server.calls == ["make", "exec", "more", "more"]  # 256 + 256 + 188


def test_first_closes_with_auto_close(genquery: ModuleType, server: FakeGenQueryServer) -> None:
    assert genquery.Query(server, "DATA_NAME").first() == "obj0000"
    assert server.calls == ["make", "exec", "more"]
    assert server.open == {}


def test_limit_sets_max_rows_and_offset(genquery: ModuleType,
                                        server: FakeGenQueryServer) -> None:
    rows = list(genquery.Query(server, "DATA_SIZE", offset=695, limit=3))
    assert rows == ["695", "696", "697"]
    assert server.open == {}


def test_total_rows(genquery: ModuleType, server: FakeGenQueryServer) -> None:
    assert genquery.Query(server, "DATA_NAME").total_rows() == 700
    assert genquery.Query(server, "DATA_NAME", offset=10).total_rows() == 700


def test_case_insensitive_uppercases_conditions(genquery: ModuleType,
                                                server: FakeGenQueryServer) -> None:
    q = genquery.Query(server, "DATA_NAME", "DATA_NAME like 'obj%'", case_sensitive=False)
    q.first()
    assert server.conditions == ["DATA_NAME LIKE 'OBJ%'"]
    assert q.options & genquery.Option.UPPER_CASE_WHERE


def test_copy_and_bad_options(genquery: ModuleType, server: FakeGenQueryServer) -> None:
    q = genquery.Query(server, "DATA_NAME", limit=1)
    q2 = q.copy(columns="DATA_SIZE")
    assert list(q2) == ["0"] and q2.limit == 1
    with pytest.raises(genquery.GenQuery_Options_Spec_Error):
        q.copy(nonsense=1)
    with pytest.raises(genquery.GenQuery_Row_Return_Type_Error):
        genquery.Query(server, "DATA_NAME", output=dict)


def test_no_rows(genquery: ModuleType) -> None:
    empty = FakeGenQueryServer([])
    assert list(genquery.Query(empty, "DATA_NAME")) == []
    assert genquery.Query(empty, "DATA_NAME").first() is None
    assert genquery.Query(empty, "DATA_NAME").total_rows() == 0


def test_legacy_iterators(genquery: ModuleType, server: FakeGenQueryServer) -> None:
    rows = list(genquery.row_iterator("DATA_NAME", "", genquery.AS_LIST, server))
    assert rows[0] == ["obj0000"] and len(rows) == 700
    pages = list(genquery.paged_iterator("DATA_NAME", "", genquery.AS_DICT, server, 300))
    assert [len(p) for p in pages] == [256, 256, 188]  # capped at 256 per page
    pages = list(genquery.paged_iterator("DATA_NAME", "", genquery.AS_LIST, server, 100))
    assert [len(p) for p in pages] == [100] * 7


def test_session_vars(session_vars: ModuleType) -> None:
    rei = it._make_rei(client=it._make_user_info("alice", "zoneA"),
                       doinp=it._make_data_obj_inp("/zoneA/x", dataSize=3),
                       cond_input={"rescName": "demoResc"})
    data = session_vars.get_map(rei)
    assert data["client_user"]["user_name"] == "alice"
    assert data["proxy_user"]["irods_zone"] == "zoneA"
    assert data["data_object"]["object_path"] == "/zoneA/x"
    assert data["data_object"]["size"] == 3 and data["data_object"]["checksum"] is None
    assert data["collection"] is None and data["other_user"] is None
    ((key, value),) = data["key_value_pairs"].items()
    assert str(key) == "rescName" and str(value) == "demoResc"
    assert not isinstance(key, str)  # PREP quirk: c_string objects
    bare = session_vars.get_map(it.RuleExecInfo())
    assert bare["connection"] is None and bare["client_user"] is None
    assert bare["data_object"] is None and bare["key_value_pairs"] is None
