"""Checks of the PID side of a deployment: the credentials file and the Handle service.

Shared by ``b2safe doctor`` and ``b2safe install`` (which checks what it just planned), so that
install needs no part of doctor.
"""

from __future__ import annotations

from typing import Any

from b2safe.ops.checks import CRITICAL, OK, UNKNOWN, WARNING, Check


def check_credentials(config: Any) -> tuple[Check, Any]:
    """(check, HandleCredentials or None) for the configured PID credentials file."""
    from b2safe.adapters.handle.credentials import HandleCredentials
    from b2safe.errors import B2SafeError

    if not config.pid.enabled:
        return Check("credentials", OK, "PID service disabled in the configuration"), None
    try:
        creds = HandleCredentials.load(config.pid.credentials_file)
    except B2SafeError as exc:
        return Check("credentials", CRITICAL, str(exc)), None
    return Check("credentials", OK,
                 f"{config.pid.credentials_file} private, prefix {creds.prefix}"), creds


def check_pid_service(creds: Any, server_id: str = "", timeout: float = 5.0) -> list[Check]:
    """pid-service (an authenticated request), pid-prefix (may create handles) and
    reverse-lookup checks with ``creds`` (HandleCredentials)."""
    from b2safe.adapters.handle.rest import PidService
    from b2safe.errors import B2SafeError, PidAuthError

    checks: list[Check] = []
    url = creds.handle_server_url
    service = PidService(creds, retries=0, timeout=timeout)
    try:
        try:
            service.connect()
            shown = service.check_access()
            who = creds.username or "the certificate"
            checks.append(Check("pid-service", OK, f"{url}: {shown} for {who}"))
        except PidAuthError as exc:
            checks.append(Check("pid-service", CRITICAL,
                                f"{url} refused the credentials ({exc}): fix username/password "
                                f"(or the certificate) in {creds.path or 'the credentials file'}"))
            return checks
        except B2SafeError as exc:
            checks.append(Check("pid-service", CRITICAL,
                                f"{url}: {exc}: check handle_server_url, the network path and "
                                "that the Handle server runs"))
            return checks
        allowed, why = service.may_create_handles()
        state = OK if allowed else (UNKNOWN if allowed is None else CRITICAL)
        hint = "" if allowed is not False else (": ask the prefix administrator to add the user "
                                                "to an HS_ADMIN with the add-handle permission")
        checks.append(Check("pid-prefix", state, why + hint))
        probe = (server_id.rstrip("/") or "irods://b2safe-doctor") + "/b2safe-doctor-probe"
        try:
            found = service.search_url(probe)
            checks.append(Check("reverse-lookup", OK, f"answers ({len(found)} match(es) for a "
                                                      "probe URL)"))
        except B2SafeError as exc:
            checks.append(Check("reverse-lookup", WARNING, f"reverse lookup failed: {exc}: check "
                                                           "reverselookup_* in the credentials"))
    finally:
        service.close()
    return checks
