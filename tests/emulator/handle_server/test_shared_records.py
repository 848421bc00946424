"""The Handle server's cache of the records authorization reads (store.py, ``get_shared``):
a change to one of them, through the API, another connection or a rolled-back transaction, is
what the next request is decided on."""

from __future__ import annotations

import json

import pytest
import requests
from b2safe_sandbox.handle_server import HandleStore

from tests.handle_support import PASSWORD, PREFIX, USER, auth

GUEST = f"300:{PREFIX}/GUEST"
GROUP = f"0.NA/{PREFIX}"


def _put(server, handle: str, values: list, headers: dict, **params) -> int:
    response = requests.put(f"{server.base_url}/api/handles/{handle}", params=params or None,
                            data=json.dumps({"values": values}), headers=headers, timeout=5)
    return response.status_code


def _url(n: int) -> list:
    return [{"index": 1, "type": "URL", "data": f"http://cache/{n}"}]


def _group(*members: str) -> list:
    refs = [{"handle": m.split(":", 1)[1], "index": int(m.split(":", 1)[0])} for m in members]
    return [{"index": 200, "type": "HS_VLIST", "data": {"format": "vlist", "value": refs}}]


def test_a_group_changed_through_the_api_decides_the_next_create(handle_server):
    handle_server.add_user(GUEST, "guest", admin=False)
    guest = auth(GUEST, "guest")
    assert _put(handle_server, f"{PREFIX}/C1", _url(1), auth()) == 201  # the group is read
    assert _put(handle_server, f"{PREFIX}/G1", _url(1), guest) == 403
    # The administrator replaces the prefix's group: the guest in, itself out.
    assert _put(handle_server, GROUP, _group(GUEST), auth(), index="200") == 200
    assert _put(handle_server, f"{PREFIX}/G2", _url(2), guest) == 201
    assert _put(handle_server, f"{PREFIX}/C2", _url(2), auth()) == 403
    gone = requests.delete(f"{handle_server.base_url}/api/handles/{GUEST.split(':')[1]}",
                           headers=guest, timeout=5)
    assert gone.status_code == 200
    assert _put(handle_server, f"{PREFIX}/G3", _url(3), guest) == 401


def test_a_secret_changed_through_the_api_decides_the_next_login(handle_server):
    assert _put(handle_server, f"{PREFIX}/C1", _url(1), auth()) == 201  # the user is read
    index, handle = USER.split(":", 1)
    secret = [{"index": int(index), "type": "HS_SECKEY", "data": "changed"}]
    assert _put(handle_server, handle, secret, auth(), index=index) == 200
    assert _put(handle_server, f"{PREFIX}/C2", _url(2), auth()) == 401
    assert _put(handle_server, f"{PREFIX}/C3", _url(3), auth(USER, "changed")) == 201
    deleted = requests.delete(f"{handle_server.base_url}/api/handles/{handle}",
                              params={"index": index}, headers=auth(USER, "changed"), timeout=5)
    assert deleted.status_code == 200
    assert _put(handle_server, f"{PREFIX}/C4", _url(4), auth(USER, "changed")) == 401


def test_a_change_by_another_connection_decides_the_next_request(handle_server):
    """Another process (or ``b2safe sandbox handle``) writing the same store."""
    assert _put(handle_server, f"{PREFIX}/C1", _url(1), auth()) == 201
    other = HandleStore(handle_server.state_dir)
    try:
        with other.transaction() as db:
            values = [v for v in other.get_in(db, GROUP) or [] if v["type"] != "HS_VLIST"]
            other.create_in(db, GROUP, values)
    finally:
        other.close()
    assert _put(handle_server, f"{PREFIX}/C2", _url(2), auth()) == 403


def test_a_record_read_in_a_rolled_back_transaction_is_not_kept(handle_server):
    store = handle_server.store
    before = store.get_shared(GROUP)
    with pytest.raises(RuntimeError):
        with store.transaction() as db:
            store.create_in(db, GROUP, [])
            assert store.get_shared(GROUP) == []  # this transaction's own, uncommitted write
            raise RuntimeError("abandon")
    assert store.get_shared(GROUP) == before
    assert _put(handle_server, f"{PREFIX}/C1", _url(1), auth(USER, PASSWORD)) == 201


def test_a_store_of_an_older_sandbox_is_upgraded_when_opened(tmp_path):
    """Values keyed by the handle's name (before they were numbered): copied once."""
    import sqlite3

    from b2safe_sandbox.handle_server.store import DB_NAME

    tmp_path.chmod(0o700)
    db = sqlite3.connect(tmp_path / DB_NAME)
    db.executescript("""
        CREATE TABLE handles (handle_key TEXT PRIMARY KEY, handle TEXT NOT NULL);
        CREATE TABLE handle_values (
            handle_key TEXT NOT NULL REFERENCES handles(handle_key) ON DELETE CASCADE,
            idx INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, text TEXT NOT NULL,
            ttl INTEGER NOT NULL, timestamp TEXT NOT NULL, permissions TEXT NOT NULL,
            PRIMARY KEY (handle_key, idx));
        CREATE INDEX values_by_type ON handle_values(type, text);
        INSERT INTO handles VALUES ('21.T1/OLD', '21.T1/old'), ('21.T1/EMPTY', '21.T1/empty');
        INSERT INTO handle_values VALUES ('21.T1/OLD', 1, 'URL',
            '{"format": "string", "value": "http://old"}', 'http://old', 86400, 't', '1110');
    """)
    db.commit()
    db.close()
    store = HandleStore(tmp_path)
    try:
        assert store.get("21.t1/old") == [{
            "index": 1, "type": "URL", "data": {"format": "string", "value": "http://old"},
            "ttl": 86400, "timestamp": "t", "permissions": "1110"}]
        assert store.get("21.T1/EMPTY") == []
        assert store.search([("URL", "http://old")]) == ["21.T1/OLD"]
        with store.transaction() as db2:
            store.create_in(db2, "21.T1/NEW", [])
        assert store.list_handles("21.T1") == ["21.T1/EMPTY", "21.T1/NEW", "21.T1/OLD"]
    finally:
        store.close()
    reopened = HandleStore(tmp_path)  # already upgraded: opened as it is
    try:
        assert reopened.count() == 3
    finally:
        reopened.close()
