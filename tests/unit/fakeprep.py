"""A minimal stand-in for PREP's callback and rei, for unit tests of the boundary only.

It records ``writeLine`` calls; it is not a model of iRODS (the sandbox is). Workflow tests run the
real rules in the sandbox instead.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace


class RecordingCallback:
    """Records writeLine('serverLog'|'stdout', text); fails if called from another thread."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self.thread = threading.get_ident()

    def writeLine(self, target: str, text: str) -> dict:
        if threading.get_ident() != self.thread:
            raise RuntimeError("callback used from a worker thread")
        self.lines.append((target, text))
        return {"arguments": [target, text], "code": 0, "status": True}

    def out(self, target: str) -> list[str]:
        return [text for t, text in self.lines if t == target]


def make_rei(name: str = "rods", zone: str = "tempZone", user_type: str = "rodsadmin",
             auth_flag: int = 5) -> SimpleNamespace:
    user = SimpleNamespace(userName=name, rodsZone=zone, userType=user_type,
                           authInfo=SimpleNamespace(authFlag=auth_flag))
    return SimpleNamespace(uoic=user, rsComm=SimpleNamespace(clientUser=user))
