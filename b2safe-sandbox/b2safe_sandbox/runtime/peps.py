"""Firing policy enforcement points (PEPs) in a zone's core.py (prep-runtime.md §1.1, §5).

A PEP name is offered to PREP only if it matches a registered regex: PREP's defaults
``ac[^ ]*`` and ``[^ ]*pep_[^ ]*_(pre|post)``, plus the NREP's ``..._(pre|post|except|finally)``
when the NREP is loaded (the regex registry is the union over all REPs). Every PEP offered is
recorded in ``sandbox.events`` (``ran`` says whether core.py had a rule of that name).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional

from b2safe_sandbox.errors import IrodsCallError, SandboxError
from b2safe_sandbox.runtime import engine, tbridge
from b2safe_sandbox.runtime.context import PYTHON_INSTANCE, ExecContext
from b2safe_sandbox.runtime.types import PepEvent, RuleOutcome

PREP_REGEXES = (r"ac[^ ]*", r"[^ ]*pep_[^ ]*_(pre|post)")
NREP_REGEXES = (r"[^ ]*pep_[^ ]*_(pre|post|except|finally)",)
RULE_ENGINE_CONTINUE = 5000000
RULE_ENGINE_SKIP_OPERATION = 5001000


def supported(sandbox: Any, name: str) -> bool:
    """True if ``name`` matches a registered PEP regex (full match, as boost::regex_match)."""
    patterns = PREP_REGEXES + (NREP_REGEXES if sandbox.nrep_loaded else ())
    return any(re.fullmatch(p, name) for p in patterns)


def _summary(args: list) -> list:
    out = []
    for value in args:
        if value is None or isinstance(value, (str, int, float, dict)):
            out.append(value)
        else:
            out.append(type(value).__name__)
    return out


def fire(base: ExecContext, zone: str, name: str, args: list, kind: str,
         doi_path: Optional[str] = None, doi_repl: Optional[int] = None,
         **rei: Any) -> Optional[RuleOutcome]:
    """Offer PEP ``name`` with ``args`` to ``zone``'s core.py; None if no regex matches.

    The PEP runs as ``base.client_user`` with a rei filled for ``kind``; ``rei`` may set the
    context's ``doinp_path``, ``rei_doi``, ``doinp_fields`` and ``cond_resc`` (see ExecContext).
    """
    sandbox = base.sandbox
    if not supported(sandbox, name):
        return None
    if engine.rule_defined(sandbox, zone, name) is False:
        # PREP's rule_exists answers no: nothing runs (the cheap path most PEPs take).
        sandbox.events.append(PepEvent(zone, name, _summary(args), None, False))
        return RuleOutcome(0, None, ran=False)
    changes: dict = {"doinp_path": doi_path, **rei}
    ctx = base.derive(zone=zone, kind=kind, doi_path=doi_path, doi_repl=doi_repl, stdout=None,
                      **changes)
    before = _catalog_changes(sandbox)
    outcome = engine.exec_rule(ctx, name, args)
    if ctx.rei is not None:
        outcome.rei_status = int(ctx.rei.status)
        outcome.rei_resc_name = str(ctx.rei.rescName or "")
    sandbox.events.append(PepEvent(zone, name, _summary(args),
                                   outcome.code if outcome.ran else None, outcome.ran,
                                   writes=_catalog_changes(sandbox) - before))
    return outcome


def api_call(ctx: ExecContext, zone: str, op: str, args: list,
             body: Callable[[ExecContext], Any]) -> Any:
    """One API call ``op`` served by ``zone``: ``body(ctx)`` between ``pep_api_<op>_pre`` and
    ``_post`` (``_except`` and ``_finally`` on failure, ``_finally`` after the post-PEP); a
    pre-PEP answering RULE_ENGINE_SKIP_OPERATION skips the body (irods lib/core/include/irods/
    apiHandler.hpp@5.0.2 L227-260). Used for clients' calls and for the calls one zone's server
    makes to another's (federation).
    """
    name = f"pep_api_{op}"
    pep_args = [PYTHON_INSTANCE, tbridge.plugin_context(ctx, zone), *args]
    failed = False
    try:
        pre = fire(ctx, zone, f"{name}_pre", list(pep_args), "api_pep")
        if pre is not None and pre.code < 0:
            raise IrodsCallError(f"{name}_pre failed", code=pre.code)
        result = None
        if pre is None or pre.code != RULE_ENGINE_SKIP_OPERATION:
            result = body(ctx)
    except SandboxError:
        failed = True
        fire(ctx, zone, f"{name}_except", list(pep_args), "api_pep")
        raise
    finally:
        if failed:
            fire(ctx, zone, f"{name}_finally", list(pep_args), "api_pep")
    try:
        post = fire(ctx, zone, f"{name}_post", list(pep_args), "api_pep")
        if post is not None and post.code < 0:
            raise IrodsCallError(f"{name}_post failed", code=post.code)
    finally:
        fire(ctx, zone, f"{name}_finally", list(pep_args), "api_pep")
    return result


def _catalog_changes(sandbox: Any) -> int:
    """Catalog rows changed so far in every zone (what a PEP wrote is the difference)."""
    return sum(sandbox.zone(name).catalog.changes() for name in sandbox.zone_names)


def fire_static(base: ExecContext, zone: str, name: str, path: Optional[str] = None,
                repl: Optional[int] = None, args: Optional[list] = None,
                propagate: bool = False, **rei: Any) -> Optional[RuleOutcome]:
    """Fire a static PEP (``acPostProcFor...``); errors are only logged unless ``propagate``.

    Returns the outcome (None when no regex matches). ``rei`` as for :func:`fire`.

    Raises:
        IrodsCallError: the PEP's error code when ``propagate`` (acPostProcForObjRename).
    """
    outcome = fire(base, zone, name, list(args or []), "static_pep", path, repl, **rei)
    if outcome is not None and outcome.code < 0:
        base.sandbox.log(zone, f"{name} failed with status {outcome.code}")
        if propagate:
            raise IrodsCallError(f"{name} failed", code=outcome.code)
    return outcome


def resc_scheme(base: ExecContext, zone: str, path: str, *, replicate: bool = False,
                resc: Optional[str] = None) -> Optional[str]:
    """apply_policy_for_create_operation (server/core/src/irods_resource_redirect.cpp@5.0.2
    L62-105): acSetRescSchemeForRepl when the client's oprType is REPLICATE_OPR, else
    acSetRescSchemeForCreate, with rei.doinp only (initReiWithDataObjInp: no doi, an empty
    condInput but the client's ``destRescName``, ``resc``). Fired whenever a hierarchy is
    resolved for CREATE (L370-379). Returns the resource the rule chose with
    msiSetDefaultResc (rei.rescName, L92-100), None when it chose none (the client's or the
    default resource then).

    Raises:
        IrodsCallError: the PEP's error code (L81-90 THROW: the operation fails).
    """
    name = "acSetRescSchemeForRepl" if replicate else "acSetRescSchemeForCreate"
    fields = {"condInput": {"destRescName": resc}} if resc else None
    outcome = fire_static(base, zone, name, path, propagate=True, rei_doi=False, cond_resc="",
                          doinp_fields=fields)
    return (outcome.rei_resc_name or None) if outcome is not None else None


def vault_path(base: ExecContext, zone: str, path: str, repl: int) -> None:
    """getVaultPathPolicy for a new replica (server/core/src/physPath.cpp@5.0.2 L262-280, from
    getFilePathName, rsDataObjOpen.cpp L286): rei.doi is the new replica, rei.doinp NULL,
    condInputData its resource's properties.

    Gap: on a server its error fails the create before the replica is registered (L281-286);
    the sandbox fires it after registering the replica, so the error is only logged.
    """
    fire_static(base, zone, "acSetVaultPathPolicy", path, repl, doinp_path=None)


#: MIN_SZ_FOR_PARA_TRAN (lib/core/include/irods/rodsDef.h@5.0.2 L72).
MIN_SZ_FOR_PARA_TRAN = 1024 * 1024
#: NO_THREADING (rodsDef.h): the client asked for no parallel transfer.
NO_THREADING = -1


def num_threads(base: ExecContext, zone: str, size: int, requested: int, opr_type: int,
                dest_hier: str) -> None:
    """getNumThreads (server/core/src/objDesc.cpp@5.0.2 L360-430): acSetNumThreads fires unless
    the client asked for no threading, the size is unknown, or the object is at most 1 MiB and
    no thread count was asked for. Its rei.doinp holds only numThreads, dataSize and oprType;
    condInputData the destination resource's properties (L398-420)."""
    if requested == NO_THREADING or size < 0 or (size <= MIN_SZ_FOR_PARA_TRAN
                                                 and requested <= 0):
        return
    fields = {"numThreads": 1 if size <= MIN_SZ_FOR_PARA_TRAN else requested,
              "dataSize": size, "oprType": opr_type}
    fire_static(base, zone, "acSetNumThreads", None, rei_doi=False, doinp_fields=fields,
                cond_resc=dest_hier)


#: The resource plugin operations the sandbox fires PEPs for, with the arguments after
#: (instance name, plugin context, out string) PREP receives: write/read pass the buffer
#: (``void*``: PREP's object_from_specific<void*> gives None, PREP include/irods/private/re/
#: python.hpp@5.0.1 L349-353) and its length.
RESOURCE_OPS = ("create", "open", "read", "write", "close", "unlink", "modified", "registered")


def resource_op(base: ExecContext, zone: str, op: str, path: str, resc: str,
                repl: Optional[int] = None, extra: tuple = ()) -> None:
    """``pep_resource_<op>_pre`` and ``_post`` around resource operation ``op`` on replica
    ``repl`` of ``path`` (irods_plugin_base.hpp@5.0.2 L372-420 invoke_policy_enforcement_point:
    ``exec_rule(name, instance_name, ctx, out_param, args...)``). Errors are only logged.

    Gap: a failing pre-PEP does not stop the operation here (on a server it does), and
    RULE_ENGINE_SKIP_OPERATION is not honoured.
    """
    from b2safe_sandbox.runtime import tbridge

    name = f"pep_resource_{op}"
    sandbox = base.sandbox
    # The context is built only when a rule will read it (it costs a catalog read).
    wanted = any(engine.rule_defined(sandbox, zone, f"{name}_{phase}") is not False
                 for phase in ("pre", "post"))
    plugin_ctx = tbridge.plugin_context(base, zone, path, resc_hier=resc, repl=repl) \
        if wanted else None
    _around(base, zone, name, [resc, plugin_ctx, "", *extra], path, repl)


def _around(base: ExecContext, zone: str, name: str, args: list, path: Optional[str] = None,
            repl: Optional[int] = None) -> None:
    """``name``_pre, then ``name``_post with the out string (``args[2]``) the pre-PEP left
    (the same ``std::string*`` goes to both, irods_plugin_base.hpp@5.0.2 L250-280)."""
    for phase in ("pre", "post"):
        outcome = fire(base, zone, f"{name}_{phase}", args, "resource_pep", path, repl)
        if outcome is not None and outcome.code < 0:
            base.sandbox.log(zone, f"{name}_{phase} failed with status {outcome.code}")
        if not isinstance(args[2], str):
            args[2] = ""


#: The instance name of the network plugin a plain TCP connection uses. Guess: "tcp"
#: (irods::network_factory picks the tcp or ssl plugin; lib/core/src/sockComm.cpp L131-187).
NETWORK_INSTANCE = "tcp"


def network_agent(base: ExecContext, zone: str, event: str) -> None:
    """``pep_network_agent_start``/``_stop`` (``event``): sockAgentStart before the agent
    serves its first request and sockAgentStop when the client disconnects
    (server/main_server/src/agent_main.cpp@5.0.2 L943, L963; lib/core/src/sockComm.cpp
    L131-187 calls the network plugin with no rsComm). Guess: the plugin context carries no
    user (PREP's map() of it has only the rule results)."""
    from b2safe_sandbox.runtime import irods_types as T

    _around(base, zone, f"pep_network_agent_{event}",
            [NETWORK_INSTANCE, T._make_plugin_context({}), ""])


def fire_resource_modified(base: ExecContext, zone: str, path: str, resc: str,
                           repl: Optional[int] = None) -> None:
    """fileModified of a finalized replica: ``pep_resource_modified_pre``/``_post`` (errors
    only logged; the data operation stands)."""
    resource_op(base, zone, "modified", path, resc, repl)
