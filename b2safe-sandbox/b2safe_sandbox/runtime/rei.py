"""The ``rei`` (RuleExecInfo) a rule receives, filled per context (prep-runtime.md §4).

* irule / rule / remote / delay: ``rsComm`` with client and proxy users, ``uoic``/``uoip``.
* API and resource PEPs: the same (``data_object`` is None in session_vars).
* static data PEPs: additionally ``doinp``, ``doi`` (the replica) and ``condInputData``.
"""

from __future__ import annotations

from typing import Any

from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime import tbridge
from b2safe_sandbox.runtime.context import ExecContext


def rei_for(ctx: ExecContext) -> Any:
    """Build (once per context) the RuleExecInfo for ``ctx``; rules get a copy-like object."""
    if ctx.rei is not None:
        return ctx.rei
    client = tbridge.user_info(ctx, ctx.client_user)
    proxy = tbridge.user_info(ctx, ctx.proxy_user)
    doinp = doi = cond = None
    resc_name = ""
    if ctx.kind == "static_pep" and ctx.doi_path:
        doi = tbridge.data_obj_info(ctx, ctx.zone, ctx.doi_path, ctx.doi_repl)
        doinp = T._make_data_obj_inp(ctx.doinp_path or ctx.doi_path)
        resc_name = str(doi.rescName)
        cond = {"resc_name": resc_name, "resc_hier": str(doi.rescHier)}
    rei = T._make_rei(client=client, proxy=proxy, plugin_instance_name=ctx.instance_name,
                      doinp=doinp, doi=doi, cond_input=cond, resc_name=resc_name)
    ctx.rei = rei
    return rei
