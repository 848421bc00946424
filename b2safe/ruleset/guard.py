"""Authorization of rule calls against the authorization map (a helper for rule modules)."""

from __future__ import annotations

from b2safe.domain import authz
from b2safe.errors import AccessDenied, B2SafeError, InvalidPid
from b2safe.prep import RuleContext
from b2safe.workflows.pids import PidWorkflow


def subject(ctx: RuleContext) -> str:
    """The caller as the map names subjects: ``name#zone``."""
    return str(ctx.caller) if ctx.caller else "unknown#unknown"


def authorize(ctx: RuleContext, action: str, *targets: str) -> None:
    """Enforce the authorization map for the caller (when ``authorization.enabled``).

    Args:
        action: one of :data:`b2safe.domain.authz.ACTIONS`.
        targets: paths (or PIDs) the rule acts on; each must be allowed.

    Raises:
        AccessDenied: the map allows none of the caller's assertions for a target.
        ConfigError: the map file is missing or malformed.
    """
    if action not in authz.ACTIONS:
        raise ValueError(f"unknown authorization action {action!r}")
    settings = ctx.config.authorization
    authz.check(settings.enabled, settings.map_file, subject(ctx), action, list(targets))


def require_pid_access(ctx: RuleContext, workflow: PidWorkflow, pid: str, new_url: str = "",
                       action: str = authz.PID) -> None:
    """Ownership check for rules that change a PID record given only the PID.

    A rodsadmin may change any record. Others may change a record when its URL points at an
    object of this zone that they may write, or (``new_url``, after a move) when ``new_url``
    points at such an object that carries ``pid`` as its PID AVU. The authorization map is then
    asked for ``action`` on that path (on the PID for a rodsadmin).

    Raises:
        AccessDenied: the caller may not change the record. PidNotFound: no such PID.
    """
    from b2safe.domain import profile
    from b2safe.domain.paths import validate_path, validate_pid

    validate_pid(pid)
    prefix = workflow.pids.prefix
    if prefix and \
            pid.split("/", 1)[0].casefold() != prefix.casefold():
        raise InvalidPid(f"PID {pid[:80]} is not under this zone's prefix {prefix}; "
                         "it cannot be changed here")
    caller = ctx.caller
    if caller is not None and caller.is_admin:
        authorize(ctx, action, pid)
        return
    config = workflow.config
    bases = [b for b in (config.zone.server_id, config.http_api.registered_base,
                         config.http_api.public_base) if b]
    catalog = workflow.catalog

    def writable(url: str, needs_avu: bool) -> str:
        path = profile.path_from_url(url or "", bases)
        if path is None:
            return ""
        try:
            validate_path(path, "PID location")
        except B2SafeError:
            return ""
        info = catalog.stat(path)
        if info is None or not catalog.check_access(path, "modify_object"):
            return ""
        if needs_avu and pid.upper() not in {a.value.upper() for a in catalog.avus(
                path, "-C" if info.is_collection else "-d", "PID")}:
            return ""
        return path

    path = writable(workflow.pids.get_value(pid, profile.URL) or "", False)
    if not path and new_url:
        path = writable(new_url, True)
    if not path:
        raise AccessDenied(f"{subject(ctx)} may not change PID {pid}: it does not point at "
                           "data of this zone that you may write")
    authorize(ctx, action, path)
