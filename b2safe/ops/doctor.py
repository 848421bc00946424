"""Deployment checks (``b2safe doctor``, and ``b2safe install --check-pid``).

Each check returns :class:`Check` results with a Nagios state (OK, WARNING, CRITICAL, UNKNOWN).
The checks read a configuration file and, where one is given, a backend of the ``b2safe``
command (a sandbox zone or a live server) for the zone table and the delay queue:

* ``config``: the b2safe.json is valid;
* ``credentials``: the PID credentials file exists, is readable by its owner only, and parses;
* ``pid-service``: the Handle server answers and accepts the credentials (an authenticated
  read-only request, so a wrong password fails here, not at the first PID);
* ``pid-prefix``: the user may create handles under the prefix (HS_ADMIN of ``0.NA/<prefix>``);
* ``reverse-lookup``: a reverse lookup answers (an empty list is fine);
* ``federation``: every zone named by a policy's replication destination is in the zone table with
  a ZONE_CONNECTION, and answers (its root collection is read through the federation);
* the server's own files (with ``server``): see :mod:`b2safe.ops.server_checks`;
* ``delay-rules``: the delay rules the configuration implies are queued (integrity sweeps, and
  whatever :data:`DELAY_RULE_EXPECTATIONS` providers add, e.g. replication retries);
* ``service-acls``: the service account (the backend's rodsadmin) holds ``modify_object`` with
  inheritance on the collections b2safe works in as admin (docs/installation.md).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

# The check value and states live in ops/checks (shared with server_checks); doctor re-exports
# them for its callers.
from b2safe.ops.checks import CRITICAL as CRITICAL
from b2safe.ops.checks import NAGIOS_CODES as NAGIOS_CODES
from b2safe.ops.checks import OK as OK
from b2safe.ops.checks import UNKNOWN as UNKNOWN
from b2safe.ops.checks import WARNING as WARNING
from b2safe.ops.checks import Check as Check
from b2safe.ops.checks import nagios_line as nagios_line
from b2safe.ops.checks import worst as worst
from b2safe.ops.pid_checks import check_credentials as check_credentials
from b2safe.ops.pid_checks import check_pid_service as check_pid_service

# --- expectations about delay rules (hook for replication retries and other periodic work) -----

#: Providers of expected delay rules: ``fn(config) -> [(label, [substrings of the rule text])]``.
#: Issue-6 style modules (replication retries) register theirs with
#: :func:`register_delay_expectation`.
DELAY_RULE_EXPECTATIONS: list[Callable[[Any], list[tuple[str, list[str]]]]] = []

SWEEP_RULE = "EUDATIntegritySweepRun"


def register_delay_expectation(provider: Callable[[Any], list[tuple[str, list[str]]]]) -> None:
    """Add a provider of expected delay rules (idempotent)."""
    if provider not in DELAY_RULE_EXPECTATIONS:
        DELAY_RULE_EXPECTATIONS.append(provider)


def _sweep_expectations(config: Any) -> list[tuple[str, list[str]]]:
    return [(f"integrity sweep of {s.collection}", [SWEEP_RULE, s.collection])
            for s in config.integrity.sweeps]


register_delay_expectation(_sweep_expectations)

RETRY_RULE = "EUDATTransferUsingFailLog"


def _retry_expectations(config: Any) -> list[tuple[str, list[str]]]:
    """Zones whose policies replicate need the fail-log retry rule (see docs/replication.md)."""
    if any(policy.replicate for policy in config.policies):
        return [("fail-log retry (replication)", [RETRY_RULE])]
    return []


register_delay_expectation(_retry_expectations)


# --- the checks --------------------------------------------------------------------------------


def check_config(path: Optional[str]) -> tuple[Check, Any]:
    """(check, Config or None) for the configuration file at ``path``."""
    from b2safe.config import read_config_file
    from b2safe.errors import B2SafeError

    if not path:
        return Check("config", CRITICAL, "no configuration file (give --config FILE)"), None
    try:
        config = read_config_file(path)
    except B2SafeError as exc:
        return Check("config", CRITICAL, str(exc)), None
    return Check("config", OK, f"{path} valid (zone {config.zone.name})"), config


def replication_zones(config: Any) -> list[str]:
    """Zones named by the policies' replication destinations (other than this zone), sorted."""
    zones = set()
    for policy in config.policies:
        for target in policy.replicate:
            parts = target.destination.split("/")
            if len(parts) > 1 and parts[1] and parts[1] != config.zone.name:
                zones.add(parts[1])
    return sorted(zones)


def check_federation(config: Any, backend: Any) -> Check:
    """Every replication target zone has a zone-table entry with a connection."""
    targets = replication_zones(config)
    if not targets:
        return Check("federation", OK, "no remote replication targets configured")
    if backend is None:
        return Check("federation", UNKNOWN, f"targets {', '.join(targets)}; no iRODS connection "
                                            "to read the zone table")
    try:
        table = backend.zones()
    except Exception as exc:  # reported, not raised: the checklist goes on
        return Check("federation", UNKNOWN, f"cannot read the zone table: {exc}")
    missing = [z for z in targets if z not in table]
    if missing:
        return Check("federation", CRITICAL, f"unknown zone(s) {', '.join(missing)}: iadmin "
                                             "mkzone ZONE remote HOST:PORT (docs/replication.md)")
    unconnected = [z for z in targets if not table.get(z)]
    if unconnected:
        return Check("federation", WARNING, f"no ZONE_CONNECTION for {', '.join(unconnected)}: "
                                            "iadmin modzone ZONE conn HOST:PORT")
    unreachable = []
    for zone in targets:
        state = backend.object_state(f"irods://{table[zone]}/{zone}")
        if not state.reachable:
            unreachable.append(f"{zone} ({state.note or 'no answer'})")
    if unreachable:
        return Check("federation", CRITICAL, f"cannot reach {', '.join(unreachable)}: check the "
                                             "network, both zones' federation entries and "
                                             "zone keys (docs/replication.md)")
    return Check("federation", OK, ", ".join(f"{z} at {table[z]} reachable" for z in targets))


def check_delay_rules(config: Any, backend: Any) -> Check:
    """The delay rules the configuration implies are queued."""
    expected: list[tuple[str, list[str]]] = []
    for provider in DELAY_RULE_EXPECTATIONS:
        expected.extend(provider(config))
    if not expected:
        return Check("delay-rules", OK, "none needed by this configuration")
    if backend is None:
        return Check("delay-rules", UNKNOWN, "no iRODS connection to read the delay queue")
    try:
        queued = backend.delayed_rules()
    except Exception as exc:  # reported, not raised
        return Check("delay-rules", UNKNOWN, f"cannot read the delay queue: {exc}")
    missing = [label for label, parts in expected
               if not any(all(p in text for p in parts) for text in queued)]
    if missing:
        return Check("delay-rules", WARNING, "not queued: " + "; ".join(missing) +
                     " (queue them with 'b2safe schedule')")
    return Check("delay-rules", OK, f"{len(expected)} expected rule(s) queued")


#: What the service account needs where there is no admin keyword (msiDataObjRsync, msiCollRsync,
#: msiDataObjCopy, collection/object creation): a rodsadmin is not above ACLs.
SERVICE_ACCESS = ("modify_object", "own")


def service_collections(config: Any) -> list[str]:
    """Roots the service account works in: each policy collection up to its first wildcard,
    and each sweep's collection, sorted."""
    roots = set()
    for policy in config.policies:
        literal = []
        for part in policy.collection.split("/")[1:]:
            if "*" in part:
                break
            literal.append(part)
        roots.add("/" + "/".join(literal))
    roots.update(sweep.collection for sweep in config.integrity.sweeps)
    return sorted(r for r in roots if r.count("/") >= 2)


def check_service_acls(config: Any, backend: Any) -> Check:
    """The service account holds modify_object (or own) with inheritance on each root of
    :func:`service_collections`."""
    roots = service_collections(config)
    if not roots:
        return Check("service-acls", OK, "no policy or sweep collections configured")
    if backend is None:
        return Check("service-acls", UNKNOWN, "no iRODS connection to read the ACLs")
    name, _, zone = str(backend.user).partition("#")
    try:
        ids = backend.query(["USER_ID"], [("USER_NAME", "=", name), ("USER_ZONE", "=", zone)])
        problems = []
        for root in roots:
            rows = backend.query(["COLL_ACCESS_USER_ID", "COLL_ACCESS_NAME", "COLL_INHERITANCE"],
                                 [("COLL_NAME", "=", root)])
            if not rows:
                problems.append(f"{root} missing")
            elif not any(r[0] in {i[0] for i in ids} and r[1] in SERVICE_ACCESS for r in rows):
                problems.append(f"{name} lacks modify_object on {root}")
            elif rows[0][2] != "1":
                problems.append(f"{root} does not pass ACLs on (no inheritance)")
    except Exception as exc:  # reported, not raised
        return Check("service-acls", UNKNOWN, f"cannot read the ACLs: {exc}")
    if problems:
        return Check("service-acls", WARNING, "; ".join(problems) + " (run ichmod -M -r write "
                     f"{name} <collection> and ichmod -M -r inherit <collection>)")
    return Check("service-acls", OK, f"{name} may write {', '.join(roots)}")


def run_checks(config_path: Optional[str], backend: Any = None,
               check_pid: bool = True, server: Optional[dict[str, Any]] = None) -> list[Check]:
    """The whole checklist for the configuration at ``config_path`` (see module docstring);
    ``server`` (keyword arguments of :func:`b2safe.ops.server_checks.run_server_checks`) adds
    the checks of the server's own files."""
    first, config = check_config(config_path)
    checks = [first]
    if server is not None:
        from b2safe.ops.server_checks import run_server_checks

        creds = config.pid.credentials_file if config is not None else None
        checks.extend(run_server_checks(credentials_file=creds, **server))
    if config is None:
        return checks
    cred_check, creds = check_credentials(config)
    checks.append(cred_check)
    if creds is not None and check_pid:
        try:
            checks.extend(check_pid_service(creds, config.zone.server_id,
                                            timeout=min(config.pid.timeout_seconds, 10.0)))
        except Exception as exc:  # a checklist reports every failure
            checks.append(Check("pid-service", UNKNOWN, f"check failed: {exc}"))
    checks.append(check_federation(config, backend))
    checks.append(check_delay_rules(config, backend))
    checks.append(check_service_acls(config, backend))
    return checks
