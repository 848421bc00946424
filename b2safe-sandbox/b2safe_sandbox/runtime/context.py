"""Execution context of one rule / microservice call inside a sandbox zone.

The context says which zone's server is executing, on behalf of which client (and proxy) user,
in which situation (irule, API PEP, static PEP, delay server, ...), where ``writeLine('stdout')``
goes, and what the ``rei`` describes (prep-runtime.md §4).
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Any, Optional

PYTHON_INSTANCE = "irods_rule_engine_plugin-python-instance"
NREP_INSTANCE = "irods_rule_engine_plugin-irods_rule_language-instance"

#: Context kinds, which decide how the rei is filled (prep-runtime.md §4).
KINDS = ("irule", "api_pep", "static_pep", "resource_pep", "delay", "rule", "remote")


@dataclass
class ExecContext:
    """Who runs what where.

    Attributes:
        sandbox: the Sandbox.
        zone: name of the zone whose server executes (whose core.py is consulted).
        client_user: 'name#zone' of the client user (rei.uoic / rsComm.clientUser).
        proxy_user: 'name#zone' of the proxy user (rei.uoip).
        kind: one of KINDS.
        stdout: ruleExecOut buffer of the current irule (None outside irule).
        stderr: the irule's stderr buffer (``writeLine('stderr')``; None outside irule).
        doi_path / doi_repl: the data object (and replica) a static PEP describes (rei.doi).
        doinp_path: the path of rei.doinp (static data PEPs).
        rei_doi: False for a static PEP whose rei.doi the server leaves NULL although a path
            is known (acSetRescSchemeForCreate: initReiWithDataObjInp only).
        doinp_fields: other fields of rei.doinp (acSetNumThreads: numThreads, dataSize,
            oprType on an otherwise empty doinp).
        cond_resc: the resource hierarchy whose properties fill rei.condInputData (see
            :mod:`b2safe_sandbox.runtime.rescprops`); "" for an empty list, None to take the
            doi's hierarchy (apply_static_post_pep) or, without a doi, no list.
        other_user: (name, zone, type) of rei.uoio, the user an administrative PEP is about
            (rsGeneralAdmin.cpp@5.0.2 L983-988: acPreProcForModifyUserGroup); None (NULL) in
            every other context, irule's included (rsExecMyRule.cpp L69-74).
        thread_id: the thread that runs the rule (callbacks from other threads are refused).
        rei: the RuleExecInfo built for this context (lazily).
        statements: the agent's open GenQuery statements by continueInx, shared by every
            context derived from this one (the server keeps them in the agent's catalog
            connection, ``icss->stmtPtr``, and frees them when the agent ends; see
            runtime/msis/query.py).
    """

    sandbox: Any
    zone: str
    client_user: str
    proxy_user: str = ""
    kind: str = "rule"
    stdout: Optional[list] = None
    stderr: Optional[list] = None
    doi_path: Optional[str] = None
    doi_repl: Optional[int] = None
    doinp_path: Optional[str] = None
    rei_doi: bool = True
    doinp_fields: Optional[dict] = None
    cond_resc: Optional[str] = None
    instance_name: str = PYTHON_INSTANCE
    other_user: Optional[tuple] = None
    thread_id: int = field(default_factory=threading.get_ident)
    rei: Any = None
    statements: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.proxy_user:
            self.proxy_user = self.client_user

    def derive(self, **changes: Any) -> ExecContext:
        """A copy with ``changes``, running on the current thread, with a fresh rei."""
        changes.setdefault("thread_id", threading.get_ident())
        changes.setdefault("rei", None)
        return dataclasses.replace(self, **changes)

    @property
    def user_name(self) -> str:
        """Client user name without the zone."""
        return self.client_user.split("#", 1)[0]

    @property
    def user_zone(self) -> str:
        """Client user's home zone."""
        return self.client_user.split("#", 1)[1] if "#" in self.client_user else self.zone


@dataclass
class MsiCall:
    """One microservice invocation: its name, raw arguments and context."""

    name: str
    args: list
    ctx: ExecContext

    @property
    def sandbox(self) -> Any:
        """The Sandbox."""
        return self.ctx.sandbox

    @property
    def actor(self) -> str:
        """The client user 'name#zone' whose permissions apply."""
        return self.ctx.client_user

    def arg(self, index: int) -> Any:
        """Argument ``index`` as given."""
        return self.args[index]

    def text(self, index: int) -> str:
        """Argument ``index`` as a string (ints are formatted)."""
        value = self.args[index]
        return value if isinstance(value, str) else str(value)
