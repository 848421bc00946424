"""Firing policy enforcement points (PEPs) in a zone's core.py (prep-runtime.md §1.1, §5).

A PEP name is offered to PREP only if it matches a registered regex: PREP's defaults
``ac[^ ]*`` and ``[^ ]*pep_[^ ]*_(pre|post)``, plus the NREP's ``..._(pre|post|except|finally)``
when the NREP is loaded (the regex registry is the union over all REPs). Every PEP offered is
recorded in ``sandbox.events`` (``ran`` says whether core.py had a rule of that name).
"""

from __future__ import annotations

import re
from typing import Any, Optional

from b2safe_sandbox.errors import IrodsCallError
from b2safe_sandbox.runtime import engine
from b2safe_sandbox.runtime.context import ExecContext
from b2safe_sandbox.runtime.types import PepEvent, RuleOutcome

PREP_REGEXES = (r"ac[^ ]*", r"[^ ]*pep_[^ ]*_(pre|post)")
NREP_REGEXES = (r"[^ ]*pep_[^ ]*_(pre|post|except|finally)",)
RULE_ENGINE_CONTINUE = 5000000
RULE_ENGINE_SKIP_OPERATION = 5001000


def supported(sandbox: Any, name: str) -> bool:
    """True if ``name`` matches a registered PEP regex (full match, as boost::regex_match)."""
    patterns = PREP_REGEXES + (NREP_REGEXES if sandbox.nrep_loaded else ())
    return any(re.fullmatch(p, name) for p in patterns)


def _summary(args: list) -> list:
    out = []
    for value in args:
        if value is None or isinstance(value, (str, int, float, dict)):
            out.append(value)
        else:
            out.append(type(value).__name__)
    return out


def fire(base: ExecContext, zone: str, name: str, args: list, kind: str,
         doi_path: Optional[str] = None, doi_repl: Optional[int] = None) -> Optional[RuleOutcome]:
    """Offer PEP ``name`` with ``args`` to ``zone``'s core.py; None if no regex matches.

    The PEP runs as ``base.client_user`` with a rei filled for ``kind``.
    """
    sandbox = base.sandbox
    if not supported(sandbox, name):
        return None
    ctx = base.derive(zone=zone, kind=kind, doi_path=doi_path, doi_repl=doi_repl,
                      doinp_path=doi_path, stdout=None)
    before = _catalog_changes(sandbox)
    outcome = engine.exec_rule(ctx, name, args)
    sandbox.events.append(PepEvent(zone, name, _summary(args),
                                   outcome.code if outcome.ran else None, outcome.ran,
                                   writes=_catalog_changes(sandbox) - before))
    return outcome


def _catalog_changes(sandbox: Any) -> int:
    """Catalog rows changed so far in every zone (what a PEP wrote is the difference)."""
    return sum(sandbox.zone(name).catalog.changes() for name in sandbox.zone_names)


def fire_static(base: ExecContext, zone: str, name: str, path: Optional[str] = None,
                repl: Optional[int] = None, args: Optional[list] = None,
                propagate: bool = False) -> None:
    """Fire a static PEP (``acPostProcFor...``); errors are only logged unless ``propagate``.

    Raises:
        IrodsCallError: the PEP's error code when ``propagate`` (acPostProcForObjRename).
    """
    outcome = fire(base, zone, name, list(args or []), "static_pep", path, repl)
    if outcome is not None and outcome.code < 0:
        base.sandbox.log(zone, f"{name} failed with status {outcome.code}")
        if propagate:
            raise IrodsCallError(f"{name} failed", code=outcome.code)


def fire_resource_modified(base: ExecContext, zone: str, path: str, resc: str,
                           repl: Optional[int] = None) -> None:
    """Fire ``pep_resource_modified_post`` for a finalized replica (errors only logged)."""
    from b2safe_sandbox.runtime import tbridge

    plugin_ctx = tbridge.plugin_context(base, zone, path, resc_hier=resc, repl=repl)
    outcome = fire(base, zone, "pep_resource_modified_post", [resc, plugin_ctx, ""],
                   "resource_pep", path, repl)
    if outcome is not None and outcome.code < 0:
        # Guess: a failing resource post-PEP is logged; the data operation stands.
        base.sandbox.log(zone, f"pep_resource_modified_post failed with status {outcome.code}")
