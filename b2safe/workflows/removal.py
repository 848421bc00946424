"""Removal policy (``deletion.mode``): refuse, or keep and mark the PID records of removed data.

``refuse_fixed`` refuses (in the pre-PEP) to remove a data object whose EUDAT/FIXED_CONTENT AVU
is True, or whose PID record says FIXED_CONTENT (the owner can remove the attribute, not the
record), or a collection holding one, unless the caller is a rodsadmin of this zone; when that
cannot be checked the removal is refused (fail closed); ``keep_and_mark`` keeps
the PID record of a removed object and adds ``EUDAT/DELETED`` (ISO 8601 time of the removal) to
it; ``ignore`` does nothing. For ``irm -r`` the pre-PEP remembers the PIDs of the collection and
of everything below it (one streamed GenQuery per kind) and the post-PEP marks them through the
PID service's worker pool. A mark that fails for a reason a retry can fix (PID service down)
never fails the removal: it is kept as a pending removal mark on the surviving parent
collection (:mod:`b2safe.state.pending`) and done by the pending-work rule.

:func:`decide` is the pure decision; :class:`Removals` gathers its facts and applies it.
"""

from __future__ import annotations

import enum
import itertools
import logging
from dataclasses import dataclass, field, replace
from typing import Callable, Optional

from b2safe.config import Config
from b2safe.domain import paths, profile
from b2safe.errors import B2SafeError, InvalidInput, PidError, PidNotFound
from b2safe.ports import Caller
from b2safe.state.pending import PendingMark, PendingMarks
from b2safe.state.signing import once, signer_for
from b2safe.workflows.pending_work import ensure_pending_rule, owner_filter
from b2safe.workflows.pids import FIXED_AVU, PID_AVU, PidWorkflow

logger = logging.getLogger("b2safe.workflows.removal")

DELETED_KEY = "EUDAT/DELETED"
IGNORE, REFUSE_FIXED, KEEP_AND_MARK = "ignore", "refuse_fixed", "keep_and_mark"
_MAX_REMEMBERED = 1024
#: The cause of a pending mark written before the unlink (the removal's commit point).
REMOVING = "removal in progress"


class Decision(enum.Enum):
    """What a removal pre-PEP does."""

    ALLOW = "allow"          # nothing to do
    REFUSE = "refuse"        # deny the removal (SYS_NOT_ALLOWED at the PEP)
    REMEMBER = "remember"    # let it happen; mark the PID records afterwards


def refusal_applies(mode: str, caller: Optional[Caller]) -> bool:
    """Whether ``refuse_fixed`` binds ``caller`` (rodsadmins may remove fixed content)."""
    return mode == REFUSE_FIXED and not (caller is not None and caller.is_admin)


def decide(mode: str, caller: Optional[Caller], fixed: int) -> Decision:
    """The removal decision for ``mode`` given how many FIXED_CONTENT objects it would remove."""
    if refusal_applies(mode, caller) and fixed:
        return Decision.REFUSE
    return Decision.REMEMBER if mode == KEEP_AND_MARK else Decision.ALLOW


@dataclass
class Removal:
    """What a removal pre-PEP remembers for its post-PEP: ``{pid: path}`` of the removed
    object(s) and the pending removal marks held below a removed collection."""

    pids: dict[str, str]
    carried: list[PendingMark] = field(default_factory=list)
    #: the pre-PEP kept them all as pending marks (:meth:`Removals._commit_intent`)
    committed: bool = False


#: Removals in progress, remembered by the pre-PEPs for the post-PEPs (per agent), by path.
_removing: dict[str, Removal] = {}


def _remember(path: str, removal: Removal) -> None:
    if len(_removing) >= _MAX_REMEMBERED:
        _removing.clear()
    _removing[path] = removal


MarkResults = tuple[list[PendingMark], list[tuple[PendingMark, BaseException]],
                    list[tuple[PendingMark, BaseException]]]


class Removals:
    """The removal policy on behalf of ``caller`` in the zone of ``workflow``."""

    def __init__(self, workflow: PidWorkflow, config: Config, caller: Optional[Caller]) -> None:
        self.workflow = workflow
        self.catalog = workflow.catalog
        self.mode = config.deletion.mode
        self.config = config
        self.caller = caller

    # --- the PEPs --------------------------------------------------------------------------------

    def before(self, path: str, is_collection: bool) -> Decision:
        """Before ``path`` is removed: decide, and remember what the post-PEP needs.

        When ``refuse_fixed`` binds the caller, a path that cannot be checked (not valid, a
        failing catalog) raises: the pre-PEP then denies (a protective check fails closed).
        Remembering for ``keep_and_mark`` is helpful only: its failures are logged and the
        removal goes ahead.
        """
        if self.mode == IGNORE or not path:
            return Decision.ALLOW
        refusal = refusal_applies(self.mode, self.caller)
        try:
            paths.validate_path(path)
        except B2SafeError as exc:
            if refusal:
                raise
            logger.warning("removal of %r: PIDs not remembered: %s", path[:200], exc)
            return Decision.ALLOW
        if paths.zone_of(path) != self.catalog.zone:
            return Decision.ALLOW
        _removing.pop(path, None)
        fixed = 0
        if refusal:
            fixed = self._fixed_below(path) if is_collection else int(self._fixed(path))
        decision = decide(self.mode, self.caller, fixed)
        if decision is Decision.REFUSE:
            held = f"it holds {fixed} object(s)" if is_collection else "it is"
            logger.error("refusing to remove %s: %s registered with EUDAT/FIXED_CONTENT=True "
                         "(deletion.mode refuse_fixed)", path, held)
        elif decision is Decision.REMEMBER:
            try:
                removal = self._removal(path, is_collection)
            except B2SafeError as exc:
                logger.error("removal of %s: PIDs not remembered, they will not be marked %s: "
                             "%s", path, DELETED_KEY, exc)
                return decision
            if removal.pids or removal.carried:
                _remember(path, removal)
                self._commit_intent(path, removal)
        return decision

    def _commit_intent(self, path: str, removal: Removal) -> None:
        """The commit point of a ``keep_and_mark`` removal, before the unlink: the pending-work
        rule is queued, then each PID to mark (and each pending mark carried from below a
        removed collection) is kept as a pending mark on the holder, cause :data:`REMOVING`.
        An agent that dies between the unlink and its post-PEP thus leaves them to
        ``EUDATPolicyPending``, which marks the records, or drops the marks when the object
        was not removed after all (its PID is still in use). The post-PEP clears them.
        Failures are logged (the removal goes ahead, as before)."""
        try:
            ensure_pending_rule(self.catalog, self.caller, self.config, self.catalog.now())
        except B2SafeError as exc:
            logger.error("removal of %s: the pending-work rule could not be queued: %s", path,
                         exc)
        now = self.catalog.now()
        user = str(self.caller or "")
        intents = [PendingMark(pid=pid, removed=where, user=user, deleted=now, cause=REMOVING)
                   for pid, where in removal.pids.items()]
        intents += [m for m in removal.carried if m.pid not in removal.pids]
        self._keep_pending(path, intents)
        removal.committed = True

    def after(self, path: str) -> Optional[tuple[int, int]]:
        """After ``path`` was removed (``keep_and_mark``): mark the remembered records.

        Returns (marked, kept pending), None when nothing was remembered.
        """
        removal = _removing.pop(path, None)
        if removal is None or self.mode != KEEP_AND_MARK:
            return None
        return self.mark_removed(path, removal)

    def _fixed(self, path: str) -> bool:
        """Whether ``path`` is FIXED_CONTENT: its attribute says so, or else its PID record does
        (the record is state the owner cannot remove: the PID named by its PID attribute, or,
        when that attribute is gone, the deterministic PID of the object). Raises when the PID
        service cannot answer (the pre-PEP then refuses: fail closed)."""
        if any(a.value.lower() == "true" for a in self.catalog.avus(path, "-d", FIXED_AVU)):
            return True
        if not self.config.pid.enabled:
            return False
        pids = [a.value for a in self.catalog.avus(path, "-d", PID_AVU)]
        info = self.catalog.stat(path)
        if not pids and info is not None and self.config.pid.suffix == "deterministic":
            pids = [self.workflow.pids.mint(self.workflow.mint_key(info))]
        return any(self._record_fixed(path, pid) for pid in pids)

    def _record_fixed(self, path: str, pid: str) -> bool:
        try:
            record = self.workflow.pids.get(pid)
        except PidNotFound:
            return False
        return record.fixed_content and record.url in self.workflow.candidate_urls(path)

    def _fixed_below(self, collection: str) -> int:
        """How many data objects below ``collection`` are FIXED_CONTENT: by attribute, else by
        the PID records their PID attributes name (pooled GETs; raises when the PID service
        cannot answer)."""
        fixed = sum(1 for _, value in self.catalog.data_paths_with_avu(collection, FIXED_AVU)
                    if value.lower() == "true")
        if fixed or not self.config.pid.enabled:
            return fixed
        named = list(self.catalog.data_paths_with_avu(collection, PID_AVU))
        for _item, result in self.workflow.pids.bulk(
                lambda item: self._record_fixed(item[0], item[1]), named):
            if isinstance(result, BaseException):
                raise result
            fixed += int(bool(result))
        return fixed

    def _removal(self, path: str, is_collection: bool) -> Removal:
        if not is_collection:
            return Removal({a.value: path for a in self.catalog.avus(path, "-d", PID_AVU)})
        # One streamed query per kind; replicas repeat a data object's rows (dict dedupes).
        pids = {pid: where for where, pid in self.catalog.paths_with_avu(path, PID_AVU)}
        # Only signed marks are carried over (signed again for the remover); this pre-PEP
        # moves nothing aside (the retry does).
        return Removal(pids, list(self._pending().marks(below=path, move_aside=False)))

    # --- marking ---------------------------------------------------------------------------------

    def mark_removed(self, removed: str, removal: Removal) -> tuple[int, int]:
        """``keep_and_mark`` after ``removed`` is gone: mark the remembered records; keep those
        a retry can fix as pending marks, move the carried pending marks (held below a removed
        collection, checked only by the retry) to the new holder, and queue the pending rule.

        Returns (marked, kept pending). Raises only for failures of the catalog itself.
        """
        now = self.catalog.now()
        user = str(self.caller or "")
        marks = [PendingMark(pid=pid, removed=path, user=user, deleted=now)
                 for pid, path in removal.pids.items()]
        marked, retry, dropped = self._mark_records(marks)
        for mark, exc in dropped:
            logger.warning("PID %s of removed %s not marked: %s", mark.pid, mark.removed, exc)
        pending = [mark.failed(str(exc)) for mark, exc in retry]
        if not removal.committed:
            pending += [m for m in removal.carried if m.pid not in removal.pids]
        kept = self._keep_pending(removed, pending) if pending else 0
        if removal.committed:  # done or dropped: the pre-PEP's marks are no longer pending
            holder = paths.split(removed)[0]
            store = self._pending()
            for mark in [*marked, *(m for m, _ in dropped)]:
                store.clear(replace(mark, holder=holder))
        if kept:
            ensure_pending_rule(self.catalog, self.caller, self.config, self.catalog.now())
        logger.info("removal of %s: %d PID record(s) kept and marked %s, %d left for a retry",
                    removed, len(marked), DELETED_KEY, kept)
        return len(marked), kept

    def process_pending(self, limit: int) -> tuple[int, int]:
        """Retry up to ``limit`` pending removal marks (the caller's own; all for a rodsadmin).

        A mark is done only when the removed path is below the collection holding the mark,
        the record's URL points at that path and no object of the zone visible to the caller
        carries the PID any more (see :mod:`b2safe.state.pending`); otherwise it is dropped.
        Returns (marked, failed); a failed mark stays with its cause.
        """
        store = self._pending()
        marks = list(itertools.islice(store.marks(owner_filter(self.caller)), limit))
        if not marks:
            return 0, 0
        in_use = self.catalog.values_in_use(PID_AVU, [m.pid for m in marks])
        urls: dict[str, set[str]] = {}
        todo = []
        for mark in marks:
            try:
                if not mark.removed.startswith(mark.holder.rstrip("/") + "/"):
                    raise InvalidInput(f"{mark.removed} is not below {mark.holder}, which "
                                       "holds it")
                if mark.pid in in_use:
                    raise InvalidInput("an object of the zone carries it again")
                urls[mark.pid] = set(self.workflow.candidate_urls(mark.removed))
            except B2SafeError as exc:
                logger.warning("pending mark of PID %s dropped: %s", mark.pid, exc)
                store.clear(mark)
                continue
            todo.append(mark)
        get = self.workflow.pids.get

        def check(mark: PendingMark) -> None:
            url = get(mark.pid).url
            if url not in urls[mark.pid]:
                raise InvalidInput(f"its URL {url[:200]} is not that of {mark.removed}")

        marked, retry, dropped = self._mark_records(todo, check)
        for mark in marked:
            store.clear(mark)
        for mark, error in dropped:
            logger.warning("pending mark of PID %s (removed %s) dropped: %s", mark.pid,
                           mark.removed, error)
            store.clear(mark)
        for mark, error in retry:
            logger.error("PID %s of removed %s still not marked: %s", mark.pid, mark.removed,
                         error)
            store.write(mark.failed(str(error)))
        return len(marked), len(retry)

    def _mark_records(self, marks: list[PendingMark],
                      check: Optional[Callable[[PendingMark], None]] = None) -> MarkResults:
        """Add EUDAT/DELETED (the mark's removal time) to each record, through the PID
        service's worker pool (the workers only do HTTP; ``check`` too, before the update).

        Returns (marked, retry: failures a retry can fix, dropped: failures it cannot). A
        record that is gone (PidNotFound) is dropped; any other PidError (service down,
        refused credentials) is kept for a retry.
        """
        marked: list[PendingMark] = []
        retry: list[tuple[PendingMark, BaseException]] = []
        dropped: list[tuple[PendingMark, BaseException]] = []
        if not marks:
            return marked, retry, dropped
        service = self.workflow.pids  # resolved here, on the rule's thread
        update = service.update
        # The removed object's PID attribute is a claim: its record must name the removed path.
        urls = {item.pid: self.workflow.candidate_urls(item.removed) for item in marks}

        def mark(item: PendingMark) -> None:
            if check is not None:
                check(item)
            # Guess: "mark" = a DELETED value next to the profile values; URL and checksum kept.
            update(item.pid, {DELETED_KEY: profile.iso8601_utc(item.deleted)},
                   expect_url=urls[item.pid])

        for item, result in service.bulk(mark, marks):
            if not isinstance(result, BaseException):
                marked.append(item)
            elif isinstance(result, PidError) and not isinstance(result, PidNotFound):
                retry.append((item, result))
            else:
                dropped.append((item, result))
        return marked, retry, dropped

    def _pending(self) -> PendingMarks:
        return PendingMarks(self.catalog, signer_for(self.config, once(self.catalog.now)))

    def _keep_pending(self, removed: str, marks: list[PendingMark]) -> int:
        """Store pending marks (as the caller's) on the parent of ``removed``; returns how many
        were kept (none when the caller may not change the parent's metadata: then logged)."""
        store = self._pending()
        user = str(self.caller or "")
        holder = paths.split(removed)[0]
        kept = 0
        for mark in marks:
            try:
                store.write(replace(mark, user=user, holder=holder))
                kept += 1
            except B2SafeError as error:
                logger.error("PID %s of removed %s was not marked %s (%s) and the mark could "
                             "not be kept on %s for a retry: %s", mark.pid, mark.removed,
                             DELETED_KEY, mark.cause, holder, error)
        return kept
