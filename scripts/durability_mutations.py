"""Mutation check of the durability mechanisms: remove each in turn and run the tests defending it.

Every mechanism of ``docs/durability.md`` that a multi-process or crash-point test defends is
listed below with the code that makes it (a snippet replaced by a version without it) and the
tests meant to fail once it is gone. The machinery is that of ``security_mutations.py`` (a copy
of this checkout per run, one mutation at a time, a table ``mechanism | outcome | tests failed``
and JSON); exit 1 when a mechanism's tests all still pass (NOT CAUGHT) or a snippet moved
(stale). The concurrency tests race real OS processes: a mechanism whose loss shows only in
some interleavings is defended by a test that forces the interleaving (a barrier), so that its
outcome does not depend on timing.

Usage (from the repository root; a few minutes in all)::

    python3 scripts/durability_mutations.py             # every mechanism
    python3 scripts/durability_mutations.py -k sweep    # mechanisms whose name contains "sweep"
"""

from __future__ import annotations

import sys

from security_mutations import Mutation, main

DUR = "tests/sandbox/durability"
REST = "b2safe/adapters/handle/rest.py"


def _t(module: str, *names: str) -> tuple[str, ...]:
    return tuple(f"{DUR}/{module}.py::{name}" for name in names)


ONE_PARENT = _t("test_concurrent_agents",
                "test_agents_adding_replicas_to_one_parent_keep_every_child")
TWO_DESTINATIONS = _t("test_concurrent_workflows",
                      "test_one_source_replicated_to_two_destinations_at_once")
BULK = _t("test_concurrent_workflows", "test_bulk_pids_on_overlapping_collections")
SWEEP_DURING_REPLICATION = _t("test_concurrent_workflows",
                              "test_a_sweep_with_repair_during_a_replication")
INDEX_7 = ("tests/adapters/test_pid_service.py::test_index_7_is_never_given_away_nor_freed",)
MIXED = _t("test_concurrent_workflows", "test_repeated_mixed_runs_end_consistent")
SWEEP_RUNS = _t("test_concurrent_workflows", "test_concurrent_runs_of_one_sweep_keep_every_run")

MUTATIONS: list[Mutation] = [
    Mutation("EUDAT/REPLICA version chain (conditional PUT, re-read, re-apply) -> plain "
             "read-then-write", REST,
             "                answer = self._put(parent_pid, [entry], indices=[slot], "
             "overwrite=False)\n                if _ok(answer) and slot == first:\n",
             "                answer = self._put(parent_pid, [entry], indices=[slot], "
             "overwrite=True)\n                if _ok(answer):\n",
             ONE_PARENT + TWO_DESTINATIONS + MIXED),
    Mutation("EUDAT/REPLICA: re-read and re-apply after a lost conditional write", REST,
             "                if _ok(answer) and slot == first:\n",
             "                if _ok(answer) or answer.status == 409:\n",
             ONE_PARENT + TWO_DESTINATIONS + MIXED),
    Mutation("EUDAT/REPLICA: no other type is given index 7 (a first child's PUT there "
             "proves no list)", REST,
             "    while index in taken or 100 <= index < 200 or index == _REPLICA_SLOT:",
             "    while index in taken or 100 <= index < 200:", INDEX_7),
    Mutation("EUDAT/REPLICA: a value removed at index 7 leaves a marker (never freed)", REST,
             '                if current is not None and int(current["index"]) == '
             "_REPLICA_SLOT:",
             "                if False:", INDEX_7),
    Mutation("minting: a 409 whose record has our URL is adopted", REST,
             "            if answer.status == 409:\n"
             "                return self._adopt(handle, record)\n",
             "            if answer.status == 409:\n"
             "                raise PidConflict(f\"PID {handle} already exists\")\n",
             BULK + MIXED + SWEEP_DURING_REPLICATION),
    Mutation("the Handle transport never sends a request twice (pycurl engine: libcurl's "
             "resend on a new connection refused)", "b2safe/adapters/handle/http_curl.py",
             "            return 1  # CURL_PREREQFUNC_ABORT",
             "            return 0  # CURL_PREREQFUNC_ABORT",
             ("tests/adapters/test_handle_transport.py::"
              "test_a_request_is_never_sent_twice_by_the_transport",
              "tests/adapters/test_pid_service.py::test_dropped_delete_answer_counts_as_deleted")),
    Mutation("a kept-alive connection the server closed while idle is replaced before a "
             "request is sent on it (pycurl engine)", "b2safe/adapters/handle/http_curl.py",
             "        if curl is not None and local.socket >= 0 and dropped(local.poller):",
             "        if False:",
             ("tests/adapters/test_handle_transport.py::"
              "test_a_connection_the_server_closed_while_idle_is_replaced_before_sending",)),
    Mutation("a reset during the TLS handshake is a connection failure, retried (pycurl "
             "engine)", "b2safe/adapters/handle/http_curl.py",
             "        if code == _CURL_SSL_CONNECT_ERROR and os_errno in _BROKEN_CONNECTION:",
             "        if False:",
             ("tests/adapters/test_handle_transport.py::"
              "test_a_reset_during_the_tls_handshake_is_a_connection_failure",
              "tests/adapters/test_handle_transport.py::"
              "test_the_service_retries_a_reset_during_the_tls_handshake")),
    Mutation("a connection that failed to connect is not kept for the next request "
             "(http.client engine)", "b2safe/adapters/handle/http_stdlib.py",
             "            self._discard(connection)  # not kept for the next request",
             "            pass  #",
             ("tests/adapters/test_handle_transport.py::"
              "test_a_reset_during_the_tls_handshake_is_a_connection_failure",)),
    Mutation("the Handle deadline watchdog survives a deadline that fails to fire",
             "b2safe/adapters/handle/deadlines.py",
             "            try:\n                fire()\n            except Exception:",
             "            try:\n                fire()\n            except ZeroDivisionError:",
             ("tests/adapters/test_handle_transport.py::"
              "test_a_deadline_that_fails_to_fire_does_not_stop_the_others",)),
    Mutation("a forked child gets a Handle deadline watchdog of its own",
             "b2safe/adapters/handle/deadlines.py",
             "    os.register_at_fork(after_in_child=_forget_after_fork)", "    pass",
             ("tests/adapters/test_handle_transport.py::"
              "test_a_forked_child_gets_a_watchdog_of_its_own",)),
    Mutation("uuid suffixes: the first PID AVU added wins (one object)",
             "b2safe/workflows/pids.py",
             "        winner = values[0] if values else pid  # the first added wins",
             "        winner = pid  # the first added wins",
             _t("test_concurrent_agents",
                "test_concurrent_creators_with_uuid_suffixes_leave_one_pid_per_object")),
    Mutation("uuid suffixes: the first PID AVU added wins (bulk pages)",
             "b2safe/workflows/pids.py",
             "                if values and values[0] != pid:\n",
             "                if False:\n",
             BULK),
    Mutation("a problem a sweep recorded is cleared when a later run finds the pair good",
             "b2safe/workflows/integrity.py",
             "            if avus is not None and PENDING_AVU not in avus:\n",
             "            if True:\n",
             SWEEP_DURING_REPLICATION),
    Mutation("sweep runs add their own run record (no rewritten totals)",
             "b2safe/workflows/sweeps.py",
             'self.catalog.add_avu(coll, "-C", RUN_AVU, mine, known_absent=True)',
             'self.catalog.set_avu(coll, "-C", RUN_AVU, mine)',
             SWEEP_RUNS),
    Mutation("sweep reports named by run id", "b2safe/workflows/sweeps.py",
             'path = f"{folder}/{state.pass_started}-{run_id}.json"',
             'path = f"{folder}/{state.pass_started}-{report.started}.json"',
             SWEEP_RUNS),
    Mutation("EUDATPIDRegistration's commit point (fail-log record before its first PID "
             "request)", "b2safe/workflows/replication.py",
             "        record = self._begin(request, info, None)\n        try:\n"
             "            self.workflow.create(info.path)\n",
             "        record = self._begin(request, info, None)\n"
             "        self.faillog.clear(info.path, _kind(info), request.destination)\n"
             "        try:\n            self.workflow.create(info.path)\n",
             _t("test_crash_points", "test_every_workflow_survives_a_crash_at_every_step")),
    Mutation("a deferred EUDATPIDRegistration stays in the fail log",
             "b2safe/workflows/replication.py",
             "            if registration.deferred:  # kept for",
             "            if False:  # kept for",
             ("tests/workflows/test_pids_and_replication.py::"
              "test_a_deferred_registration_of_an_existing_replica_stays_in_the_fail_log",)),
    Mutation("pending PIDs of a removed object are given up on its parent",
             "b2safe/ruleset/policy.py",
             "        uploads(ctx).give_up_removed(path, is_collection)\n",
             "        pass\n",
             _t("test_sequences", "test_pending_pid_of_a_removed_object_is_given_up_visibly")),
    Mutation("keep_and_mark commits pending marks before the unlink",
             "b2safe/workflows/removal.py",
             "                _remember(path, removal)\n"
             "                self._commit_intent(path, removal)\n",
             "                _remember(path, removal)\n",
             _t("test_sequences",
                "test_agent_dying_between_the_unlink_and_the_post_pep_leaves_the_mark_pending")),
    Mutation("a replication refuses registered data of another source",
             "b2safe/workflows/replication.py",
             "            self._refuse_foreign(request.destination, existing, info)\n",
             "            pass\n",
             _t("test_sequences", "test_replication_never_overwrites_a_replica_of_another_source")),
    Mutation("a fail-log record follows its renamed source", "b2safe/workflows/replication.py",
             "                followed = self._follow(record)\n",
             "                followed = record\n",
             _t("test_sequences", "test_pending_replication_follows_a_rename_of_its_source")),
    Mutation("a record retried max_attempts times is given up", "b2safe/state/faillog.py",
             "        state = GAVE_UP if attempts >= max_attempts else PENDING\n",
             "        state = PENDING\n",
             _t("test_sequences",
                "test_a_replication_that_can_never_succeed_is_given_up_after_bounded_tries")),
    Mutation("a given-up record moves up with its removed holder",
             "b2safe/workflows/replication.py",
             "            if record is None or not self.faillog.authentic(record):\n"
             "                continue\n            cause = f\"its source",
             "            if record is None or not self.faillog.authentic(record) or \\\n"
             "                    record.state == faillog.GAVE_UP:\n"
             "                continue\n            cause = f\"its source",
             _t("test_sequences", "test_a_given_up_replication_moves_up_when_its_holder_is_"
                "removed")),
    Mutation("pending replications of a removed source are given up on its parent",
             "b2safe/ruleset/policy.py",
             "        replicator(ctx).give_up_removed(path, is_collection)\n",
             "        pass\n",
             _t("test_sequences",
                "test_pending_replication_of_a_removed_source_is_given_up_visibly")),
]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], MUTATIONS, __doc__.splitlines()[0]))
