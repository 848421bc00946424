"""The PREP boundary: the only code that knows PREP's calling convention.

* :func:`rule` / :func:`pep` declare entry points and register them (:data:`REGISTRY`);
* :mod:`b2safe.prep.boundary` turns errors into ``[iRods__Error__Code:N]`` RuntimeErrors;
* :mod:`b2safe.prep.log` writes the ``b2safe`` logger to the server log via ``writeLine``;
* :mod:`b2safe.adapters.prep.msi` calls microservices and raises typed errors.
"""

from b2safe.prep.context import Caller, RuleContext
from b2safe.prep.convert import to_bool, to_count, to_output
from b2safe.prep.registry import REGISTRY, RuleSpec, rule_names
from b2safe.prep.rule import RULE_ENGINE_CONTINUE, pep, rule

__all__ = [
    "REGISTRY",
    "RULE_ENGINE_CONTINUE",
    "Caller",
    "RuleContext",
    "RuleSpec",
    "pep",
    "rule",
    "rule_names",
    "to_bool",
    "to_count",
    "to_output",
]
