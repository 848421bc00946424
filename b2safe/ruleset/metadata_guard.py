"""The metadata guard: ordinary users may not change b2safe's own attributes through the API.

``pep_api_mod_avu_metadata_pre`` (imeta and every client's metadata call) refuses, for anyone but
a rodsadmin of this zone, a request that would add, set, modify, copy or remove ``PID``,
``EUDAT/*`` or ``eudat_*`` (:mod:`b2safe.domain.attributes`), as iRODS's metadata guard rule
engine plugin does for a configured prefix. It fails closed: a request it cannot judge is refused.
b2safe's own writes go through ``msiModAVUMetadata``, which calls ``rsModAVUMetadata`` directly
and fires no API PEP (irods/irods server/re/src/extractAvuMS.cpp), so the rules are not affected.
"""

from __future__ import annotations

import logging

from b2safe.domain import attributes
from b2safe.errors import CAT_NO_ACCESS_PERMISSION
from b2safe.prep import RuleContext, pep
from b2safe.prep.pepargs import AtomicMetadataArgs, ModAvuArgs
from b2safe.prep.rule import DENY
from b2safe.ruleset._wiring import catalog as catalog_for

logger = logging.getLogger("b2safe.metadata_guard")


@pep("pep_api_mod_avu_metadata_pre", on_error=DENY, args=ModAvuArgs)
def guard_metadata(ctx: RuleContext, request: ModAvuArgs) -> int:
    """Refuse an ordinary user's change of b2safe's attributes (CAT_NO_ACCESS_PERMISSION)."""
    caller = ctx.caller
    if caller is not None and caller.is_admin:
        return 0
    if request.problem:
        raise ValueError(request.problem)
    op, args = request.operation, list(request.args)
    names = catalog_for(ctx).attribute_names
    reason = attributes.refusal(op, args, lambda kind, target, avu_id: names(target, kind, avu_id))
    if reason is None:
        return 0
    logger.error("refusing imeta %s on %r by %s: %s (only b2safe and this zone's rodsadmins "
                 "change them)", op, args[1][:300], caller or "an unknown user", reason)
    return CAT_NO_ACCESS_PERMISSION


@pep("pep_api_atomic_apply_metadata_operations_pre", on_error=DENY, args=AtomicMetadataArgs)
def guard_atomic_metadata(ctx: RuleContext, atomic: AtomicMetadataArgs) -> int:
    """Refuse an ordinary user's atomic metadata request that adds or removes one of b2safe's
    attributes (CAT_NO_ACCESS_PERMISSION). The request is the JSON object of
    irods/irods plugins/api/src/atomic_apply_metadata_operations.cpp (``entity_name``,
    ``entity_type``, ``operations``: ``operation``, ``attribute``, ...), handed over by PREP
    as a BytesBuf (:class:`~b2safe.prep.pepargs.AtomicMetadataArgs`); an input it cannot read
    is refused."""
    caller = ctx.caller
    if caller is not None and caller.is_admin:
        return 0
    if atomic.problem:
        raise ValueError(atomic.problem)
    request = atomic.request
    touched = sorted({str(op.get("attribute", "")) for op in request["operations"]
                      if attributes.is_guarded(str(op.get("attribute", "")))})
    if not touched:
        return 0
    logger.error("refusing atomic metadata operations on %r by %s: %s are b2safe's own",
                 str(request.get("entity_name", ""))[:300], caller or "an unknown user",
                 ", ".join(touched))
    return CAT_NO_ACCESS_PERMISSION
