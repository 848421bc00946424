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
from typing import Sequence

from b2safe.domain import attributes
from b2safe.domain.paths import gq_equals, split
from b2safe.errors import CAT_NO_ACCESS_PERMISSION
from b2safe.prep import RuleContext, pep
from b2safe.prep.pepargs import AtomicMetadataArgs, ModAvuArgs
from b2safe.prep.rule import DENY
from b2safe.ruleset._wiring import catalog as catalog_for

logger = logging.getLogger("b2safe.metadata_guard")


def _names_of(ctx: RuleContext, kind: str, target: str, avu_id: str) -> Sequence[str]:
    """Attribute names of ``target`` (only the AVU ``avu_id`` when given), by GenQuery."""
    catalog = catalog_for(ctx)
    if kind == "-d":
        parent, name = split(target)
        coll_cond, coll_ok = gq_equals("COLL_NAME", parent)
        name_cond, name_ok = gq_equals("DATA_NAME", name)
        conditions = f"{coll_cond} and {name_cond}"
        columns = ["COLL_NAME", "DATA_NAME", "META_DATA_ATTR_NAME", "META_DATA_ATTR_ID"]

        def ok(row: list[str]) -> bool:
            return coll_ok(row[0]) and name_ok(row[1])
    elif kind == "-C":
        coll_cond, coll_ok = gq_equals("COLL_NAME", target)
        conditions = coll_cond
        columns = ["COLL_NAME", "COLL_NAME", "META_COLL_ATTR_NAME", "META_COLL_ATTR_ID"]

        def ok(row: list[str]) -> bool:
            return coll_ok(row[0])
    else:
        return []  # resources and users hold no b2safe attributes
    if avu_id and not avu_id.isdigit():
        raise ValueError(f"AVU id {avu_id[:30]!r} is not a number")
    return [row[2] for row in catalog.query(columns, conditions, ok)
            if not avu_id or row[3] == avu_id]


@pep("pep_api_mod_avu_metadata_pre", on_error=DENY, args=ModAvuArgs)
def guard_metadata(ctx: RuleContext, request: ModAvuArgs) -> int:
    """Refuse an ordinary user's change of b2safe's attributes (CAT_NO_ACCESS_PERMISSION)."""
    caller = ctx.caller
    if caller is not None and caller.is_admin:
        return 0
    if request.problem:
        raise ValueError(request.problem)
    op, args = request.operation, list(request.args)
    reason = attributes.refusal(op, args, lambda k, t, i: _names_of(ctx, k, t, i))
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
    ``entity_type``, ``operations``: ``operation``, ``attribute``, ...); an input it cannot
    read is refused. Guess: PREP hands the input BytesBuf over with its bytes in ``buf``."""
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
