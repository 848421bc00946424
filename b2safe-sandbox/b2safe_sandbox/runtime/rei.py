"""The ``rei`` (RuleExecInfo) a rule receives, filled per context (prep-runtime.md §4).

* irule / rule / remote / delay: ``rsComm`` with client and proxy users, ``uoic``/``uoip``.
* API and resource PEPs: the same (``data_object`` is None in session_vars).
* static data PEPs: additionally ``doinp``, ``doi`` (the replica) and ``condInputData`` with the
  resource properties of the replica's hierarchy (:mod:`b2safe_sandbox.runtime.rescprops`);
  the context says where the server leaves one of them out.
"""

from __future__ import annotations

from typing import Any

from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime import rescprops, tbridge
from b2safe_sandbox.runtime.context import ExecContext


def rei_for(ctx: ExecContext) -> Any:
    """Build (once per context) the RuleExecInfo for ``ctx``; rules get a copy-like object."""
    if ctx.rei is not None:
        return ctx.rei
    client = tbridge.user_info(ctx, ctx.client_user)
    proxy = tbridge.user_info(ctx, ctx.proxy_user)
    doinp = doi = cond = None
    resc_name = ""
    if ctx.kind == "static_pep":
        if ctx.doi_path and ctx.rei_doi:
            doi = tbridge.data_obj_info(ctx, ctx.zone, ctx.doi_path, ctx.doi_repl)
            resc_name = str(doi.rescName)
        if ctx.doinp_fields is not None or ctx.doinp_path:
            doinp = T._make_data_obj_inp(ctx.doinp_path or "", **(ctx.doinp_fields or {}))
        hier = ctx.cond_resc if ctx.cond_resc is not None else (
            str(doi.rescHier) if doi is not None else None)
        if hier is not None:
            cond = rescprops.resource_kvp(ctx.sandbox, ctx.zone, hier)
    rei = T._make_rei(client=client, proxy=proxy, plugin_instance_name=ctx.instance_name,
                      doinp=doinp, doi=doi, cond_input=cond, resc_name=resc_name)
    if ctx.other_user is not None:
        name, zone, typ = ctx.other_user
        rei._v["uoio"] = T._make_user_info(name, zone, typ, auth_flag=0)
    ctx.rei = rei
    return rei
