"""Every rule b2safe exposes to PREP, collected from the registry.

``core.py`` does ``from b2safe.ruleset import *``; ``__all__`` is exactly the registry, so no helper
or imported module becomes a rule by accident (PREP treats every attribute of ``core`` as one).
Modules listed in ``_RULE_MODULES`` register their rules on import.
"""

from __future__ import annotations

import importlib

from b2safe.prep.registry import REGISTRY

_RULE_MODULES = (
    "b2safe.ruleset.utility",
    "b2safe.ruleset.pid",
    "b2safe.ruleset.integrity",
    "b2safe.ruleset.events",
    "b2safe.ruleset.replication",
    "b2safe.ruleset.messaging",
    "b2safe.ruleset.policy",
    "b2safe.ruleset.ingest",
    "b2safe.ruleset.authorization",
    "b2safe.ruleset.repository",
    "b2safe.ruleset.native",
    "b2safe.ruleset.metadata_guard",
)

for _module in _RULE_MODULES:
    importlib.import_module(_module)

globals().update({_name: _spec.entry for _name, _spec in REGISTRY.items()})
__all__ = sorted(REGISTRY)
