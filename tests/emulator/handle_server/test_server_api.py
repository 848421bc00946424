"""The sandbox Handle server's REST API and HRLS over raw HTTP: statuses and responseCodes."""

from __future__ import annotations

import json
import threading

import pytest
import requests
from b2safe_sandbox.handle_server import HandleServer

from tests.handle_support import PASSWORD, PREFIX, USER, auth

H = f"{PREFIX}/Api-Test"


@pytest.fixture
def http(handle_server):
    session = requests.Session()

    def call(method: str, path: str, body=None, headers=None, **params):
        response = session.request(method, handle_server.base_url + path, params=params or None,
                                   data=None if body is None else json.dumps(body),
                                   headers=headers, timeout=5)
        try:
            payload = response.json()
        except ValueError:
            payload = response.text
        return response.status_code, payload

    yield call
    session.close()


def put_record(http, handle=H, values=None, **params):
    values = values or [{"index": 1, "type": "URL", "data": "http://a"},
                        {"index": 2, "type": "EUDAT/CHECKSUM",
                         "data": {"format": "string", "value": "sha2:x="}}]
    return http("PUT", f"/api/handles/{handle}", {"values": values}, auth(), **params)


def test_create_get_replace(http):
    assert put_record(http) == (201, {"responseCode": 1, "handle": H})
    status, body = http("GET", f"/api/handles/{H}")
    assert status == 200 and body["responseCode"] == 1 and body["handle"] == H
    assert all({"index", "type", "data", "ttl", "timestamp"} <= set(v) for v in body["values"])
    assert body["values"][0]["data"] == {"format": "string", "value": "http://a"}
    assert [v["type"] for v in body["values"]] == ["URL", "EUDAT/CHECKSUM", "HS_ADMIN"]
    assert put_record(http, values=[{"index": 1, "type": "URL", "data": "http://b"}])[0] == 200
    assert put_record(http, overwrite="false") == (409, {
        "responseCode": 101, "message": "Handle Already Exists", "handle": H})


def test_case_insensitive_handles_echo_the_request(http):
    put_record(http)
    status, body = http("GET", f"/api/handles/{H.lower()}")
    assert status == 200 and body["handle"] == H.lower()
    assert put_record(http, handle=H.upper(), overwrite="false")[0] == 409


def test_not_found_invalid_and_foreign(http):
    assert http("GET", f"/api/handles/{PREFIX}/NONE") == (404, {
        "responseCode": 100, "message": "Handle Not Found", "handle": f"{PREFIX}/NONE"})
    assert http("GET", "/api/handles/noslash")[1]["responseCode"] == 102
    assert http("GET", "/api/handles/noslash")[0] == 400
    assert http("GET", f"/api/handles/hdl:{H}")[1]["responseCode"] == 301
    assert http("GET", "/api/handles/99.OTHER/x")[0:1] == (400,)
    assert http("GET", "/api/handles/99.OTHER/x")[1]["responseCode"] == 301


def test_index_and_type_filters(http):
    put_record(http)
    status, body = http("GET", f"/api/handles/{H}", index=["1", "2"])
    assert status == 200
    assert [v["index"] for v in body["values"]] == [1, 2]
    assert [v["index"] for v in http("GET", f"/api/handles/{H}", type="URL")[1]["values"]] == [1]
    assert http("GET", f"/api/handles/{H}", index="77") == (200, {
        "responseCode": 200, "message": "Values Not Found", "handle": H})


def test_put_by_index_and_overwrite_false(http):
    put_record(http)
    new = [{"index": 2, "type": "EUDAT/CHECKSUM", "data": "sha2:y="},
           {"index": 3, "type": "EUDAT/ROR", "data": "21.X/R"}]
    assert http("PUT", f"/api/handles/{H}", {"values": new}, auth(), index=["2", "3"],
                overwrite="true") == (200, {"responseCode": 1, "handle": H})
    values = {v["index"]: v for v in http("GET", f"/api/handles/{H}")[1]["values"]}
    assert values[2]["data"]["value"] == "sha2:y=" and values[1]["data"]["value"] == "http://a"
    assert http("PUT", f"/api/handles/{H}", {"values": new[:1]}, auth(), index="2",
                overwrite="false")[1]["responseCode"] == 201
    assert http("PUT", f"/api/handles/{H}", {"values": new[:1]}, auth(),
                index="5")[1]["responseCode"] == 202  # body does not match index
    assert http("PUT", f"/api/handles/{H}", [{"index": 9, "type": "X", "data": "9"}], auth(),
                index="various")[0] == 200
    assert http("PUT", f"/api/handles/{PREFIX}/MISSING", new, auth(),
                index=["2", "3"])[0] == 404


def test_invalid_values(http):
    for bad in ([{"index": "x", "type": "URL", "data": "a"}],
                [{"index": 1, "type": "URL"}],
                [{"index": 1, "type": "URL", "data": {"format": "base64", "value": "!!"}}],
                [{"index": 1, "type": "URL", "data": "a"}, {"index": 1, "type": "B", "data": "b"}],
                "not a list"):
        status, body = http("PUT", f"/api/handles/{H}", bad, auth())
        assert (status, body["responseCode"]) == (400, 202)


def test_delete_values_and_handle(http):
    put_record(http)
    assert http("DELETE", f"/api/handles/{H}", headers=auth(), index="2")[0] == 200
    assert http("DELETE", f"/api/handles/{H}", headers=auth(), index="2") == (400, {
        "responseCode": 200, "message": "Values Not Found", "handle": H})
    assert http("DELETE", f"/api/handles/{H}", headers=auth()) == (200, {
        "responseCode": 1, "handle": H})
    assert http("DELETE", f"/api/handles/{H}", headers=auth())[1]["responseCode"] == 100


def test_authentication_and_authorization(http, handle_server):
    assert put_record(http)[0] == 201
    assert http("PUT", f"/api/handles/{H}", [])[1]["responseCode"] == 402
    assert http("PUT", f"/api/handles/{H}", [])[0] == 401
    assert http("DELETE", f"/api/handles/{H}", headers=auth(password="nope"))[0] == 401
    handle_server.add_user(f"300:{PREFIX}/GUEST", "guest", admin=False)
    guest = auth(f"300:{PREFIX}/GUEST", "guest")
    assert http("DELETE", f"/api/handles/{H}", headers=guest) == (403, {
        "responseCode": 400, "handle": H,
        "message": f"Not authorized: 300:{PREFIX}/GUEST is not an administrator with the "
                   "needed permission"})
    assert http("PUT", f"/api/handles/{PREFIX}/GUESTS-OWN", [], guest)[0] == 403
    # The user's secret is not public; an admin who asks sees it.
    public = http("GET", f"/api/handles/{PREFIX}/USER01")[1]["values"]
    assert [v["type"] for v in public] == ["HS_ADMIN"]
    private = http("GET", f"/api/handles/{PREFIX}/USER01", headers=auth())[1]["values"]
    assert "HS_SECKEY" in [v["type"] for v in private]


def test_mint_new_suffix(http):
    status, body = http("PUT", f"/api/handles/{PREFIX}/", [{"index": 1, "type": "URL",
                                                           "data": "http://m"}], auth(),
                        mintNewSuffix="true")
    assert status == 201 and body["handle"].startswith(PREFIX + "/")
    assert len(body["handle"]) > len(PREFIX) + 10
    assert http("GET", "/api/handles/" + body["handle"])[0] == 200


def test_listing_by_prefix(http):
    put_record(http)
    put_record(http, handle=f"{PREFIX}/second")
    status, body = http("GET", "/api/handles", headers=auth(), prefix=PREFIX)
    assert status == 200 and body["responseCode"] == 1
    assert set(body["handles"]) == {H.upper(), f"{PREFIX}/SECOND", f"{PREFIX}/USER01"}
    assert body["totalCount"] == "3"
    paged = http("GET", "/api/handles", headers=auth(), prefix=PREFIX, page="0", pageSize="2")
    assert len(paged[1]["handles"]) == 2
    assert http("GET", "/api/handles", prefix=PREFIX)[0] == 401


def test_reverse_lookup(http):
    put_record(http)
    put_record(http, handle=f"{PREFIX}/B", values=[{"index": 1, "type": "URL",
                                                    "data": "http://a/b_c 1&2"}])
    found = http("GET", "/hrls/handles", headers=auth(), URL="http://a")
    assert found == (200, [H.upper()])
    assert http("GET", "/hrls/handles", headers=auth(), URL="http://a*")[1] == [
        H.upper(), f"{PREFIX}/B"]
    assert http("GET", "/hrls/handles", headers=auth(), URL="http://a/b_c 1&2")[1] == [
        f"{PREFIX}/B"]
    both = http("GET", "/hrls/handles", headers=auth(), URL="http://*",
                **{"EUDAT/CHECKSUM": "sha2:x="})
    assert both[1] == [H.upper()]
    assert http("GET", "/hrls/handles", headers=auth(), URL="*", limit="1")[1] == [H.upper()]
    assert http("GET", f"/hrls/handles/{PREFIX}", headers=auth(), URL="*")[0] == 200
    assert http("GET", "/hrls/handles", URL="*")[0] == 401
    assert http("GET", "/hrls/handles", headers=auth(password="x"), URL="*")[0] == 401
    assert http("GET", "/hrls/ping") == (200, "OK")


def test_state_survives_a_restart(tmp_path):
    first = HandleServer(tmp_path, prefix=PREFIX, users={USER: PASSWORD})
    first.start()
    requests.put(first.base_url + f"/api/handles/{H}", headers=auth(), timeout=5,
                 data=json.dumps([{"index": 1, "type": "URL", "data": "http://keep"}]))
    first.stop()
    second = HandleServer(tmp_path, prefix=PREFIX, users={USER: PASSWORD})
    second.start()
    try:
        body = requests.get(second.base_url + f"/api/handles/{H}", timeout=5).json()
        assert body["values"][0]["data"]["value"] == "http://keep"
    finally:
        second.stop()


def test_fault_injection_and_log(http, handle_server):
    handle_server.faults.fail_next(1, 500)
    status, body = http("GET", f"/api/handles/{H}")
    assert (status, body["responseCode"]) == (500, 2)
    handle_server.faults.drop_next(1)
    with pytest.raises(requests.ConnectionError):
        http("GET", f"/api/handles/{H}")
    assert http("GET", f"/api/handles/{H}")[0] == 404
    log = handle_server.request_log
    assert [(e.status, e.fault) for e in log[-3:]] == [(500, "fail"), (0, "drop_before"),
                                                       (404, "")]
    assert handle_server.stats["GET"] >= 3 and handle_server.faults.pending() == 0


def test_requests_wait_out_their_latency_side_by_side(handle_server):
    """Two clients of a server with a long latency are both inside it at once (a server that
    answered one request after the other, or waited out latencies under one lock, would never
    have two waiting); clearing the faults ends the waits, so no time passes."""
    handle_server.faults.latency_ms = 600_000
    statuses: list[int] = []

    def get() -> None:
        with requests.Session() as session:  # a connection each
            statuses.append(session.get(f"{handle_server.base_url}/api/handles/{H}",
                                        timeout=600).status_code)

    clients = [threading.Thread(target=get) for _ in range(2)]
    for client in clients:
        client.start()
    try:
        both = handle_server.faults.wait_delaying(2, timeout=30)
    finally:
        handle_server.faults.clear()
        for client in clients:
            client.join()
    assert both and statuses == [404, 404]


# --- sessions (handle_server/sessions.py) ---------------------------------------------------------


def _prove(http, secret: str = PASSWORD, user: str = USER):
    """Open a session and prove ``user`` with ``secret``: (session id, status, body)."""
    import base64
    import hashlib
    import hmac
    from urllib.parse import quote

    status, opened = http("POST", "/api/sessions")
    assert status == 201 and set(opened) == {"sessionId", "nonce"}
    cnonce = b"client-nonce-123"
    mac = hmac.new(secret.encode(), base64.b64decode(opened["nonce"]) + cnonce,
                   hashlib.sha256).digest()
    header = (f'Handle version="0", sessionId="{opened["sessionId"]}", id="{quote(user, safe="")}",'
              f' type="HS_SECKEY", cnonce="{base64.b64encode(cnonce).decode()}", '
              f'alg="HMAC-SHA256", signature="{base64.b64encode(mac).decode()}"')
    status, body = http("PUT", "/api/sessions/this", headers={"Authorization": header})
    return opened["sessionId"], status, body


def _in_session(session_id: str) -> dict:
    return {"Authorization": f'Handle version="0", sessionId="{session_id}"'}


def test_a_proven_session_writes_without_the_secret(http):
    session_id, status, body = _prove(http)
    assert status == 200 and body["authenticated"] is True and body["id"] == USER
    values = [{"index": 1, "type": "URL", "data": "http://s"}]
    status, body = http("PUT", f"/api/handles/{H}", {"values": values}, _in_session(session_id))
    assert (status, body["responseCode"]) == (201, 1)
    assert http("DELETE", "/api/sessions/this", headers=_in_session(session_id))[0] == 204
    status, body = http("PUT", f"/api/handles/{H}", {"values": values}, _in_session(session_id))
    assert status == 401  # the session ended


def test_a_wrong_proof_or_an_unknown_session_is_refused(http):
    _, status, _ = _prove(http, secret="not-the-secret")
    assert status == 401
    values = [{"index": 1, "type": "URL", "data": "http://s"}]
    status, _ = http("PUT", f"/api/handles/{H}", {"values": values}, _in_session("made-up"))
    assert status == 401
    status, opened = http("POST", "/api/sessions")  # opened, never proven: anonymous
    status, body = http("PUT", f"/api/handles/{H}", {"values": values},
                        _in_session(opened["sessionId"]))
    assert (status, body["responseCode"]) == (401, 402)
