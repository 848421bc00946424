"""pyhandle's own high-level calls against the sandbox Handle server, as against a real one."""

from __future__ import annotations

import pytest
from pyhandle.client.resthandleclient import RESTHandleClient
from pyhandle.handleexceptions import (
    GenericHandleError,
    HandleAlreadyExistsException,
    HandleAuthenticationError,
    HandleNotFoundException,
)

from tests.handle_support import PASSWORD, PREFIX, USER

H = f"{PREFIX}/PYHANDLE-1"


def test_register_retrieve_modify_delete(pyhandle_client, handle_server):
    client = pyhandle_client
    assert client.register_handle(H, "irods://host:1247/zone/a b.txt", checksum="sha2:q83=",
                                  EUDAT_X="1") == H
    record = client.retrieve_handle_record(H)
    assert record["URL"] == "irods://host:1247/zone/a b.txt"
    assert record["CHECKSUM"] == "sha2:q83="
    assert "0.NA/21.T12345" in record["HS_ADMIN"]
    full = client.retrieve_handle_record_json(H)
    assert full["handle"] == H
    for value in full["values"]:
        assert {"index", "type", "data", "ttl", "timestamp"} <= set(value)
    indices = {v["type"]: v["index"] for v in full["values"]}
    assert indices["URL"] == 1 and indices["HS_ADMIN"] == 100

    assert client.modify_handle_value(H, CHECKSUM="sha2:new=", EUDAT_Y="y") == H
    assert client.get_value_from_handle(H, "CHECKSUM") == "sha2:new="
    assert client.get_value_from_handle(H, "EUDAT_Y") == "y"
    after = {v["type"]: v["index"] for v in client.retrieve_handle_record_json(H)["values"]}
    assert after["CHECKSUM"] == indices["CHECKSUM"]  # modified in place

    assert client.delete_handle_value(H, "EUDAT_Y") == H
    assert client.get_value_from_handle(H, "EUDAT_Y") is None
    assert client.delete_handle(H) == H
    assert client.retrieve_handle_record(H) is None
    with pytest.raises(HandleNotFoundException):
        client.delete_handle(H)
    with pytest.raises(HandleNotFoundException):
        client.get_value_from_handle(H, "URL")


def test_register_existing_raises_and_overwrite_replaces(pyhandle_client):
    pyhandle_client.register_handle_kv(H, URL="http://one")
    with pytest.raises(HandleAlreadyExistsException):
        pyhandle_client.register_handle_kv(H, URL="http://two")
    pyhandle_client.register_handle_kv(H, overwrite=True, URL="http://two")
    assert pyhandle_client.get_value_from_handle(H, "URL") == "http://two"


def test_generate_and_register_and_search(pyhandle_client):
    first = pyhandle_client.generate_and_register_handle(PREFIX, "http://example.org/a")
    second = pyhandle_client.generate_and_register_handle(PREFIX, "http://example.org/b",
                                                          checksum="abc")
    assert first.startswith(PREFIX + "/") and first != second
    # HRLS answers from the SQL table: upper-case handles.
    assert pyhandle_client.search_handle(URL="http://example.org/a") == [first.upper()]
    found = pyhandle_client.search_handle(URL="http://example.org/*")
    assert sorted(found) == sorted([first.upper(), second.upper()])
    assert pyhandle_client.search_handle(URL="http://example.org/*", CHECKSUM="abc") == [
        second.upper()]
    assert pyhandle_client.search_handle(URL="http://example.org/*", prefix="other") == []


def test_register_json_with_chosen_indices(pyhandle_client):
    entries = [{"index": 1, "type": "URL", "data": "http://x"},
               {"index": 7, "type": "EUDAT/REPLICA", "data": f"{PREFIX}/A,{PREFIX}/B"}]
    assert pyhandle_client.register_handle_json(H, entries) == H
    values = pyhandle_client.retrieve_handle_record_json(H)["values"]
    assert {(v["index"], v["type"]) for v in values} == {
        (1, "URL"), (7, "EUDAT/REPLICA"), (100, "HS_ADMIN")}


def test_wrong_password_is_refused(handle_server):
    client = RESTHandleClient.instantiate_with_username_and_password(
        handle_server.base_url, USER, "wrong", HTTPS_verify=False)
    with pytest.raises(HandleAuthenticationError):
        client.register_handle(H, "http://x")


def test_unknown_user_handle_fails_at_construction(handle_server):
    with pytest.raises(HandleNotFoundException):
        RESTHandleClient.instantiate_with_username_and_password(
            handle_server.base_url, f"300:{PREFIX}/NOBODY", PASSWORD, HTTPS_verify=False)


def test_authenticated_but_not_owner_is_forbidden(handle_server, pyhandle_client):
    pyhandle_client.register_handle(H, "http://x")
    outsider = f"300:{PREFIX}/OUTSIDER"
    handle_server.add_user(outsider, "pw2", admin=False)
    client = RESTHandleClient.instantiate_with_username_and_password(
        handle_server.base_url, outsider, "pw2", HTTPS_verify=False)
    with pytest.raises(GenericHandleError) as info:
        client.modify_handle_value(H, URL="http://evil")
    assert info.value.response.status_code == 403
    with pytest.raises(GenericHandleError):
        client.register_handle(f"{PREFIX}/OUTSIDER-NEW", "http://y")
    assert pyhandle_client.get_value_from_handle(H, "URL") == "http://x"


def test_https_with_generated_certificate(tmp_path):
    from b2safe_sandbox.handle_server import HandleServer

    server = HandleServer(tmp_path / "tls", prefix=PREFIX, users={USER: PASSWORD}, tls=True,
                          strict_https=True)
    url = server.start()
    try:
        assert url.startswith("https://")
        client = RESTHandleClient.instantiate_with_username_and_password(
            url, USER, PASSWORD, HTTPS_verify=str(server.cert_file))
        assert client.register_handle(H, "http://tls") == H
        assert client.get_value_from_handle(H, "URL") == "http://tls"
    finally:
        server.stop()
