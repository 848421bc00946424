"""Composition root for rules: the adapters a rule body needs, built from its context.

Rules call these instead of constructing adapters themselves, so the choice of backend lives in
one place and tests running in the sandbox exercise the same wiring as a server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from b2safe.prep.context import RuleContext

if TYPE_CHECKING:
    from b2safe.adapters.prep.catalog import PrepCatalog
    from b2safe.adapters.prep.integrity import PrepIntegrityCatalog
    from b2safe.ports import PidService
    from b2safe.workflows.pids import PidWorkflow
    from b2safe.workflows.removal import Removals
    from b2safe.workflows.renames import Renames
    from b2safe.workflows.upload import Uploads


def catalog(ctx: RuleContext) -> PrepCatalog:
    """The Catalog of the zone running the rule (over PREP's callback)."""
    cached = ctx.__dict__.get("_catalog")
    if cached is None:
        from b2safe.adapters.prep.catalog import PrepCatalog

        cached = ctx.__dict__["_catalog"] = PrepCatalog(ctx.callback, ctx.config.zone.name,
                                                        admin=_local_admin(ctx),
                                                        client=ctx.caller)
    return cached


def integrity_catalog(ctx: RuleContext) -> PrepIntegrityCatalog:
    """The Catalog with the integrity operations (sorted streams, verification, repair)."""
    cached = ctx.__dict__.get("_integrity_catalog")
    if cached is None:
        from b2safe.adapters.prep.integrity import PrepIntegrityCatalog

        cached = ctx.__dict__["_integrity_catalog"] = PrepIntegrityCatalog(
            ctx.callback, ctx.config.zone.name, admin=_local_admin(ctx), client=ctx.caller)
    return cached


def _local_admin(ctx: RuleContext) -> bool:
    """The client is a rodsadmin of this zone (authFlag LOCAL_PRIV_USER_AUTH), the only user
    iRODS lets use the admin keyword (irods::is_privileged_client)."""
    from b2safe.prep.context import LOCAL_PRIV_USER_AUTH

    caller = ctx.caller
    return caller is not None and caller.auth_flag >= LOCAL_PRIV_USER_AUTH and \
        caller.zone == ctx.config.zone.name


def lazy_pid_service(ctx: RuleContext) -> Optional[PidService]:
    """The PID service, connected on first use (None when ``pid.enabled`` is false)."""
    return _lazy(ctx) if ctx.config.pid.enabled else None


def pid_service(ctx: RuleContext) -> Optional[PidService]:
    """The process-wide PID service for this server's configuration (None when disabled)."""
    pid = ctx.config.pid
    if not pid.enabled:
        return None
    from b2safe.adapters.handle.rest import get_pid_service, settings_from_config

    if not pid.credentials_file:
        from b2safe.errors import ConfigError

        raise ConfigError("pid.enabled is true but /pid/credentials_file is not set")
    return get_pid_service(pid.credentials_file, **settings_from_config(pid))


def pid_workflow(ctx: RuleContext) -> PidWorkflow:
    """PID operations on behalf of the caller; the PID service connects on first use."""
    from b2safe.workflows.pids import PidWorkflow

    return PidWorkflow(catalog(ctx), _lazy(ctx), ctx.config)


def uploads(ctx: RuleContext) -> Uploads:
    """The upload policies on behalf of the rule's caller."""
    from b2safe.workflows.upload import Uploads

    return Uploads(pid_workflow(ctx), ctx.config, ctx.caller)


def removals(ctx: RuleContext) -> Removals:
    """The removal policy on behalf of the rule's caller."""
    from b2safe.workflows.removal import Removals

    return Removals(pid_workflow(ctx), ctx.config, ctx.caller)


def renames(ctx: RuleContext) -> Renames:
    """The rename policy (``pid.update_url_on_rename``) on behalf of the rule's caller."""
    from b2safe.workflows.renames import Renames

    return Renames(pid_workflow(ctx), ctx.config, ctx.caller)


def _lazy(ctx: RuleContext) -> PidService:
    from b2safe.adapters.handle.lazy import LazyPidService

    return LazyPidService(lambda: pid_service(ctx))
