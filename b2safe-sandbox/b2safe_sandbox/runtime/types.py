"""Values the runtime reports upward: how a piece of Python ran, and which PEPs were reached."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass
class RuleOutcome:
    """Result of running Python code: ``code`` as PREP reports it, the traceback if it raised."""

    code: int
    traceback: Optional[str] = None
    ran: bool = True
    #: ``rei.status`` after the rule: what the policy microservices set (msiNoTrashCan's
    #: NO_TRASH_CAN, msiDeleteDisallowed's SYS_DELETE_DISALLOWED ...), read by the server.
    rei_status: int = 0
    #: ``rei.rescName`` after the rule (msiSetDefaultResc's choice in acSetRescSchemeFor...).
    rei_resc_name: str = ""


@dataclass
class PepEvent:
    """A PEP invocation point reached in a zone (``ran`` = a rule of that name ran; ``writes``
    = catalog rows the rule changed, in every zone, its nested PEPs included)."""

    zone: str
    name: str
    args: list = field(default_factory=list)
    code: Optional[int] = None
    ran: bool = False
    writes: int = 0
