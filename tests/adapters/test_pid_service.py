"""PidService against the sandbox Handle server over HTTP."""

from __future__ import annotations

import logging
import os

import pytest

from b2safe import errors
from b2safe.adapters.handle.credentials import HandleCredentials
from b2safe.adapters.handle.rest import PidService, clear_cache, get_pid_service
from b2safe.domain import profile
from b2safe.domain.profile import PidRecord
from b2safe.errors import (
    ConfigError,
    InvalidInput,
    PidAuthError,
    PidConflict,
    PidNotFound,
    PidServiceUnavailable,
)
from tests.adapters.conftest import write_credentials
from tests.handle_support import PASSWORD, PREFIX, USER

SERVER_ID = "irods://irods.example.org:1247"


def record_for(path: str, **fields) -> PidRecord:
    return PidRecord(url=profile.object_url(path, server_id=SERVER_ID), **fields)


def handle_puts(server) -> list:
    """The PUTs on handles (not the session's proof, a PUT on /api/sessions/this)."""
    return [e for e in server.request_log
            if e.method == "PUT" and e.path.startswith("/api/handles/")]


# --- create / adopt / conflict --------------------------------------------------------------------


def test_create_is_one_put_and_get_round_trips(pid_service, handle_server):
    rec = record_for("/zone/home/a.txt", checksum="sha2:AAAA==", fixed_content=True,
                     ror="pid", fio="pid",
                     checksum_timestamp=profile.iso8601_utc(1700000000))
    pid_service.connect()
    handle_server.clear_log()
    pid = pid_service.create(rec, "zone:1001")
    assert handle_server.stats.snapshot() == {"PUT": 1, "total": 1}
    assert handle_server.request_log[0].query == "overwrite=false"
    assert pid == pid_service.mint("zone:1001") and pid.startswith(PREFIX + "/")
    got = pid_service.get(pid)
    assert got.url == rec.url and got.checksum == "sha2:AAAA=="  # padding kept
    assert got.ror == pid and got.fio == pid  # "pid" placeholder resolved
    assert got.fixed_content is True and got.profile_version == "1"
    assert got.admin == profile.HsAdmin(f"0.NA/{PREFIX}", 200)
    assert got.indices[profile.URL] == 1 and got.indices[profile.HS_ADMIN] == 100


def test_same_mint_key_same_url_is_adopted(pid_service, handle_server):
    rec = record_for("/zone/home/b.txt")
    first = pid_service.create(rec, "zone:1002")
    assert pid_service.create(rec, "zone:1002") == first
    assert pid_service.stats["adopted"] == 1
    assert len(handle_server.store.search([("URL", rec.url)])) == 1


def test_same_mint_key_other_url_is_a_conflict(pid_service):
    pid_service.create(record_for("/zone/home/c.txt"), "zone:1003")
    with pytest.raises(PidConflict) as info:
        pid_service.create(record_for("/zone/home/other.txt"), "zone:1003")
    assert info.value.code == errors.CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME


def test_uuid_suffix_mode(credentials_file):
    service = PidService(HandleCredentials.load(credentials_file), backoff=0,
                         suffix_mode="uuid")
    try:
        a = service.create(record_for("/zone/x"), "k")
        b = service.create(record_for("/zone/x"), "k")
        assert a != b
    finally:
        service.close()


# --- reads, updates, replicas, delete -------------------------------------------------------------


def test_get_missing_and_get_value(pid_service):
    with pytest.raises(PidNotFound):
        pid_service.get(f"{PREFIX}/NOPE")
    pid = pid_service.create(record_for("/zone/v", checksum="md5:1"), "zone:v")
    assert pid_service.get_value(pid, profile.CHECKSUM) == "md5:1"
    assert pid_service.get_value(pid, "NOT_THERE") is None


def test_update_writes_only_changed_indices(pid_service, handle_server):
    pid = pid_service.create(record_for("/zone/u", checksum="md5:1", ror="21.X/ROR"), "zone:u")
    before = {v["type"]: v for v in pid_service.get_values(pid)}
    handle_server.clear_log()
    applied = pid_service.update(pid, {profile.CHECKSUM: "md5:2", profile.ROR: "21.X/ROR",
                                       "EUDAT/NEW": "n", profile.FIO: None})
    assert applied == {profile.CHECKSUM: "md5:2", "EUDAT/NEW": "n"}
    puts = handle_puts(handle_server)
    assert len(puts) == 1
    new_index = {v["type"]: v["index"] for v in pid_service.get_values(pid)}["EUDAT/NEW"]
    assert sorted(puts[0].query.split("&")) == sorted(
        [f"index={before[profile.CHECKSUM]['index']}", f"index={new_index}",
         "overwrite=true"])
    after = {v["type"]: v for v in pid_service.get_values(pid)}
    assert after[profile.CHECKSUM]["index"] == before[profile.CHECKSUM]["index"]
    assert after[profile.ROR]["timestamp"] == before[profile.ROR]["timestamp"]
    # Removing a value is one DELETE by index; an unchanged update sends no write at all.
    handle_server.clear_log()
    assert pid_service.update(pid, {profile.ROR: None}) == {profile.ROR: None}
    assert [e.method for e in handle_server.request_log] == ["GET", "DELETE"]
    assert pid_service.get_value(pid, profile.ROR) is None
    handle_server.clear_log()
    assert pid_service.update(pid, {profile.CHECKSUM: "md5:2"}) == {}
    assert [e.method for e in handle_server.request_log] == ["GET"]
    with pytest.raises(InvalidInput):
        pid_service.update(pid, {"HS_ADMIN": "x"})
    with pytest.raises(PidNotFound):
        pid_service.update(f"{PREFIX}/NOPE", {profile.ROR: "x"})


def test_add_replica_is_case_insensitive_and_idempotent(pid_service, handle_server):
    parent = pid_service.create(record_for("/zone/p"), "zone:p")
    child = pid_service.create(record_for("/zone/replica/p"), "zone:p-replica")
    assert pid_service.add_replica(parent, child) == child
    handle_server.clear_log()
    assert pid_service.add_replica(parent, child.lower()) == child
    assert [e.method for e in handle_server.request_log] == ["GET"]  # nothing written
    other = f"{PREFIX}/OTHER"
    assert pid_service.add_replica(parent, other) == f"{child},{other}"
    assert pid_service.get(parent).replicas == (child, other)
    assert pid_service.get_values(parent)[-1]["type"] != ""  # record still readable


def test_first_replica_is_one_conditional_put_that_never_clobbers(pid_service, handle_server):
    parent = pid_service.create(record_for("/zone/f"), "zone:f")
    handle_server.clear_log()
    assert pid_service.add_first_replica(parent, f"{PREFIX}/C1") == f"{PREFIX}/C1"
    assert [e.method for e in handle_server.request_log] == ["PUT"]
    # a second "first" child finds the index taken (409) and merges instead of overwriting
    assert pid_service.add_first_replica(parent, f"{PREFIX}/C2") == f"{PREFIX}/C1,{PREFIX}/C2"
    assert pid_service.get(parent).replicas == (f"{PREFIX}/C1", f"{PREFIX}/C2")
    assert pid_service.add_first_replica(parent, f"{PREFIX}/c1") == f"{PREFIX}/C1,{PREFIX}/C2"


def test_index_7_is_never_given_away_nor_freed(pid_service, handle_server):
    """add_first_replica's PUT at index 7 proves "no list yet" only while no other type takes 7
    and nothing frees it: otherwise a first child written there, below a list kept at 1000+,
    would be lost (readers take the highest index)."""
    pid = pid_service.create(record_for("/zone/s", checksum="md5:1", ror="21.X/R", fio="21.X/F",
                                        parent="21.X/P",
                                        checksum_timestamp=profile.iso8601_utc(1700000000)),
                             "zone:s")
    pid_service.update(pid, {"EUDAT/NEW": "n"})  # 2-6, 8, 9 are taken: 7 was the first free
    assert {v["type"]: v["index"] for v in pid_service.get_values(pid)}["EUDAT/NEW"] != 7
    pid_service.add_first_replica(pid, f"{PREFIX}/C1")
    pid_service.add_replica(pid, f"{PREFIX}/C2")  # the list moves to 1000, 7 is marked
    pid_service.update(pid, {profile.REPLICA_MOVED: None})  # whatever is removed at 7
    assert pid_service.add_first_replica(pid, f"{PREFIX}/C3") == \
        f"{PREFIX}/C1,{PREFIX}/C2,{PREFIX}/C3"
    assert pid_service.get(pid).replicas == (f"{PREFIX}/C1", f"{PREFIX}/C2", f"{PREFIX}/C3")


def test_delete(pid_service):
    pid = pid_service.create(record_for("/zone/d"), "zone:d")
    pid_service.delete(pid)
    with pytest.raises(PidNotFound):
        pid_service.get(pid)
    with pytest.raises(PidNotFound):
        pid_service.delete(pid)


# --- reverse lookup -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "plain.txt", "with space.txt", "a&b=c.txt", "hash#and?query.txt", "100%_done.txt",
    "plus+sign.txt", "ünïcödé €.txt", "quote'\"s.txt", "star*name.txt",
])
def test_search_by_url_with_special_characters(pid_service, name):
    rec = record_for(f"/zone/home/dir with space/{name}")
    decoy = record_for(f"/zone/home/dir with space/x{name}")
    pid = pid_service.create(rec, f"zone:{name}")
    pid_service.create(decoy, f"zone:x{name}")
    assert pid_service.search_url(rec.url) == [pid]
    assert sorted(pid_service.search({profile.URL: SERVER_ID + "/zone/home/*"})) == sorted(
        [pid, pid_service.mint(f"zone:x{name}")])


def test_search_by_checksum_and_several_keys(pid_service):
    a = pid_service.create(record_for("/zone/s1", checksum="sha2:Zm9v+/=="), "zone:s1")
    pid_service.create(record_for("/zone/s2", checksum="sha2:Zm9v+/=="), "zone:s2")
    both = pid_service.search({profile.CHECKSUM: "sha2:Zm9v+/=="})
    assert len(both) == 2
    assert pid_service.search({profile.CHECKSUM: "sha2:Zm9v+/==",
                               profile.URL: record_for("/zone/s1").url}) == [a]
    assert pid_service.search({profile.CHECKSUM: "sha2:*"}, limit=1) == [min(both)]
    assert pid_service.search(URL="nothing-like-this") == []


def test_search_keys_restricted_by_credentials(tmp_path, handle_server):
    path = write_credentials(tmp_path / "c.json", handle_server, allowed_search_keys=["URL"])
    with PidService(HandleCredentials.load(path), backoff=0) as service:
        with pytest.raises(InvalidInput):
            service.search({profile.CHECKSUM: "x"})
        assert service.search(URL="x") == []


# --- retries and faults ---------------------------------------------------------------------------


def test_retries_on_injected_500_leave_exactly_one_record(pid_service, handle_server):
    pid_service.connect()
    handle_server.faults.fail_next(2, 500, methods=["PUT"])
    pid = pid_service.create(record_for("/zone/r500"), "zone:r500")
    assert pid_service.stats["retries"] == 2
    assert handle_server.store.list_handles(PREFIX).count(pid) == 1
    assert len(handle_puts(handle_server)) == 3


@pytest.mark.parametrize("after", [False, True])
def test_dropped_connection_on_create_leaves_exactly_one_record(http_engine, pid_service,
                                                                handle_server, after):
    pid_service.connect()
    handle_server.faults.drop_next(1, after=after, methods=["PUT"])
    rec = record_for("/zone/dropped")
    pid = pid_service.create(rec, "zone:dropped")
    assert handle_server.store.search([("URL", rec.url)]) == [pid]
    assert pid_service.stats["retries"] == 1
    assert pid_service.stats["adopted"] == (1 if after else 0)


def test_dropped_delete_answer_counts_as_deleted(http_engine, pid_service, handle_server):
    pid = pid_service.create(record_for("/zone/dd"), "zone:dd")
    handle_server.faults.drop_next(1, after=True, methods=["DELETE"])
    pid_service.delete(pid)
    assert not handle_server.store.exists(pid)


def test_gives_up_after_bounded_retries(pid_service, handle_server):
    pid_service.connect()
    handle_server.clear_log()
    handle_server.faults.fail_next(10, 503)
    with pytest.raises(PidServiceUnavailable) as info:
        pid_service.get(f"{PREFIX}/ANY")
    assert "503" in str(info.value) and info.value.code == errors.SYS_SOCK_CONNECT_ERR
    assert handle_server.stats.total == 4  # first attempt + 3 retries


@pytest.mark.parametrize("status", [401, 403])
def test_no_retry_on_auth_failures(pid_service, handle_server, status):
    """An authentication failure is never retried as a transient one. A 401 on a write in a
    session proves the session again once (it may have expired) and sends the write once
    more; a second 401 is final."""
    pid_service.connect()
    handle_server.clear_log()
    handle_server.faults.fail_next(2, status, methods=["PUT"])
    with pytest.raises(PidAuthError):
        pid_service.create(record_for("/zone/auth"), "zone:auth")
    assert len(handle_puts(handle_server)) == (2 if status == 401 else 1)
    assert pid_service.stats["sessions"] == (2 if status == 401 else 1)
    assert pid_service.stats["retries"] == 0


def test_wrong_password_is_an_auth_error_without_retry(tmp_path, handle_server):
    path = write_credentials(tmp_path / "bad.json", handle_server, password="wrong")
    with PidService(HandleCredentials.load(path), backoff=0) as service:
        with pytest.raises(PidAuthError):
            service.create(record_for("/zone/w"), "zone:w")
        assert service.stats["retries"] == 0


def test_unreachable_server_is_unavailable(tmp_path, handle_server):
    url = handle_server.base_url
    handle_server.stop()
    path = write_credentials(tmp_path / "down.json", handle_server, handle_server_url=url)
    with PidService(HandleCredentials.load(path), retries=1, backoff=0) as service:
        with pytest.raises(PidServiceUnavailable):
            service.get(f"{PREFIX}/X")


def test_timeout_is_applied(credentials_file, handle_server):
    service = PidService(HandleCredentials.load(credentials_file), timeout=0.2, retries=0)
    try:
        service.get_value(f"{PREFIX}/USER01", "URL")
        handle_server.faults.latency_ms = 600
        with pytest.raises(PidServiceUnavailable) as info:
            service.get(f"{PREFIX}/SLOW")
        assert "Timeout" in str(info.value)
    finally:
        handle_server.faults.latency_ms = 0
        service.close()


# --- credentials, logs, caching, bulk -------------------------------------------------------------


def test_credentials_never_logged(tmp_path, handle_server, caplog):
    caplog.set_level(logging.DEBUG)
    path = write_credentials(tmp_path / "log.json", handle_server)
    with PidService(HandleCredentials.load(path), backoff=0) as service:
        pid = service.create(record_for("/zone/log"), "zone:log")
        service.update(pid, {profile.CHECKSUM: "x"})
        service.search(URL="*")
        handle_server.faults.fail_next(1, 500)
        service.delete(pid)
        assert repr(service.credentials).find(PASSWORD) == -1
        assert PASSWORD not in str(service.credentials)
    import base64
    from urllib.parse import quote

    token = base64.b64encode(f"{quote(USER)}:{PASSWORD}".encode()).decode()
    assert "Instantiating RESTHandleClient" in caplog.text  # pyhandle's debug log ...
    assert PASSWORD not in caplog.text  # ... but without the secret
    assert token not in caplog.text
    assert not any(PASSWORD in str(e) or token in str(e) for e in handle_server.request_log)


def test_group_readable_credentials_refused(credentials_file):
    os.chmod(credentials_file, 0o640)
    with pytest.raises(ConfigError) as info:
        HandleCredentials.load(credentials_file)
    assert str(credentials_file) in str(info.value) and "0640" in str(info.value)
    assert PASSWORD not in str(info.value)


def test_b2handle_style_file_without_client(tmp_path, handle_server):
    path = write_credentials(tmp_path / "old.json", handle_server, client=None)
    assert "client" not in path.read_text()
    assert HandleCredentials.load(path).prefix == PREFIX


@pytest.mark.parametrize("override,message", [
    ({"password": None}, "no write credentials"),
    ({"handle_server_url": "ftp://x"}, "handle_server_url"),
    ({"client": "db"}, "not supported"),
    ({"username": "USER01"}, "index:prefix/suffix"),
])
def test_bad_credentials_rejected(tmp_path, handle_server, override, message):
    path = write_credentials(tmp_path / "bad.json", handle_server, **override)
    with pytest.raises(ConfigError, match=message):
        HandleCredentials.load(path)


def test_get_pid_service_reuses_one_client(credentials_file, handle_server):
    clear_cache()
    try:
        first = get_pid_service(credentials_file, backoff=0.0)
        assert get_pid_service(credentials_file, backoff=0.0) is first
        handle_server.clear_log()
        first.get_value(f"{PREFIX}/USER01", "URL")
        first.get_value(f"{PREFIX}/USER01", "URL")
        # the constructor's GET of the user handle happens once, then one GET per call
        assert handle_server.stats["GET"] == 3
        assert get_pid_service(credentials_file, backoff=0.1) is not first
    finally:
        clear_cache()


def test_bulk_runs_in_a_bounded_pool(pid_service, handle_server):
    keys = [f"zone:bulk{i}" for i in range(20)]
    results = list(pid_service.bulk(
        lambda key: pid_service.create(record_for(f"/zone/{key}"), key), keys))
    assert [item for item, _ in results] == keys
    assert all(isinstance(pid, str) for _, pid in results)
    assert len(set(pid for _, pid in results)) == 20
    bad = list(pid_service.bulk(pid_service.get, [f"{PREFIX}/NOPE"]))
    assert isinstance(bad[0][1], PidNotFound)


def test_stats_count_requests(pid_service):
    pid_service.create(record_for("/zone/st"), "zone:st")
    snap = pid_service.stats.snapshot()
    # constructor GET (user handle), the session (POST, and its proof a PUT), one PUT
    assert snap["http_GET"] == 1 and snap["http_POST"] == 1 and snap["http_PUT"] == 2
    assert snap["requests"] == 4 and snap["sessions"] == 1


def test_password_kept_out_of_exception_text(tmp_path, handle_server):
    path = write_credentials(tmp_path / "x.json", handle_server, password="wrong-pw-123")
    with PidService(HandleCredentials.load(path), backoff=0) as service:
        with pytest.raises(PidAuthError) as info:
            service.create(record_for("/zone/e"), "zone:e")
    assert "wrong-pw-123" not in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__ or info.value.__context__ is None


def test_unknown_user_handle_is_an_auth_error(tmp_path, handle_server):
    path = write_credentials(tmp_path / "nobody.json", handle_server,
                             username=f"300:{PREFIX}/NOBODY")
    with PidService(HandleCredentials.load(path), backoff=0) as service:
        with pytest.raises(PidAuthError, match="NOBODY"):
            service.connect()


def test_concurrent_add_replica_loses_no_child(pid_service):
    parent = pid_service.create(record_for("/zone/many"), "zone:many")
    children = [f"{PREFIX}/CHILD-{i}" for i in range(12)]
    results = list(pid_service.bulk(lambda child: pid_service.add_replica(parent, child),
                                    children))
    assert not [r for _, r in results if isinstance(r, Exception)]
    assert sorted(pid_service.get(parent).replicas) == sorted(children)


def test_foreign_prefix_is_an_invalid_pid_not_an_internal_error(pid_service):
    from b2safe.errors import SYS_INVALID_INPUT_PARAM, InvalidPid

    with pytest.raises(InvalidPid) as info:
        pid_service.get("99.FOREIGN/ABC")
    assert info.value.code == SYS_INVALID_INPUT_PARAM
    assert "does not serve that prefix" in str(info.value)


def test_worker_pool_records_reach_the_server_log(pid_service, handle_server):
    # A retry logged on a PID worker thread during a rule call is written to the server log by
    # the rule's thread (bulk runs each call in a copy of the rule's context).
    from b2safe.prep import log as serverlog
    from tests.unit.fakeprep import RecordingCallback

    serverlog.install_handler(1)
    callback = RecordingCallback()  # raises if used from a worker thread
    with serverlog.rule_call(callback, "EUDATPidsForColl"):
        handle_server.faults.fail_next(1, 503)
        [(_, result)] = pid_service.bulk(
            lambda pid: pid_service.get_value(pid, "URL"), [f"{PREFIX}/USER01"])
        assert not isinstance(result, BaseException)
    assert pid_service.stats["retries"] == 1
    assert any("retry 1 of 3" in line and "[EUDATPidsForColl]" in line
               for line in callback.out("serverLog")), callback.out("serverLog")


def test_proxy_variables_are_read_once_when_the_client_is_built(pid_service, monkeypatch):
    """requests would look the proxy variables up on every request; the adapter reads them
    when it connects: a proxy set afterwards (here a closed port) is not used."""
    pid_service.connect()
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    rec = record_for("/zone/home/proxy.txt", checksum="sha2:AAAA==")
    pid = pid_service.create(rec, "zone:proxy")
    assert pid_service.get(pid).url == rec.url


# --- Handle sessions ------------------------------------------------------------------------------


def test_writes_go_in_a_handle_session_that_is_renewed_when_it_ends(pid_service, handle_server):
    """Built once: the session is opened and proven (POST and PUT on /api/sessions); writes send
    only its id. When the server forgets the session (expiry), the next write is refused, the
    service proves itself again once, and the write goes through."""
    from b2safe_sandbox.handle_server.sessions import Sessions

    pid_service.connect()
    assert pid_service.stats["sessions"] == 1
    assert handle_server.stats.by_route[("POST", "/api/sessions")] == 1
    assert handle_server.stats.by_route[("PUT", "/api/sessions")] == 1
    assert handle_server.stats["PUT"] == 0  # the method counts are requests on handles
    first = pid_service.create(record_for("/zone/s1"), "zone:s1")
    handle_server.api.sessions = Sessions()  # every session expired
    second = pid_service.create(record_for("/zone/s2"), "zone:s2")
    assert pid_service.stats["sessions"] == 2
    assert pid_service.get(first).url != pid_service.get(second).url


def test_a_server_without_sessions_gets_basic_authentication(credentials_file, handle_server,
                                                             monkeypatch):
    from b2safe_sandbox.handle_server import api

    monkeypatch.setattr(api.HandleApi, "session",
                        lambda self, request, this: api.handle_error(404, 2, "no such resource"))
    service = PidService(HandleCredentials.load(credentials_file), retries=0, workers=1)
    try:
        pid = service.create(record_for("/zone/basic"), "zone:basic")
        assert service.stats["sessions"] == 0
        assert service.get(pid).url.endswith("/zone/basic")
    finally:
        service.close()
