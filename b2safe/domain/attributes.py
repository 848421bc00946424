"""b2safe's own attributes, and which metadata requests would touch them (a pure decision).

``PID``, ``EUDAT/*`` and ``eudat_*`` (pending work, fail log, sweep state, integrity stamps,
records moved aside) are written by b2safe and read back as state. Ordinary users must not
change them: the metadata PEPs (:mod:`b2safe.ruleset.metadata_guard`) refuse such requests the
way iRODS's metadata guard rule engine plugin protects an attribute prefix. The guard is a
second line only: a native rule calling ``msiModAVUMetadata`` reaches ``rsModAVUMetadata``
without any API PEP (irods/irods server/re/src/extractAvuMS.cpp), so b2safe still treats these
attributes as claims wherever it acts on them (signed pending work, the PID record as witness).
"""

from __future__ import annotations

import re
from typing import Callable, Optional, Sequence

GUARDED_NAMES = ("PID",)
GUARDED_PREFIXES = ("EUDAT/", "eudat_")


def is_guarded(name: str) -> bool:
    """Whether attribute ``name`` is b2safe's own."""
    return name in GUARDED_NAMES or name.startswith(GUARDED_PREFIXES)


def like_may_touch(pattern: str) -> bool:
    """Whether a GenQuery LIKE ``pattern`` (``%``, ``_``) may match a guarded name.

    Conservative (fails closed): a pattern whose literal head (before its first wildcard) is
    compatible with a guarded prefix counts as touching it.
    """
    regex = re.compile("".join(".*" if c == "%" else "." if c == "_" else re.escape(c)
                               for c in pattern), re.DOTALL)
    if any(regex.fullmatch(name) for name in GUARDED_NAMES):
        return True
    head = re.split(r"[%_]", pattern, maxsplit=1)[0]
    if head == pattern:  # no wildcard: a plain name
        return is_guarded(pattern)
    return any(prefix.startswith(head) or head.startswith(prefix)
               for prefix in GUARDED_PREFIXES)


def refusal(op: str, args: Sequence[str],
            names_of: Callable[[str, str, str], Sequence[str]]) -> Optional[str]:
    """Why an ordinary user's metadata request must be refused, or None to let it through.

    ``args`` are ``arg1..arg9`` of the request after the operation ``op`` (imeta's order:
    type, target, attribute, value, units or ``n:``/``v:``/``u:`` changes). ``names_of(kind,
    target, avu_id)`` lists attribute names (of one AVU id, or all of ``target`` when the id is
    ''), for ``rmi`` and ``cp``; it may raise, and the caller then refuses (fail closed).
    """
    op = (op or "").lower()
    items = list(args) + [""] * 9
    kind, target, attribute = items[0], items[1], items[2]
    if op in ("add", "adda", "addw", "set", "rm"):
        names = [attribute]
    elif op == "rmw":
        if like_may_touch(attribute):
            return f"the pattern {attribute!r} may match b2safe's attributes"
        return None
    elif op == "mod":
        names = [attribute] + [a[2:] for a in items[3:9] if a.startswith("n:")]
    elif op == "rmi":
        names = list(names_of(kind, target, attribute))
    elif op == "cp":
        # imeta cp -d -d <from> <to>: every attribute of <from> is copied
        names = list(names_of(kind, attribute, ""))
    else:
        return None
    touched = sorted({n for n in names if is_guarded(n)})
    if touched:
        return f"{', '.join(touched)} {'is' if len(touched) == 1 else 'are'} b2safe's own"
    return None
