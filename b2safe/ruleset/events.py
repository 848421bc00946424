"""Event handlers (PEPs) that keep PID records in step with the catalog.

``acPostProcForObjRename(src, dst)`` fires after any rename or move, by a client (``imv``) or by
a microservice, for data objects and collections. When ``pid.update_url_on_rename`` is on, the PID
of the moved path (and, for a collection, of everything below it that has one) is pointed at the
new location. A PEP never fails the user's operation: problems are logged.
"""

from __future__ import annotations

import logging

from b2safe.domain import paths
from b2safe.prep import RuleContext, pep
from b2safe.ruleset._wiring import pid_workflow

logger = logging.getLogger("b2safe.events")


@pep("acPostProcForObjRename")
def on_rename(ctx: RuleContext, rule_args: list) -> None:
    """Update PID URLs after ``src`` was renamed to ``dst`` (rule_args: src, dst)."""
    if len(rule_args) < 2 or not ctx.config.pid.update_url_on_rename:
        return
    source, destination = str(rule_args[0]), str(rule_args[1])
    workflow = pid_workflow(ctx)
    info = workflow.catalog.stat(destination) \
        if paths.zone_of(destination) == workflow.catalog.zone else None
    if info is None:
        return
    for path, pid, error in workflow.repoint_tree(info, keep_going=True):
        if error is None:
            logger.info("PID %s now points at %s (moved from %s)", pid, path, source)
        else:
            logger.error("PID %s of %s still points at the old location: %s", pid, path, error)
