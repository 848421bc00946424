"""Event handlers (PEPs) that keep PID records in step with the catalog.

``acPostProcForObjRename(src, dst)`` fires after any rename or move, by a client (``imv``) or by
a microservice, for data objects and collections. When ``pid.update_url_on_rename`` is on, the PID
of the moved path (and, for a collection, of everything below it that has one) is pointed at the
new location. A data object moved into a policy collection from outside it counts as an upload
there when the policy's ``on_move`` is on (:func:`b2safe.ruleset.ingest.ingest_moved`). A PEP
never fails the user's operation: problems are logged. The arguments are claims (any user may call
the PEP as a rule): nothing is repointed while the old path exists, and a record is repointed only
when its URL names the old path. ``acPreProcForObjRename`` keeps the repointing pending on the
object first, so a crash between the rename and the post-PEP is recovered by
``EUDATPolicyPending`` (:mod:`b2safe.workflows.renames`).
"""

from __future__ import annotations

import logging

from b2safe.prep import RuleContext, pep
from b2safe.prep.pepargs import RenameArgs
from b2safe.ruleset._wiring import renames
from b2safe.ruleset.ingest import ingest_moved

logger = logging.getLogger("b2safe.events")


@pep("acPreProcForObjRename", args=RenameArgs)
def before_rename(ctx: RuleContext, rename: RenameArgs) -> None:
    """Before ``src`` is renamed to ``dst`` (rule_args: src, dst): keep the repointing pending
    on the object (``eudat_pending:renamed``, it travels with it) so that an agent dying after
    the rename leaves it to ``EUDATPolicyPending``. Never refuses the rename."""
    if rename.source and ctx.config.pid.update_url_on_rename:
        renames(ctx).before(rename.source)


@pep("acPostProcForObjRename", args=RenameArgs)
def on_rename(ctx: RuleContext, rename: RenameArgs) -> None:
    """Update PID URLs after ``src`` was renamed to ``dst`` (rule_args: src, dst); then apply
    the upload policies to what moved into a policy collection (``on_move``)."""
    if not rename.source:
        return
    source, destination = rename.source, rename.destination
    if ctx.config.pid.update_url_on_rename:
        for path, pid, error in renames(ctx).after(source, destination):
            if error is None:
                logger.info("PID %s now points at %s (moved from %s)", pid, path, source)
            else:
                logger.error("PID %s of %s still points at the old location: %s", pid, path,
                             error)
    if ctx.config.policies:
        ingest_moved(ctx, source, destination)
