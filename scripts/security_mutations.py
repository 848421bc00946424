"""Mutation check of the trust model: disable each defence in turn and run its attack tests.

Every defence of ``docs/security.md`` is listed below with the code that makes it (a snippet
replaced by a version without the check) and the tests meant to catch its removal. For each one
the script copies this checkout to a temporary directory, applies that one mutation, runs those
tests there and prints a table ``defence | tests failed``, then JSON. A defence whose tests all
still pass is NOT caught: the script exits 1 and says which. A snippet that no longer occurs
exactly once is reported as ``stale`` (the code moved: update the entry).

Usage (from the repository root; runs pytest once per defence, a few minutes in all)::

    python3 scripts/security_mutations.py            # every defence
    python3 scripts/security_mutations.py -k window  # defences whose name contains "window"
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEC = "tests/security"


@dataclass(frozen=True)
class Mutation:
    """One defence: ``old`` in ``path`` is replaced by ``new`` (the defence removed)."""

    defence: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


#: The record transport's tests (each runs on both engines).
_ADAPTERS = "tests/adapters/test_handle_transport.py"


def _t(module: str, *names: str) -> tuple[str, ...]:
    return tuple(f"{SEC}/{module}.py::{name}" for name in names)


MUTATIONS: list[Mutation] = [
    Mutation("signature verified before work is carried out", "b2safe/state/codec.py",
             "    if not signer.verify(signature, work.message()):\n        return FORGED",
             "    if False:\n        return FORGED",
             _t("test_pending_work",
                "test_a_forged_fail_log_record_is_moved_aside_not_carried_out_by_the_admin",
                "test_a_forged_integrity_record_is_not_repaired_by_the_admin")
             + _t("test_owner_state", "test_the_owner_cannot_redirect_a_sweeps_repairs_onto_"
                  "other_files", "test_the_owner_cannot_switch_a_sweep_off")),
    Mutation("signature binds the requester", "b2safe/state/codec.py",
             "json.dumps([VERSION, self.kind, self.requester, self.obj,",
             "json.dumps([VERSION, self.kind, self.obj,",
             _t("test_pending_work", "test_a_genuine_record_with_its_requester_changed_is_forged")
             + _t("test_signing_key",
                  "test_the_signature_binds_requester_object_operation_destination_and_"
                  "parameters")),
    Mutation("a record found on another object than it names is forged (holder)",
             "b2safe/state/codec.py",
             "    if holder and holder != work.obj:\n        return FORGED", "",
             _t("test_signing_key",
                "test_the_signature_binds_requester_object_operation_destination_and_"
                "parameters")),
    Mutation("verification never raises (signature shape checked first)",
             "b2safe/state/signing.py",
             r'_SIGNATURE = re.compile(r"^([A-Za-z0-9_-]{1,32})\.([0-9a-f]{32})$")',
             r'_SIGNATURE = re.compile(r"^([A-Za-z0-9_-]{1,32})\.(.+)$")',
             _t("test_pending_work", "test_a_non_ascii_signature_does_not_crash_the_admin_retry")),
    Mutation("a user's retry acts only on her own records", "b2safe/state/faillog.py",
             "            if user and record.user != user:\n                continue\n", "",
             _t("test_pending_work", "test_a_users_retry_leaves_other_users_records_alone")),
    Mutation("forged records are moved aside", "b2safe/state/faillog.py",
             "                    quarantine.move_aside(self.catalog, path, kind, avu.name, "
             "avu.value,\n                                          avu.units, "
             "f\"{verdict} fail-log record\")\n",
             "                    pass\n",
             _t("test_pending_work",
                "test_a_forged_fail_log_record_is_moved_aside_not_carried_out_by_the_admin",
                "test_forged_records_do_not_starve_the_retry_window")),
    Mutation("forged records do not count against the retry window", "b2safe/state/faillog.py",
             "                                          avu.units, f\"{verdict} fail-log "
             "record\")\n                continue\n",
             "                                          avu.units, f\"{verdict} fail-log "
             "record\")\n                limit -= 1\n                if limit <= 0:\n"
             "                    break\n                continue\n",
             _t("test_pending_work", "test_forged_records_do_not_starve_the_retry_window")),
    Mutation("the admin retry re-authorizes the requester (fail log)",
             "b2safe/workflows/replication.py",
             "            self.on_behalf = record.user  # re-authorized now, with today's rights",
             "            self.on_behalf = None",
             _t("test_retry_reauthorization",
                "test_update_logging_cannot_make_the_admin_overwrite_a_file_she_may_not_write",
                "test_pid_registration_cannot_make_the_admin_overwrite_a_file_she_may_not_write",
                "test_a_right_lost_after_queuing_stops_the_admin_retry")),
    Mutation("re-authorization: the requester still owns the source",
             "b2safe/workflows/replication.py",
             "            if (info.owner, info.owner_zone) != (name, zone) and \\\n"
             "                    not access.allows(held, access.OWN):",
             "            if False:",
             _t("test_retry_reauthorization",
                "test_ownership_lost_after_queuing_stops_the_admin_retry")),
    Mutation("re-authorization: the requester may write the destination",
             "b2safe/workflows/replication.py",
             "            if existing is None or not access.allows(\n"
             "                    self.catalog.access_of(target, name, zone, "
             "existing.is_collection),\n                    access.WRITE):",
             "            if False:",
             _t("test_retry_reauthorization",
                "test_update_logging_cannot_make_the_admin_overwrite_a_file_she_may_not_write",
                "test_a_right_lost_after_queuing_stops_the_admin_retry")),
    Mutation("re-authorization: the requester owns everything below a collection",
             "b2safe/workflows/replication.py",
             "            if info.is_collection and self.catalog.foreign_owned_count(info.path, "
             "name, zone):",
             "            if False:",
             _t("test_retry_reauthorization",
                "test_an_object_of_someone_else_added_later_stops_a_collection_retry")),
    Mutation("a pending PID is created by the admin's run only while its requester may write",
             "b2safe/workflows/upload.py",
             "                self._authorize_requester(mark)\n",
             "",
             _t("test_pending_marks",
                "test_the_admin_run_creates_a_pending_pid_only_while_its_requester_may_write_the_object")),
    Mutation("re-authorization sees rights held through a group",
             "b2safe/adapters/prep/catalog.py",
             "COLL_USER_NAME = '{user}' and \"\n"
             "                              f\"COLL_USER_ZONE = '{zone}'\"",
             "USER_NAME = '{user}' and \"\n"
             "                              f\"USER_ZONE = '{zone}'\"",
             _t("test_retry_reauthorization", "test_write_access_through_a_group_is_honoured")),
    Mutation("re-authorization: group membership as it is when the work is done",
             "b2safe/adapters/prep/catalog.py",
             "COLL_USER_NAME = '{user}' and \"\n"
             "                              f\"COLL_USER_ZONE = '{zone}'\"",
             "COLL_USER_NAME like '%' and \"\n"
             "                              f\"COLL_USER_ZONE like '%'\"",
             _t("test_retry_reauthorization",
                "test_a_group_membership_removed_after_queuing_stops_the_admin_retry")),
    Mutation("a record is followed after a rename only onto an object its requester owns",
             "b2safe/workflows/replication.py",
             "        if info is not None and record.user and owner == record.user:",
             "        if info is not None:",
             _t("test_pending_work",
                "test_a_genuine_record_copied_onto_an_object_she_co_owns_is_not_followed")),
    Mutation("the admin's integrity repair re-authorizes the requester",
             "b2safe/workflows/replication.py",
             "            self.on_behalf = requester  # re-authorized now, with today's rights",
             "            self.on_behalf = None",
             _t("test_retry_reauthorization",
                "test_integrity_logging_cannot_make_the_admin_repair_onto_a_file_she_may_not_"
                "write")),
    Mutation("the Handle record is the witness before a PID is changed (expect_url)",
             "b2safe/adapters/handle/rest.py",
             "    if url not in expected:\n        raise AccessDenied(",
             "    if False:\n        raise AccessDenied(",
             _t("test_pid_claims", "test_keep_and_mark_does_not_mark_bobs_record",
                "test_replicating_her_object_does_not_link_her_copy_into_bobs_record")),
    Mutation("a parent linked without a read only when its handle is the one minted for the "
             "source", "b2safe/workflows/replication.py",
             "        return minted.casefold() == pid.casefold()",
             "        return True",
             (*_t("test_pid_claims",
                  "test_replicating_her_object_does_not_link_her_copy_into_bobs_record"),
              "tests/workflows/test_pids_and_replication.py::"
              "test_a_pid_claimed_from_another_record_is_read_before_a_link")),
    Mutation("a parent linked without a read only when its handle is the one minted for the "
             "source: never with random suffixes", "b2safe/workflows/replication.py",
             "        if self.config.pid.suffix != \"deterministic\":\n            return False\n",
             "",
             ("tests/workflows/test_pids_and_replication.py::"
              "test_with_random_suffixes_a_parent_is_read_before_its_first_child",)),
    Mutation("the Handle record is the witness before a PID is deleted",
             "b2safe/workflows/pids.py",
             "        if record is not None and record.url not in self.legacy_urls(path):",
             "        if False:",
             _t("test_pid_claims", "test_removing_her_object_pid_does_not_delete_bobs_record")),
    Mutation("the rename PEP repoints nothing while the old path exists",
             "b2safe/workflows/renames.py",
             "        if self.catalog.stat(source) is not None:",
             "        if False:",
             _t("test_pid_claims", "test_the_rename_pep_called_as_a_rule_does_not_repoint",
                "test_the_rename_pep_called_as_a_rule_between_her_own_collections_repoints_nothing")),
    Mutation("a record's current location must be data the caller may write",
             "b2safe/ruleset/guard.py",
             "    if writable(current, False):",
             "    if True:",
             _t("test_pid_claims", "test_the_url_update_rules_refuse_a_claimed_pid")),
    Mutation("a record's new location must be data the caller may write",
             "b2safe/ruleset/guard.py",
             "    if new_url and target and catalog.stat(target) is not None and not "
             "writable(target, False):",
             "    if False:",
             _t("test_pid_claims",
                "test_a_record_cannot_be_pointed_at_data_she_may_not_write")),
    Mutation("EUDATRegisterReplicas registers only objects the caller may write (rule)",
             "b2safe/ruleset/replication.py",
             "                if target not in writable:",
             "                if False:",
             _t("test_pid_claims",
                "test_register_replicas_refuses_objects_the_caller_may_not_write")),
    Mutation("EUDATRegisterReplicas registers only objects the caller may write (workflow)",
             "b2safe/workflows/pids.py",
             "                    if writable is not None and spec.path not in writable:",
             "                    if False:",
             ("tests/workflows/test_pids_and_replication.py::"
              "test_register_replicas_skips_objects_the_caller_may_not_write",)),
    Mutation("the ACL listing answers as msiCheckAccess: rights at least the level asked",
             "b2safe/adapters/prep/catalog.py",
             "        return granted | {p for p in rest if allows(strongest(held.get(p, ())), "
             "level)}",
             "        return granted | set(held)",
             (*_t("test_pid_claims",
                  "test_register_replicas_refuses_objects_the_caller_may_not_write"),
              "tests/sandbox/replication/test_access_listing.py")),
    Mutation("the ACL listing counts only her own entries for a user of another zone",
             "b2safe/adapters/prep/catalog.py",
             "        if client.zone == self._zone:",
             "        if True:",
             ("tests/sandbox/replication/test_access_listing.py",)),
    Mutation("PID syntax checked", "b2safe/domain/paths.py",
             "    if len(pid) > 512 or _CONTROL.search(pid) or not _PID.match(pid) or "
             "\"..\" in pid:",
             "    if False:",
             _t("test_handle_hostile", "test_malformed_pids_never_reach_the_server")),
    Mutation("the transport refuses URLs that are not plain handle paths",
             "b2safe/adapters/handle/http_common.py",
             "    if \"#\" in url or not _SAFE_URL_PATH.match(path) or \\\n"
             "            \"/../\" in path + \"/\" or \"/./\" in path + \"/\":",
             "    if False:",
             _t("test_handle_hostile",
                "test_the_transport_refuses_a_url_that_is_not_a_plain_handle_path",
                "test_the_record_transport_refuses_a_url_that_is_not_a_plain_handle_path")),
    Mutation("answers must name the handle asked for", "b2safe/adapters/handle/rest.py",
             "    if pid and isinstance(named, str) and named.casefold() != pid.casefold():",
             "    if False:",
             _t("test_handle_hostile", "test_an_answer_for_another_handle_is_refused")),
    Mutation("answers are size-capped", "b2safe/adapters/handle/http_stdlib.py",
             "                if len(data) > max_bytes:", "                if False:",
             _t("test_handle_hostile", "test_an_oversized_answer_is_refused")),
    Mutation("every Handle request has an overall deadline",
             "b2safe/adapters/handle/deadlines.py", "        self.start()\n", "",
             _t("test_handle_hostile", "test_a_dripping_answer_hits_the_overall_deadline",
                "test_a_server_that_never_answers_hits_the_overall_deadline")),
    Mutation("answers are size-capped (pycurl engine)", "b2safe/adapters/handle/http_curl.py",
             "            return 0  # fewer bytes than given", "            return None  #",
             _t("test_handle_hostile", "test_an_oversized_answer_is_refused")),
    Mutation("every Handle request has an overall deadline (pycurl engine)",
             "b2safe/adapters/handle/http_curl.py",
             "            (\"TIMEOUT_MS\", max(1, int(deadline * 1000))),\n", "",
             _t("test_handle_hostile", "test_a_dripping_answer_hits_the_overall_deadline")),
    Mutation("TLS peer verified (pycurl engine)", "b2safe/adapters/handle/http_curl.py",
             "(\"SSL_VERIFYPEER\", 1), (\"SSL_VERIFYHOST\", 2),",
             "(\"SSL_VERIFYPEER\", 0), (\"SSL_VERIFYHOST\", 2),",
             (f"{_ADAPTERS}::test_tls_is_verified_by_default_and_the_configured_ca_is_used",)),
    Mutation("TLS host name verified (pycurl engine)", "b2safe/adapters/handle/http_curl.py",
             "(\"SSL_VERIFYPEER\", 1), (\"SSL_VERIFYHOST\", 2),",
             "(\"SSL_VERIFYPEER\", 1), (\"SSL_VERIFYHOST\", 0),",
             (f"{_ADAPTERS}::test_the_host_name_is_verified_against_the_certificate",)),
    Mutation("no redirect followed (pycurl engine)", "b2safe/adapters/handle/http_curl.py",
             "(\"FOLLOWLOCATION\", 0), (\"MAXREDIRS\", 0),", "(\"FOLLOWLOCATION\", 1),",
             (f"{_ADAPTERS}::test_a_redirect_is_answered_not_followed",)),
    Mutation("the proxy variables read once (pycurl engine)",
             "b2safe/adapters/handle/http_curl.py",
             "            options.append((\"PROXY\", \"\"))", "            pass",
             (f"{_ADAPTERS}::test_the_proxy_variables_are_read_once_when_the_transport_is_built",)),
    Mutation("header line breaks refused (before either engine; the pycurl engine has no "
             "check of its own)", "b2safe/adapters/handle/http_common.py",
             "    if _LINE_BREAK.search(lines):",
             "    if False:",
             (f"{_ADAPTERS}::test_a_header_with_a_line_break_is_refused_before_sending",)),
    Mutation("only this zone's rodsadmins are administrators", "b2safe/ports.py",
             "        return self.auth_flag >= LOCAL_PRIV_USER_AUTH\n",
             "        return self.auth_flag >= 4\n",
             _t("test_owner_state", "test_a_federated_rodsadmin_is_an_ordinary_user_here")),
    Mutation("metadata guard (mod_avu_metadata)", "b2safe/ruleset/metadata_guard.py",
             "    if reason is None:\n        return 0", "    if True:\n        return 0",
             _t("test_metadata_guard", "test_wildcard_and_renaming_requests_are_refused")),
    Mutation("metadata guard fails closed (a request it cannot read is refused)",
             "b2safe/ruleset/metadata_guard.py",
             "@pep(\"pep_api_mod_avu_metadata_pre\", on_error=DENY, args=ModAvuArgs)",
             "@pep(\"pep_api_mod_avu_metadata_pre\", args=ModAvuArgs)",
             _t("test_metadata_guard", "test_a_request_the_guard_cannot_read_is_refused")),
    Mutation("metadata guard (atomic_apply_metadata_operations)",
             "b2safe/ruleset/metadata_guard.py",
             "    if not touched:\n        return 0", "    if True:\n        return 0",
             _t("test_metadata_guard", "test_an_atomic_metadata_request_is_refused")),
    Mutation("refuse_fixed reads the PID record (state the owner cannot remove)",
             "b2safe/workflows/removal.py",
             "        return any(self._record_fixed(path, pid) for pid in pids)",
             "        return False",
             _t("test_owner_state",
                "test_removing_the_fixed_attribute_does_not_lift_the_protection",
                "test_removing_the_pid_attribute_too_does_not_lift_it")),
    Mutation("refuse_fixed falls back on the deterministic PID", "b2safe/workflows/removal.py",
             "        if not pids and info is not None and self.config.pid.suffix == "
             "\"deterministic\":",
             "        if False:",
             _t("test_owner_state", "test_removing_the_pid_attribute_too_does_not_lift_it")),
    Mutation("refuse_fixed fails closed", "b2safe/ruleset/policy.py",
             "@pep(\"pep_api_data_obj_unlink_pre\", on_error=\"deny\", args=ObjPathArgs)",
             "@pep(\"pep_api_data_obj_unlink_pre\", args=ObjPathArgs)",
             _t("test_owner_state",
                "test_fixed_content_removal_is_refused_when_it_cannot_be_checked")),
    Mutation("sweep state followed only as b2safe signed it", "b2safe/workflows/sweeps.py",
             "    if codec.check(signer, work, fields.get(\"sig\", \"\")) != codec.VALID:",
             "    if False:",
             _t("test_owner_state",
                "test_the_owner_cannot_redirect_a_sweeps_repairs_onto_other_files",
                "test_the_owner_cannot_switch_a_sweep_off")),
    Mutation("user text escaped in log lines", "b2safe/prep/log.py",
             "        cleaned = escape_controls(redact(message))",
             "        cleaned = redact(message)",
             _t("test_owner_state", "test_rule_arguments_cannot_forge_server_log_lines")),
    Mutation("the signing key file must be 0600", "b2safe/state/keys.py",
             "    if st.st_mode & 0o077:", "    if False:",
             _t("test_signing_key", "test_a_key_file_readable_by_others_is_refused")),
    Mutation("a rotated-out key expires after the grace period", "b2safe/state/keys.py",
             "                if k.retired == 0 or now <= k.retired + self.grace}",
             "                }",
             _t("test_signing_key", "test_rotation_keeps_the_old_key_valid_for_the_grace_period",
                "test_a_record_signed_before_a_rotation_is_quarantined_after_the_grace")),
    Mutation("a 4.x fail-queue record is imported as its source owner's work, not the admin's",
             "b2safe/ruleset/replication.py", "    rep.on_behalf = owner\n", "",
             _t("test_migrate_queue",
                "test_a_queue_record_aimed_at_a_file_the_owner_may_not_write_is_not_imported",
                "test_an_imported_record_is_the_owners_work_and_the_retry_does_it")),
    Mutation("EUDATQueue: an ordinary user's queue is her own records",
             "b2safe/ruleset/messaging.py",
             "    user = \"\" if caller is not None and caller.is_admin else "
             "str(caller or \"unknown#unknown\")",
             "    user = \"\"",
             ("tests/sandbox/messaging/test_messaging.py::"
              "test_queue_pop_takes_the_oldest_of_the_callers_own_records",)),
    Mutation("EUDATMessage asks the authorization map (message)", "b2safe/ruleset/messaging.py",
             "    authorize(ctx, authz.MESSAGE, queue)\n", "",
             ("tests/sandbox/messaging/test_messaging.py::"
              "test_messaging_rules_follow_the_authorization_map",)),
    Mutation("the PAM user map only for users the map lets read 'users'",
             "b2safe/ruleset/authorization.py",
             "    authz.check(True, settings.map_file, subject(ctx), authz.READ, [\"users\"])\n",
             "",
             _t("test_pam_user_map", "test_only_users_the_map_names_read_the_pam_user_map",
                "test_without_a_map_nobody_reads_it")),
    Mutation("the sandbox's secrets are 0600 (Handle store)",
             "b2safe-sandbox/b2safe_sandbox/handle_server/store.py",
             "        _create_private(self.path)\n", "",
             _t("test_owner_state", "test_secret_files_of_the_sandbox_are_private")),
]


def _copy_checkout(target: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


_FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+?)(?: - |$)", re.MULTILINE)


def run_one(copy: Path, mutation: Mutation) -> dict:
    """Apply ``mutation`` in ``copy``, run its tests, restore the file; the outcome."""
    target = copy / mutation.path
    original = target.read_text(encoding="utf-8")
    if original.count(mutation.old) != 1:
        return {"defence": mutation.defence, "outcome": "stale", "failed": [],
                "detail": f"snippet found {original.count(mutation.old)} times in "
                          f"{mutation.path}"}
    mutated = original.replace(mutation.old, mutation.new)
    try:  # a mutant that does not compile fails every import: that proves nothing
        compile(mutated, str(target), "exec")
    except SyntaxError as exc:
        return {"defence": mutation.defence, "outcome": "broken mutant", "failed": [],
                "detail": f"{mutation.path} does not compile once mutated: {exc}"}
    target.write_text(mutated, encoding="utf-8")
    try:
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rfE",
                               "-p", "no:cacheprovider", *mutation.tests],
                              cwd=copy, capture_output=True, text=True, timeout=900)
    finally:
        target.write_text(original, encoding="utf-8")
    failed = sorted({m.split("::")[-1] for m in _FAILED.findall(done.stdout)})
    if done.returncode == 1 and failed:
        outcome = "caught"
    elif done.returncode == 0:
        outcome = "NOT CAUGHT"
    else:
        outcome = f"error (pytest exit {done.returncode})"
    return {"defence": mutation.defence, "outcome": outcome, "failed": failed,
            "detail": "" if outcome == "caught" else done.stdout[-600:]}


def main(argv: list[str] | None = None, mutations: list[Mutation] | None = None,
         description: str = "") -> int:
    """Run ``mutations`` (this script's by default) and print the table; 1 when one is not
    caught (scripts/durability_mutations.py runs its own list through this)."""
    parser = argparse.ArgumentParser(description=description or __doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only defences whose name contains this")
    args = parser.parse_args(argv)
    chosen = [m for m in (MUTATIONS if mutations is None else mutations)
              if args.k.lower() in m.defence.lower()]
    results = []
    with tempfile.TemporaryDirectory(prefix="b2safe-mutations-") as tmp:
        copy = Path(tmp)
        _copy_checkout(copy)
        for mutation in chosen:
            result = run_one(copy, mutation)
            results.append(result)
            print(f"{result['outcome']:<12} {mutation.defence}", file=sys.stderr, flush=True)
    width = max(len(r["defence"]) for r in results)
    print(f"{'defence':<{width}} | outcome    | tests failed with the defence removed")
    print(f"{'-' * width}-|------------|--------------------------------------")
    for r in results:
        print(f"{r['defence']:<{width}} | {r['outcome']:<10} | {', '.join(r['failed'])}")
    print(json.dumps(results, indent=1))
    missed = [r for r in results if r["outcome"] != "caught"]
    print(f"{len(results) - len(missed)} of {len(results)} defences caught", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
