"""iRODS permission names and their order, for deciding on behalf of a user from ACL rows.

The ranks are iRODS's access-type token ids (irods/irods
plugins/api/src/atomic_apply_acl_operations.cpp ``acl_to_id``: read_metadata 1040 ... own 1200);
a higher id includes the lower ones. Spellings with a space are the pre-4.3 names.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

READ, WRITE, OWN = "read_object", "modify_object", "own"

_RANK = {
    "read_metadata": 1040, "read metadata": 1040,
    "read_object": 1050, "read object": 1050, "read": 1050,
    "create_metadata": 1070, "modify_metadata": 1080, "delete_metadata": 1090,
    "create_object": 1110,
    "modify_object": 1120, "modify object": 1120, "write": 1120,
    "delete_object": 1130, "delete object": 1130,
    "own": 1200,
}


def rank(permission: str) -> int:
    """The order of ``permission`` (0 for none or an unknown name)."""
    return _RANK.get(permission.strip().lower(), 0)


def strongest(permissions: Iterable[str]) -> str:
    """The strongest of ``permissions`` ('' when none)."""
    best = ""
    for permission in permissions:
        if rank(permission) > rank(best):
            best = permission
    return best


def allows(held: str, needed: str) -> bool:
    """Whether holding ``held`` grants ``needed`` (``read_object``, ``modify_object``, ``own``)."""
    return rank(held) >= rank(needed) > 0


_USER = re.compile(r"^([A-Za-z0-9._@-]{1,63})#([A-Za-z0-9._-]{1,63})$")


def split_user(text: str) -> Optional[tuple[str, str]]:
    """``(name, zone)`` of a ``name#zone`` user as records name their requester, or None when
    ``text`` is not of that form."""
    match = _USER.match(text)
    return (match.group(1), match.group(2)) if match else None
