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
            # apiHandler.hpp@5.0.2 L253-270: a failing post-PEP fires the except-PEP.
            fire(ctx, zone, f"{name}_except", list(pep_args), "api_pep")
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


#: The resource plugin operations the sandbox fires PEPs for (the operation names are
#: irods_resource_constants.cpp@5.0.2 L18-43 ``resource_<op>``), with the arguments after
#: (instance name, plugin context, out string) PREP receives (fileDriver.cpp@5.0.2 L17-770 and
#: irods_resource_redirect.cpp L136-138 name the argument types; PREP's object_from_any,
#: include/irods/private/re/python.hpp@5.0.1 L305-353, converts them): read/write pass the
#: buffer (``void*``: None) and its length; lseek the offset and whence; rename the new physical
#: path; notify the operation ("WRITE"); stat a ``Stat``; resolve_hierarchy the operation, the
#: host, a ``HierarchyParser`` and the vote (a float).
RESOURCE_OPS = ("create", "open", "read", "write", "close", "unlink", "stat", "lseek", "rename",
                "truncate", "notify", "modified", "registered", "unregistered",
                "resolve_hierarchy")
_PHASES = ("pre", "post", "except", "finally")


def resource_op(base: ExecContext, zone: str, op: str, path: str, resc: str,
                repl: Optional[int] = None, extra: tuple = (),
                body: Optional[Callable[[], Any]] = None) -> Any:
    """Resource operation ``op`` on replica ``repl`` of ``path``: ``body`` (the operation) between
    ``pep_resource_<op>_pre``/``_post``/``_except``/``_finally`` as :func:`plugin_call` runs it.

    Returns what ``body`` returned (None when a pre-PEP skipped it or there is no body).

    Raises:
        IrodsCallError: a failing pre- or post-PEP's code; SandboxError from ``body``.
    """
    args = [*_resource_args(base, zone, op, path, resc, repl), *extra]
    return plugin_call(base, zone, f"pep_resource_{op}", args, body, path, repl)


def _resource_args(base: ExecContext, zone: str, op: str, path: str, resc: str,
                   repl: Optional[int]) -> list:
    """PREP's first three arguments of a resource PEP: instance name, plugin context, out."""
    from b2safe_sandbox.runtime import tbridge

    name = f"pep_resource_{op}"
    # The context is built only when a rule will read it (it costs a catalog read).
    wanted = any(engine.rule_defined(base.sandbox, zone, f"{name}_{phase}") is not False
                 for phase in _PHASES)
    plugin_ctx = tbridge.plugin_context(base, zone, path, resc_hier=resc, repl=repl) \
        if wanted else None
    return [resc, plugin_ctx, ""]


def plugin_call(base: ExecContext, zone: str, name: str, args: list,
                body: Optional[Callable[[], Any]] = None, path: Optional[str] = None,
                repl: Optional[int] = None) -> Any:
    """A plugin operation as ``irods::plugin_base::call`` runs it (lib/core/include/irods/
    irods_plugin_base.hpp@5.0.2 L174-290, the same at 4.3.5; ``invoke_policy_enforcement_point``
    L364-424):

    * ``name``_pre; an error code stops the operation: ``out`` becomes
      ``error=<code>;message=...``, ``name``_except fires and the call fails with the pre-PEP's
      code (L210-229);
    * RULE_ENGINE_SKIP_OPERATION from the pre-PEP: the operation is not done, the post-PEP
      still fires and the call succeeds (L210, L250-252); from any other PEP it is only
      logged as misplaced (L398-405);
    * the operation (``body``); its error fires ``name``_except and fails the call (L231-249);
    * ``name``_post; its error fires ``name``_except and fails the call (L253-275);
    * ``name``_finally always, last, its error only logged (L186-197).

    The out string (``args[2]``) is the one ``std::string*`` every phase shares (L250-280); a
    rule that stores a non-string there leaves it unchanged (PREP update_argument).

    Returns what ``body`` returned (None when skipped).

    Raises:
        IrodsCallError: the failing pre- or post-PEP's code; the SandboxError of ``body``.
    """
    from b2safe_sandbox.errors import SandboxError

    sandbox = base.sandbox
    out = [args[2]]

    def offer(phase: str) -> int:
        args[2] = out[0]
        outcome = fire(base, zone, f"{name}_{phase}", args, "resource_pep", path, repl)
        if isinstance(args[2], str):
            out[0] = args[2]
        code = outcome.code if outcome is not None else 0
        if code == RULE_ENGINE_SKIP_OPERATION and phase != "pre":
            sandbox.log(zone, f"RULE_ENGINE_SKIP_OPERATION ({code}) incorrectly returned from "
                              f"PEP [{name}_{phase}]! RULE_ENGINE_SKIP_OPERATION should only be "
                              "returned from pre-PEPs!")
        elif code < 0:
            sandbox.log(zone, f"{name}_{phase} failed with status {code}")
        return code

    def failed(code: int, message: str) -> None:
        out[0] = f"error={code};message={message}"
        offer("except")

    try:
        pre = offer("pre")
        if pre < 0:
            failed(pre, "")
            raise IrodsCallError(f"{name}_pre failed with {pre}", code=pre)
        result = None
        if pre != RULE_ENGINE_SKIP_OPERATION and body is not None:
            try:
                result = body()
            except SandboxError as exc:
                failed(exc.code, exc.message)
                raise
        post = offer("post")
        if post < 0:
            failed(post, "")
            raise IrodsCallError(f"{name}_post failed with {post}", code=post)
        return result
    finally:
        offer("finally")


#: The instance name of the network plugin a plain TCP connection uses. Guess: "tcp"
#: (irods::network_factory picks the tcp or ssl plugin; lib/core/src/sockComm.cpp L131-187).
NETWORK_INSTANCE = "tcp"


def network_agent(base: ExecContext, zone: str, event: str) -> None:
    """``pep_network_agent_start``/``_stop`` (``event``): sockAgentStart before the agent
    serves its first request and sockAgentStop when the client disconnects
    (server/main_server/src/agent_main.cpp@5.0.2 L943, L963; lib/core/src/sockComm.cpp
    L131-187 calls the network plugin with no rsComm). Guess: the plugin context carries no
    user (PREP's map() of it has only the rule results)."""
    from b2safe_sandbox.errors import SandboxError
    from b2safe_sandbox.runtime import irods_types as T

    try:
        plugin_call(base, zone, f"pep_network_agent_{event}",
                    [NETWORK_INSTANCE, T._make_plugin_context({}), ""])
    except SandboxError:
        pass  # Gap: a failing agent-start PEP ends the agent on a server; here it is logged.


def fire_resource_modified(base: ExecContext, zone: str, path: str, resc: str,
                           repl: Optional[int] = None) -> None:
    """fileModified of a finalized replica (plugins/api/src/data_object_finalize.cpp@5.0.2
    L143-216): its PEPs; a failure is returned by the finalize after the catalog was updated,
    so the data operation stands and the caller gets the error.

    Raises:
        IrodsCallError: a failing ``pep_resource_modified_pre``/``_post``.
    """
    resource_op(base, zone, "modified", path, resc, repl)


def stat_replica(base: ExecContext, zone: str, path: str, resc: str, repl: Optional[int]) -> None:
    """getSizeInVault of a written replica before its finalize (finalize_utilities.cpp@5.0.2
    L166-200 -> l3Stat -> rsFileStat -> fileStat): ``pep_resource_stat`` with a ``Stat``.

    Raises:
        IrodsCallError: a failing stat PEP (the close fails, rsDataObjClose.cpp L425-440).
    """
    from b2safe_sandbox.runtime import irods_types as T

    resource_op(base, zone, "stat", path, resc, repl, (T._make_stat(),))


def create_replica_file(base: ExecContext, zone: str, path: str, row: Any) -> None:
    """l3Create of a replica just registered (``row``): ``pep_resource_create``. On failure the
    new replica is unregistered again (rsDataObjOpen.cpp@5.0.2 create_new_replica L435-502:
    clean_up calls rsUnregDataObj, which fires fileUnregistered, rsUnregDataObj.cpp L86-100)
    and the create fails with the error.

    Raises:
        IrodsCallError: the create PEPs' error.
    """
    from b2safe_sandbox.errors import SandboxError

    try:
        resource_op(base, zone, "create", path, row.resc_name, row.repl_num)
    except SandboxError:
        base.sandbox.zone(zone).catalog.data_unlink(path, None, row.repl_num)
        try:
            resource_op(base, zone, "unregistered", path, row.resc_name, row.repl_num)
        except SandboxError as exc:
            base.sandbox.log(zone, f"failed to signal the unregistration of {path}: {exc}")
        raise


#: irods::CREATE_OPERATION, OPEN_OPERATION, WRITE_OPERATION, UNLINK_OPERATION
#: (irods_resource_redirect.cpp@5.0.2 L272-275).
CREATE, OPEN, WRITE, UNLINK = "CREATE", "OPEN", "WRITE", "UNLINK"
#: Guess: the server's host name (server_config's host) for every sandbox zone.
SERVER_HOST = "localhost"


def resolve_hierarchy(base: ExecContext, zone: str, path: str, oper: str,
                      roots: list[str]) -> None:
    """request_vote_for_file_object (irods_resource_redirect.cpp@5.0.2 L107-162) for each root
    resource in ``roots`` (CREATE: the target; OPEN/WRITE/UNLINK: each resource holding a
    replica, L164-250): ``pep_resource_resolve_hierarchy`` with (operation, host,
    HierarchyParser, vote) after PREP's three arguments. A unixfilesystem root votes 1.0 for
    itself (unixfilesystem.cpp L1439); the post-PEP sees the hierarchy and the vote, a vote a
    rule writes into ``rule_args[6]`` is kept (PREP update_argument of ``float*``). A failing
    PEP, or a vote left at 0.0 (a skipped operation), is no vote: for CREATE the resolution
    fails with the PEP's code or HIERARCHY_ERROR (L260-272); for OPEN/WRITE/UNLINK that root is
    passed over, and with none left HIERARCHY_ERROR.

    Raises:
        IrodsCallError: no vote, as above.
    """
    from b2safe_sandbox.error_codes import CODES
    from b2safe_sandbox.errors import SandboxError
    from b2safe_sandbox.runtime import irods_types as T

    votes = 0
    for root in dict.fromkeys(roots):
        args = [*_resource_args(base, zone, "resolve_hierarchy", path, root, None),
                oper, SERVER_HOST, T._make_hierarchy_parser(""), 0.0]

        def vote(args: list = args, root: str = root) -> None:
            args[5], args[6] = T._make_hierarchy_parser(root), 1.0

        try:
            plugin_call(base, zone, "pep_resource_resolve_hierarchy", args, vote, path)
        except SandboxError:
            if oper == CREATE:
                raise
            continue
        if isinstance(args[6], (int, float)) and float(args[6]) != 0.0:
            votes += 1
    if not votes:
        raise IrodsCallError(f"no valid resource found for {path} ({oper})",
                             code=CODES["HIERARCHY_ERROR"])


def resolve_for(base: ExecContext, zone: str, path: str, oper: str,
                resc: Optional[str] = None, *, logical: bool = False,
                replicate: bool = False) -> Optional[str]:
    """irods::resolve_resource_hierarchy (irods_resource_redirect.cpp@5.0.2 L308-395) for
    ``oper``: CREATE first applies acSetRescSchemeFor{Create,Repl} (:func:`resc_scheme`, whose
    msiSetDefaultResc may choose the resource); an existing object is then resolved as WRITE
    when the operation is logical (put, copy destination, rsync: ``logical``) or the target
    already holds a replica (L347-358), else the target votes for CREATE. OPEN/WRITE/UNLINK
    ask every resource holding a replica.

    Returns the resource to create on: the one acSetRescScheme chose, else ``resc``.

    Raises:
        IrodsCallError: acSetRescScheme's error, or no vote (:func:`resolve_hierarchy`).
    """
    cat = base.sandbox.zone(zone).catalog
    rows = cat.data_get(path) if cat.data_exists(path) else []
    if oper == CREATE:
        resc = resc_scheme(base, zone, path, replicate=replicate, resc=resc) or resc
        target = resc or cat.default_resource
        if rows and (logical or any(r.resc_name == target for r in rows)):
            oper = WRITE
        else:
            resolve_hierarchy(base, zone, path, CREATE, [target])
            return resc
    if rows:  # else the caller reports the missing object (file_object_factory's error, L385)
        resolve_hierarchy(base, zone, path, oper, [r.resc_hier or r.resc_name for r in rows])
    return resc
