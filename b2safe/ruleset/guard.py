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

    A rodsadmin of this zone may change any record of the zone's prefix. Others may change a
    record whose URL (the record is the witness; a PID attribute is only a claim) points at an
    object of this zone they may write. After a move (``new_url`` given) a record whose URL
    names a path that no longer exists may be repointed at ``new_url`` when that object is the
    caller's to write and carries ``pid`` as its PID attribute. A ``new_url`` naming an object
    of this zone must name one the caller may write. The authorization map is then asked for
    ``action`` on that path (on the PID for a rodsadmin).

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

    def zone_path(url: str) -> str:
        path = profile.path_from_url(url or "", bases)
        if path is None:
            return ""
        try:
            return validate_path(path, "PID location")
        except B2SafeError:
            return ""

    def writable(path: str, needs_avu: bool) -> bool:
        info = catalog.stat(path) if path else None
        if info is None or not catalog.check_access(path, "modify_object"):
            return False
        return not needs_avu or pid.upper() in {a.value.upper() for a in catalog.avus(
            path, "-C" if info.is_collection else "-d", "PID")}

    denial = f"{subject(ctx)} may not change PID {pid}: "
    current = zone_path(workflow.pids.get_value(pid, profile.URL) or "")
    target = zone_path(new_url) if new_url else ""
    if new_url and target and catalog.stat(target) is not None and not writable(target, False):
        raise AccessDenied(denial + f"its new location {target} is not data you may write")
    if writable(current, False):
        path = current
    elif new_url and current and catalog.stat(current) is None and writable(target, True):
        path = target  # moved: the old location is gone, the new one is hers and claims it
    else:
        raise AccessDenied(denial + "it does not point at data of this zone that you may "
                           "write")
    authorize(ctx, action, path)
