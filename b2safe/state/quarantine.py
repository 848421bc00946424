"""Records moved aside: pending work that is malformed or whose signature does not verify.

Such a record is never carried out, and it must not stay where retries look (a few hundred of
them would fill every retry window for ever), nor crash a run. It is moved to an AVU of the same
object named ``eudat_quarantine:<original name>``, value unchanged, units
``v2;reason=<why>;at=<epoch>;units=<original units>`` (the original cut to fit the catalog's
250 characters: :func:`b2safe.state.codec.encode_units`), and listed by ``b2safe status`` for
an operator to inspect and delete. Moving needs the right to change the object's metadata (a
rodsadmin has it); when the caller lacks it the record is only skipped.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from b2safe.errors import B2SafeError
from b2safe.state.codec import FORGED, MALFORMED, encode_units

logger = logging.getLogger("b2safe.state.quarantine")

PREFIX = "eudat_quarantine:"


def move_aside(catalog: Any, path: str, kind: str, name: str, value: str, units: str,
               reason: str) -> bool:
    """Move one pending-work AVU of ``path`` aside; True when moved, False when only skipped.

    Never raises for a catalog failure or a reason too long to store (logged): a bad record
    must not stop a retry run.
    """
    try:
        moved_units = encode_units({"reason": reason, "at": str(catalog.now()), "units": units},
                                   shorten=("units",))
        catalog.set_avu(path, kind, PREFIX + name, value, moved_units)
        catalog.remove_avu(path, kind, name, value, units)
    except B2SafeError as exc:
        logger.warning("pending-work record %s of %r is %s but could not be moved aside: %s",
                       name, path, reason, exc)
        return False
    logger.warning("pending-work record %s of %r moved aside (%s): see 'b2safe status'",
                   name, path, reason)
    return True


def should_move(verdict: str, requester: Optional[str], user: str) -> bool:
    """Whether a run for ``user`` ('' = everyone's: a rodsadmin's) moves aside a record judged
    ``verdict`` naming ``requester`` (None: unreadable). Malformed records are moved by any run;
    forged ones by their own requester's run or everyone's; valid and unverifiable ones never."""
    if verdict == MALFORMED:
        return True
    return verdict == FORGED and (requester is None or not user or requester == user)
