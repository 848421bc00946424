"""``b2safe chain PID``: the tree of copies linked by EUDAT/PARENT and EUDAT/REPLICA.

Starting from any copy, the walk climbs EUDAT/PARENT to the original, then descends through
EUDAT/REPLICA, reading each record from the Handle server of its prefix. Only prefixes this host
has credentials for can be followed: in a sandbox every zone's prefix; on a live system the
prefixes of the local credentials file (and any ``--credentials FILE``). A public resolver is not
used. Each record is checked against the catalog where its URL is reachable: the path exists and
every catalog checksum of a data object equals EUDAT/CHECKSUM. A link is also checked in both
directions (a replica's EUDAT/PARENT names the record that lists it).

The walk itself is pure: it takes a record fetcher and a verifier (see :func:`walk`), so it is
tested without servers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from b2safe.domain import profile
from b2safe.domain.profile import PidRecord
from b2safe.errors import B2SafeError, PidNotFound

#: Node states; FAILING ones make ``b2safe chain`` exit 1.
OK = "ok"
UNVERIFIED = "unverified"
UNRESOLVED = "unresolved"
MISSING = "missing"
MISMATCH = "checksum-mismatch"
NOT_FOUND = "pid-not-found"
BROKEN = "broken-link"
FAILING = frozenset({MISSING, MISMATCH, NOT_FOUND, BROKEN})


class Unresolvable(Exception):
    """A PID whose prefix this host has no Handle server for."""


@dataclass
class ChainNode:
    """One record of the chain, its verification state and its replicas."""

    pid: str
    state: str = OK
    url: str = ""
    checksum: str = ""
    notes: list[str] = field(default_factory=list)
    children: list[ChainNode] = field(default_factory=list)
    start: bool = False

    def as_json(self) -> list[dict[str, Any]]:
        """Every node of the tree, pre-order, as a flat JSON-ready list.

        Each entry names its ``parent`` in the tree and its ``replicas`` by PID: a flat list,
        because nested JSON as deep as a long chain cannot be written or read by Python's json
        module (it recurses once per level).
        """
        out: list[dict[str, Any]] = []
        stack: list[tuple[ChainNode, Optional[str]]] = [(self, None)]
        while stack:
            node, parent = stack.pop()
            out.append({"pid": node.pid, "state": node.state, "url": node.url,
                        "checksum": node.checksum, "notes": list(node.notes),
                        "start": node.start, "parent": parent,
                        "replicas": [child.pid for child in node.children]})
            stack.extend((child, node.pid) for child in reversed(node.children))
        return out

    def walk(self) -> list[ChainNode]:
        """This node and every node below it (pre-order, iteratively)."""
        out: list[ChainNode] = []
        stack = [self]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out


Fetch = Callable[[str], PidRecord]
Verify = Callable[[PidRecord], tuple[str, str]]


def _key(pid: str) -> str:
    return pid.strip().casefold()


def walk(start: str, fetch: Fetch, verify: Verify,
         on_record: Optional[Callable[[int], None]] = None, limit: int = 10000) -> ChainNode:
    """Build the chain tree around ``start``.

    Args:
        start: a PID.
        fetch: returns the record of a PID; raises :class:`Unresolvable` for a prefix that cannot
            be followed and PidNotFound (or another B2SafeError) when the record cannot be read.
        verify: (state, note) of a record against its catalog entry (OK, UNVERIFIED, MISSING,
            MISMATCH).
        on_record: called with the number of records read so far (progress display).
        limit: maximum number of records read (a safety net for pathological chains).

    Returns the root node (the topmost reachable ancestor, or a placeholder for an ancestor that
    could not be read).
    """
    cache: dict[str, Any] = {}

    def get(pid: str) -> Any:
        key = _key(pid)
        if key not in cache:
            if len(cache) >= limit:
                raise RuntimeError(f"more than {limit} records; stopped")
            try:
                cache[key] = fetch(pid)
            except Unresolvable as exc:
                cache[key] = exc
            except B2SafeError as exc:
                cache[key] = exc
            if on_record is not None:
                on_record(len(cache))
        return cache[key]

    # Climb EUDAT/PARENT as far as records can be read.
    top, placeholder = start, None
    seen = {_key(start)}
    record = get(start)
    while isinstance(record, PidRecord) and record.parent:
        parent = record.parent
        if _key(parent) in seen:
            break
        seen.add(_key(parent))
        parent_record = get(parent)
        if not isinstance(parent_record, PidRecord):
            placeholder = _failed_node(parent, parent_record)
            break
        top, record = parent, parent_record

    visited: set = set()

    def make(pid: str, expected_parent: Optional[str]) -> tuple[ChainNode, list[str]]:
        """The node of ``pid`` and the replicas still to descend into."""
        visited.add(_key(pid))
        rec = get(pid)
        below: list[str] = []
        if not isinstance(rec, PidRecord):
            node = _failed_node(pid, rec)
        else:
            state, note = verify(rec)
            node = ChainNode(pid, state, rec.url, rec.checksum or "")
            if note:
                node.notes.append(note)
            if expected_parent is not None and not (
                    rec.parent and _key(rec.parent) == _key(expected_parent)):
                node.state = BROKEN if node.state in (OK, UNVERIFIED) else node.state
                node.notes.append(f"EUDAT/PARENT is {rec.parent or 'missing'}, "
                                  f"not {expected_parent}")
            below = list(rec.replicas)
        node.start = _key(pid) == _key(start)
        return node, below

    def build(pid: str, expected_parent: Optional[str]) -> ChainNode:
        """Depth-first, with an explicit stack (chains may be deeper than Python recursion)."""
        top_node, below = make(pid, expected_parent)
        stack: list[tuple[ChainNode, list[str]]] = [(top_node, list(reversed(below)))]
        while stack:
            node, todo = stack[-1]
            if not todo:
                stack.pop()
                continue
            replica = todo.pop()
            if _key(replica) in visited:
                node.notes.append(f"replica {replica} already shown (link cycle)")
                continue
            child, child_below = make(replica, node.pid)
            node.children.append(child)
            stack.append((child, list(reversed(child_below))))
        return top_node

    root = build(top, None)
    if placeholder is not None:
        placeholder.children.append(root)
        root.notes.append(f"its EUDAT/PARENT {placeholder.pid} could not be read")
        return placeholder
    return root


def _failed_node(pid: str, error: Any) -> ChainNode:
    if isinstance(error, Unresolvable):
        return ChainNode(pid, UNRESOLVED, notes=[str(error)])
    if isinstance(error, PidNotFound):
        return ChainNode(pid, NOT_FOUND, notes=["no such PID on its Handle server"])
    return ChainNode(pid, NOT_FOUND, notes=[f"cannot read: {error}"])


def verify_with(object_state: Callable[[str], Any],
                stored: Optional[Callable[[str], Any]] = None) -> Verify:
    """A verifier over a backend's ``object_state(url)`` (see :mod:`b2safe.cli.backends`);
    with ``stored`` (the backend's ``verify_stored``) the stored bytes are checked too."""

    def verify(record: PidRecord) -> tuple[str, str]:
        if not record.url.startswith("irods://"):
            return UNVERIFIED, "URL is not irods:// (HTTP API URLs are not checked)"
        try:
            state = object_state(record.url)
        except Exception as exc:  # a verification problem must not stop the walk
            return UNVERIFIED, f"cannot check: {exc}"
        if not state.reachable:
            return UNVERIFIED, f"catalog not reachable: {state.note}"
        if not state.exists:
            return MISSING, f"{state.path} does not exist"
        if state.is_collection:
            return OK, "collection exists"
        sums = [c for c in state.checksums if c]
        if not sums:
            return UNVERIFIED, "exists; the catalog has no checksum"
        if not record.checksum:
            return UNVERIFIED, "exists; the record has no EUDAT/CHECKSUM"
        bad = [c for c in sums if not profile.checksum_matches(record.checksum, c)]
        if bad:
            return MISMATCH, f"catalog checksum {bad[0]} differs from EUDAT/CHECKSUM"
        if stored is None:
            return OK, "exists, catalog checksum matches EUDAT/CHECKSUM"
        check = stored(state.path)
        if check.ok is False:
            return MISMATCH, (f"stored bytes differ from the catalog checksum, which matches "
                              f"EUDAT/CHECKSUM ({check.detail})")
        if check.ok is None:
            return UNVERIFIED, f"catalog checksum matches; stored bytes not verified: " \
                               f"{check.detail}"
        return OK, "exists; stored bytes, catalog checksum and EUDAT/CHECKSUM agree"

    return verify


def fetcher(services: dict[str, Any]) -> Fetch:
    """A fetcher reading each PID from the service of its prefix (upper-cased keys)."""

    def fetch(pid: str) -> PidRecord:
        prefix = pid.split("/", 1)[0].upper()
        service = services.get(prefix)
        if service is None:
            raise Unresolvable(f"no credentials for prefix {pid.split('/', 1)[0]}; "
                               "not followed")
        return service.get(pid)

    return fetch


def render(root: ChainNode) -> str:
    """The tree as text, one record per line."""
    lines: list[str] = []

    def line(node: ChainNode) -> str:
        mark = " (start)" if node.start else ""
        notes = f"  - {'; '.join(node.notes)}" if node.notes else ""
        return f"{node.pid}{mark}  [{node.state}]  {node.url}{notes}".rstrip()

    lines.append(line(root))
    stack: list[tuple[ChainNode, str, bool]] = [
        (child, "", index == len(root.children) - 1)
        for index, child in reversed(list(enumerate(root.children)))]
    while stack:
        node, prefix, last = stack.pop()
        lines.append(f"{prefix}{'└── ' if last else '├── '}{line(node)}")
        child_prefix = prefix + ("    " if last else "│   ")
        count = len(node.children)
        for index in range(count - 1, -1, -1):
            stack.append((node.children[index], child_prefix, index == count - 1))
    return "\n".join(lines)
