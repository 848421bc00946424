"""Event handlers (PEPs) that keep PID records in step with the catalog.

``acPostProcForObjRename(src, dst)`` fires after any rename or move, by a client (``imv``) or by
a microservice, for data objects and collections. When ``pid.update_url_on_rename`` is on, the PID
of the moved path (and, for a collection, of everything below it that has one) is pointed at the
new location. A data object moved into a policy collection from outside it counts as an upload
there when the policy's ``on_move`` is on (:func:`b2safe.ruleset.ingest.ingest_moved`). A PEP
never fails the user's operation: problems are logged. The arguments are claims (any user may call
the PEP as a rule): nothing is repointed while the old path exists, and a record is repointed only
when its URL names the old path.
"""

from __future__ import annotations

import logging

from b2safe.domain import paths
from b2safe.prep import RuleContext, pep
from b2safe.prep.pepargs import RenameArgs
from b2safe.ruleset._wiring import pid_workflow
from b2safe.ruleset.ingest import ingest_moved

logger = logging.getLogger("b2safe.events")


@pep("acPostProcForObjRename", args=RenameArgs)
def on_rename(ctx: RuleContext, rename: RenameArgs) -> None:
    """Update PID URLs after ``src`` was renamed to ``dst`` (rule_args: src, dst); then apply
    the upload policies to what moved into a policy collection (``on_move``)."""
    if not rename.source:
        return
    source, destination = rename.source, rename.destination
    if ctx.config.pid.update_url_on_rename:
        _update_urls(ctx, source, destination)
    if ctx.config.policies:
        ingest_moved(ctx, source, destination)


def _update_urls(ctx: RuleContext, source: str, destination: str) -> None:
    workflow = pid_workflow(ctx)
    info = workflow.catalog.stat(destination) \
        if paths.zone_of(destination) == workflow.catalog.zone else None
    if info is None:
        return
    if workflow.catalog.stat(source) is not None:
        # Called as a rule (anyone can): after a real rename the old path is gone. A record is
        # repointed only from a path that no longer exists (and only when it names that path).
        logger.error("rename of %r to %r: the old path still exists; PIDs are not repointed",
                     source[:300], destination[:300])
        return
    for path, pid, error in workflow.repoint_tree(info, source, keep_going=True):
        if error is None:
            logger.info("PID %s now points at %s (moved from %s)", pid, path, source)
        else:
            logger.error("PID %s of %s still points at the old location: %s", pid, path, error)
