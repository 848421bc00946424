"""Upload policies: which apply to a path, and what to do when an upload completes. Pure logic.

A policy (``policies[]`` in the configuration) covers the collections matching its ``collection``
pattern and everything below them. In a pattern, ``*`` matches within one path element and
``**`` any number of elements (zero included); everything else is literal.

What an upload into a covered collection gets (:func:`plan`):

* a PID (``pid`` = ``now``: at once; ``deferred``: by a delay-queue batch; ``off``: none), with
  the first matching policy's EUDAT/FIXED_CONTENT, EUDAT/ROR and EUDAT/FIO;
* one replica per target of every matching policy. The policy collection's tree is mirrored
  under the target's destination: the part of the path from the first wildcard element of the
  pattern on (or from the matched collection's own name when the pattern has no wildcard) is
  appended to the destination. ``/z/home/*/archive`` with destination ``/y/replicas`` sends
  ``/z/home/alice/archive/a/b.dat`` to ``/y/replicas/alice/archive/a/b.dat``.

Recursion guards (an object must not bounce between zones or collections):

* an object that is itself a replica - it has EUDAT/PARENT, or it lies below a replication
  destination of this zone's policies - gets no replicas (and no policy PID: its PID comes from
  the replication that made it);
* a target whose destination would lie inside the covered tree itself is dropped;
* only arrivals by a client trigger policies (:mod:`b2safe.ruleset.ingest`: uploads,
  registrations, client copies and moves); replicas arrive by a microservice copy, which fires
  ``acPostProcForCopy`` and no API PEP, so the destination zone's own policies do not fire for
  them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional, Sequence

from b2safe.config import PolicyConfig, ReplicaTarget
from b2safe.domain.paths import is_below

PID_OFF, PID_NOW, PID_DEFERRED = "off", "now", "deferred"


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    """A regex matching collection paths for ``pattern`` (``*`` one element, ``**`` any)."""
    parts = pattern.rstrip("/").split("/")[1:] if pattern != "/" else []
    regex = ""
    for part in parts:
        if part == "**":
            regex += "(?:/[^/]+)*"
        else:
            regex += "/" + "".join("[^/]*" if piece == "*" else re.escape(piece)
                                   for piece in re.split(r"(\*)", part))
    return re.compile(regex or "/")


def collection_matches(pattern: str, collection: str) -> bool:
    """True when ``collection`` matches ``pattern`` exactly (not a sub-collection of a match)."""
    return _compile(pattern).fullmatch(collection) is not None


def covering_collection(pattern: str, path: str) -> Optional[str]:
    """The top-most ancestor collection of ``path`` (the path itself excluded) matching
    ``pattern``, or None when the policy does not cover ``path``."""
    elements = path.split("/")[1:-1]
    for length in range(1, len(elements) + 1):
        candidate = "/" + "/".join(elements[:length])
        if collection_matches(pattern, candidate):
            return candidate
    return None


def mirror_base(pattern: str, collection: str) -> str:
    """The part of ``collection`` (a match of ``pattern``) that is *not* mirrored: its elements
    before the pattern's first wildcard element, or its parent when there is no wildcard."""
    parts = pattern.rstrip("/").split("/")[1:]
    fixed = 0
    for part in parts:
        if "*" in part:
            break
        fixed += 1
    if fixed == len(parts):
        fixed -= 1  # no wildcard: mirror the collection itself (its name included)
    elements = collection.split("/")[1:]
    return "/" + "/".join(elements[:fixed]) if fixed > 0 else ""


def destination_for(pattern: str, collection: str, path: str, target: ReplicaTarget) -> str:
    """Where ``path`` (below ``collection``, a match of ``pattern``) is replicated for
    ``target``."""
    base = mirror_base(pattern, collection)
    return target.destination.rstrip("/") + path[len(base):]


@dataclass(frozen=True)
class Replica:
    """One replication the upload needs."""

    policy: str
    destination: str
    registered: bool
    resource: str


@dataclass(frozen=True)
class Plan:
    """What to do for one completed upload. ``pid`` is off, now or deferred."""

    path: str
    policies: tuple[str, ...] = ()
    pid: str = PID_OFF
    fixed_content: bool = False
    ror: str = ""
    fio: str = ""
    replicas: tuple[Replica, ...] = ()
    skipped: str = ""

    @property
    def empty(self) -> bool:
        """True when nothing is to be done."""
        return self.pid == PID_OFF and not self.replicas


def matching(policies: Iterable[PolicyConfig], path: str) -> list[tuple[PolicyConfig, str]]:
    """The policies covering ``path``, each with the collection it matched, in config order."""
    out = []
    for policy in policies:
        collection = covering_collection(policy.collection, path)
        if collection is not None:
            out.append((policy, collection))
    return out


def replica_areas(policies: Iterable[PolicyConfig], zone: str) -> list[str]:
    """Replication destinations of ``policies`` that lie in ``zone``."""
    return [t.destination.rstrip("/") for p in policies for t in p.replicate
            if t.destination.split("/")[1:2] == [zone]]


def plan(policies: Sequence[PolicyConfig], path: str, zone: str, *,
         is_replica: bool = False) -> Plan:
    """What an upload of ``path`` in ``zone`` needs (see the module docstring).

    Args:
        policies: the configured policies.
        path: the uploaded data object (a validated absolute path).
        zone: the zone running the policy.
        is_replica: the object carries EUDAT/PARENT (it is itself a replica).
    """
    found = matching(policies, path)
    if not found:
        return Plan(path)
    names = tuple(p.name for p, _ in found)
    if is_replica:
        return Plan(path, names, skipped="the object is a replica (it has EUDAT/PARENT)")
    for area in replica_areas(policies, zone):
        if is_below(path, area):
            return Plan(path, names, skipped=f"the object lies in the replica area {area}")
    pid_policy = next((p for p, _ in found if p.pid != PID_OFF), None)
    replicas: list[Replica] = []
    seen: set[str] = set()
    for policy, collection in found:
        for target in policy.replicate:
            destination = destination_for(policy.collection, collection, path, target)
            if is_below(destination, collection) or destination in seen:
                continue
            seen.add(destination)
            replicas.append(Replica(policy.name, destination, target.registered,
                                    target.resource))
    if pid_policy is None:
        return Plan(path, names, replicas=tuple(replicas))
    return Plan(path, names, pid=pid_policy.pid, fixed_content=pid_policy.fixed_content,
                ror=pid_policy.ror, fio=pid_policy.fio, replicas=tuple(replicas))
