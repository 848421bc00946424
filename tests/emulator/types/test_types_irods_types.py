"""irods_types emulation: char arrays, KeyValPair, GenQuery structs, BytesBuf, read-only fields."""

from __future__ import annotations

import pytest
from b2safe_sandbox.runtime import irods_types as it
from hypothesis import given
from hypothesis import strategies as st

_text = st.text(alphabet=st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)),
                max_size=60)


def test_constructors_take_no_arguments_and_start_empty() -> None:
    inp = it.DataObjInp()
    assert str(inp.objPath) == ""
    assert inp.condInput.len == 0
    assert inp.specColl is None
    with pytest.raises(TypeError):
        it.DataObjInp("/zone/x")  # type: ignore[call-arg]


def test_char_array_is_not_a_str() -> None:
    inp = it._make_data_obj_inp("/tempZone/home/rods/x")
    assert isinstance(inp.objPath, it.char_array)
    assert not isinstance(inp.objPath, str)
    assert str(inp.objPath) == "/tempZone/home/rods/x"
    assert inp.objPath != "/tempZone/home/rods/x"
    assert (inp.objPath == "/tempZone/home/rods/x") is False
    assert len(inp.objPath) == it.MAX_NAME_LEN
    assert inp.objPath[0] == "/" and inp.objPath[-1] == "\0"


def test_char_array_item_assignment_writes_into_the_struct() -> None:
    inp = it._make_data_obj_inp("/z/abc")
    view = inp.objPath
    view[3] = "X"
    assert str(inp.objPath) == "/z/Xbc"
    inp.objPath[6] = "d"
    assert str(inp.objPath) == "/z/Xbcd"
    inp.objPath[2] = "\0"
    assert str(inp.objPath) == "/z"
    with pytest.raises(IndexError):
        inp.objPath[it.MAX_NAME_LEN] = "x"
    with pytest.raises(TypeError):
        inp.objPath[0] = "too long"


@given(_text)
def test_char_array_round_trip(text: str) -> None:
    stat = it._make_obj_stat(1, chksum=text)
    assert str(stat.chksum) == text[: it.NAME_LEN - 1]


def test_char_fields_and_scalars_are_read_only_where_prep_has_them_read_only() -> None:
    inp = it._make_data_obj_inp("/z/x")
    with pytest.raises(AttributeError):
        inp.objPath = "/z/y"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        inp.oprType = 1  # type: ignore[misc]
    with pytest.raises(AttributeError):
        inp.noSuchField = 1  # type: ignore[attr-defined]
    stat = it.RodsObjStat()
    stat.objSize = 5  # def_readwrite in PREP
    stat.objType = it.objType.COLL_OBJ
    assert stat.objSize == 5 and stat.objType == 2 and stat.objType is it.COLL_OBJ
    gqi = it.GenQueryInp()
    gqi.maxRows = 10
    gqi.options |= 0x100
    assert gqi.maxRows == 10 and gqi.options == 0x100


def test_obj_type_values() -> None:
    assert it.objType.DATA_OBJ == 1
    assert it.objType.COLL_OBJ == 2
    assert it.DATA_OBJ == 1


def test_key_val_pair_access() -> None:
    kvp = it._make_kvp([("a", "1"), ("b", "two")])
    assert kvp.len == 2
    assert kvp["b"] == "two"
    assert isinstance(kvp["a"], str)
    assert str(kvp.key[0]) == "a" and str(kvp.value[1]) == "two"
    assert isinstance(kvp.key[0], it.c_string)
    assert kvp.key[0] != "a"
    assert len(kvp.key[1]) == 2  # strlen + 1, as PREP's null-terminated array_ref
    with pytest.raises(KeyError, match="c was not found"):
        kvp["c"]
    with pytest.raises(TypeError):
        kvp[0]  # type: ignore[index]
    with pytest.raises(AttributeError):
        kvp.len = 3  # type: ignore[misc]


def test_key_val_pair_add_replaces_and_remove() -> None:
    kvp = it.KeyValPair()
    it._kvp_add(kvp, "k", "1")
    it._kvp_add(kvp, "k", "2")
    assert kvp.len == 1 and kvp["k"] == "2"
    it._kvp_append(kvp, "k", "3")
    assert it._kvp_items(kvp) == [("k", "2"), ("k", "3")]
    assert it._kvp_remove(kvp, "k") is True
    assert it._kvp_items(kvp) == [("k", "3")]
    assert it._kvp_remove(kvp, "zz") is False


@given(st.lists(st.tuples(_text, _text), max_size=8))
def test_key_val_pair_items_round_trip(pairs: list) -> None:
    kvp = it.KeyValPair()
    for k, v in pairs:
        it._kvp_append(kvp, k, v)
    assert it._kvp_items(kvp) == pairs
    assert kvp.len == len(pairs)


def test_gen_query_out_access() -> None:
    rows = [["/z/a", "1"], ["/z/b", "22"], ["/z/c", "333"]]
    gqo = it._make_gen_query_out(rows, continue_inx=7, total_row_count=10)
    assert (gqo.rowCnt, gqo.attriCnt, gqo.continueInx, gqo.totalRowCount) == (3, 2, 7, 10)
    assert gqo.sqlResult[0].row(1) == "/z/b"
    assert gqo.sqlResult[1].row(2) == "333"
    flat = [v for row in rows for v in row]
    assert [gqo.sqlResult[c].row(r) for r in range(3) for c in range(2)] == flat
    with pytest.raises(RuntimeError):
        _ = gqo.sqlResult[0].value
    with pytest.raises(AttributeError):
        gqo.rowCnt = 1  # type: ignore[misc]
    assert it._gq_rows(gqo) == rows
    empty = it.GenQueryOut()
    assert empty.rowCnt == 0 and empty.continueInx == 0


def test_gen_query_inp_keeps_the_query() -> None:
    gqi = it._make_gen_query_inp(["COLL_NAME", "DATA_NAME"], "DATA_NAME like 'a%'", max_rows=5)
    assert it._gq_query(gqi) == (["COLL_NAME", "DATA_NAME"], "DATA_NAME like 'a%'")
    assert gqi.maxRows == 5 and gqi.selectInp.len == 2
    copied = it._copy(gqi)
    assert it._gq_query(copied) == it._gq_query(gqi) and copied is not gqi


def test_bytes_buf() -> None:
    buf = it.BytesBuf()
    assert buf.len == 0 and buf.buf is None and buf.get_bytes() == []
    buf.set_buffer(b"hello")
    assert buf.len == 5 and str(buf.buf) == "hello" and buf.get_byte(1) == ord("e")
    buf.set_buffer([104, 105, 33], 2)
    assert it._bytes_of(buf) == b"hi"
    with pytest.raises(IndexError):
        buf.get_byte(2)
    with pytest.raises(TypeError):
        buf.set_buffer("hi")
    buf.clear_buffer()
    assert buf.len == 0


def test_transfer_stat_keeps_prep_mis_mapping() -> None:
    ts = it._new(it.TransferStat)
    ts._v.update(numThreads=4, flags=2, bytesWritten=100)
    assert ts.len == 2 and ts.offset == 100
    assert not hasattr(ts, "numThreads")


def test_rei_and_plugin_context() -> None:
    rei = it._make_rei(client=it._make_user_info("alice", "zoneA"),
                       doinp=it._make_data_obj_inp("/zoneA/x"), cond_input={"k": "v"})
    assert str(rei.uoic.userName) == "alice"
    assert str(rei.rsComm.clientUser.rodsZone) == "zoneA"
    assert rei.rsComm.clientUser.authInfo.authFlag == 3
    assert rei.doi is None and str(rei.doinp.objPath) == "/zoneA/x"
    assert rei.condInputData["k"] == "v"
    ctx = it._make_plugin_context({"logical_path": "/zoneA/x", "file_size": 3})
    assert ctx.map() == {"logical_path": "/zoneA/x", "file_size": "3"}
