"""Rename policy (``pid.update_url_on_rename``): PID URLs follow a renamed object, crash or not.

Steps of a rename: ``acPreProcForObjRename(src, dst)``, the catalog rename, then
``acPostProcForObjRename(src, dst)``, which points the PIDs of what moved at the new location.
An agent dying after the catalog rename and before the post-PEP repointed the records would
leave them naming the old path, with nothing pending. So the pre-PEP commits first: it queues
the pending-work rule and writes the old path on the object itself::

    name   eudat_pending:renamed
    value  <the path before the rename>
    units  <cause of the last failed attempt, or empty>

The AVU travels with the object (a rename keeps the object's metadata). The post-PEP repoints
and then removes it; ``EUDATPolicyPending`` (:meth:`Renames.process_pending`) finishes what a
dead agent or a Handle outage left. Like the PEP (which anyone may call as a rule), the AVU is
only a claim: a record is repointed only from a path that no longer exists, and only when it
names that path (:meth:`b2safe.workflows.pids.PidWorkflow.repoint_tree`). Failures a retry can
fix (the PID service) keep the AVU with their cause; others are logged and the AVU removed.
"""

from __future__ import annotations

import itertools
import logging
from typing import Optional

from b2safe.config import Config
from b2safe.domain import paths
from b2safe.errors import B2SafeError, PidError, PidNotFound
from b2safe.ports import Caller, ObjectKind
from b2safe.workflows.pending_work import ensure_pending_rule
from b2safe.workflows.pids import PidWorkflow

logger = logging.getLogger("b2safe.workflows.renames")

RENAMED_AVU = "eudat_pending:renamed"


class Renames:
    """The rename policy on behalf of ``caller`` in the zone of ``workflow``."""

    def __init__(self, workflow: PidWorkflow, config: Config, caller: Optional[Caller]) -> None:
        self.workflow = workflow
        self.catalog = workflow.catalog
        self.config = config
        self.caller = caller

    def before(self, source: str) -> None:
        """Before ``source`` is renamed: the commit point (see the module docstring). Never
        raises (a failure is logged; the rename goes ahead, its post-PEP still repoints)."""
        try:
            paths.validate_path(source)
            if paths.zone_of(source) != self.catalog.zone:
                return
            info = self.catalog.stat(source)
            if info is None or (not info.is_collection and not self.workflow.pid_of(info)):
                return
            ensure_pending_rule(self.catalog, self.caller, self.config, self.catalog.now())
            self.catalog.set_avu(source, info.flag, RENAMED_AVU, source)
        except B2SafeError as exc:
            logger.error("rename of %r: not kept pending before the rename: %s", source[:300],
                         exc)

    def after(self, source: str, destination: str) -> list[tuple[str, str, Optional[B2SafeError]]]:
        """After ``source`` was renamed to ``destination``: repoint the PIDs of what moved, then
        clear the pending rename (kept, with its cause, when the PID service failed).

        Returns ``(path, pid, None or the error)`` per PID; [] when nothing was repointed.
        """
        info = self.catalog.stat(destination) \
            if paths.zone_of(destination) == self.catalog.zone else None
        if info is None:
            return []
        if self.catalog.stat(source) is not None:
            # Called as a rule (anyone can): after a real rename the old path is gone. A record
            # is repointed only from a path that no longer exists (and only when it names it).
            logger.error("rename of %r to %r: the old path still exists; PIDs are not "
                         "repointed", source[:300], destination[:300])
            return []
        done = self.workflow.repoint_tree(info, source, keep_going=True)
        self._settle(info.path, info.flag, source, done)
        return done

    def _settle(self, path: str, kind: ObjectKind, source: str,
                done: list[tuple[str, str, Optional[B2SafeError]]]) -> None:
        """Remove the pending rename ``source`` of ``path``, or keep it with the cause when a
        retry can fix a failure."""
        retry = [error for _, _, error in done
                 if isinstance(error, PidError) and not isinstance(error, PidNotFound)]
        pending = [a for a in self.catalog.avus(path, kind, RENAMED_AVU) if a.value == source]
        if retry:
            cause = " ".join(str(retry[0]).split())[:200]
            self.catalog.set_avu(path, kind, RENAMED_AVU, source, cause)
            ensure_pending_rule(self.catalog, self.caller, self.config, self.catalog.now())
            return
        for avu in pending:
            self.catalog.remove_avu(path, kind, avu.name, avu.value, avu.units)

    def process_pending(self, limit: int) -> tuple[int, int]:
        """Finish up to ``limit`` pending renames visible to the caller (EUDATPolicyPending).

        Returns (done, still failing). A rename that never happened (the object is still at
        the old path) or whose old path exists again is dropped (logged).
        """
        kinds: tuple[ObjectKind, ...] = ("-d", "-C")
        found = itertools.islice(((path, kind, avu) for kind in kinds
                                  for path, avu in self.catalog.find_avus(kind, RENAMED_AVU)),
                                 limit)
        done = failed = 0
        for path, kind, avu in list(found):
            source = avu.value
            try:
                paths.validate_path(source)
                moved = source != path
            except B2SafeError:
                moved = False
            if not moved:
                self.catalog.remove_avu(path, kind, avu.name, avu.value, avu.units)
                continue
            results = self.after(source, path)
            if not results and self.catalog.stat(source) is not None:
                self.catalog.remove_avu(path, kind, avu.name, avu.value, avu.units)
                continue
            if any(a.value == source for a in self.catalog.avus(path, kind, RENAMED_AVU)):
                failed += 1
            else:
                done += 1
        return done, failed
