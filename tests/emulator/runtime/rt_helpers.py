"""Helpers shared by the runtime tests."""

from __future__ import annotations

import re

CODE_RE = re.compile(r"\[iRods__Error__Code:(-?\d+)\]")


def code_of(exc: BaseException) -> int:
    """The embedded iRODS code of a RuntimeError raised by a callback."""
    match = CODE_RE.search(str(exc))
    assert match, f"no code in {exc!r}"
    return int(match.group(1))


#: Resource-operation and network PEPs these order tests leave out (tests/emulator/fidelity/
#: test_fidelity_resource.py checks them); fileModified's and registration's post-PEPs stay.
KEPT_RESOURCE = ("pep_resource_modified_post", "pep_resource_registered_post")


def api_and_static(names):
    """The API and static PEP names of ``names`` (and KEPT_RESOURCE)."""
    return [n for n in names if not n.startswith(("pep_resource_", "pep_network_"))
            or n in KEPT_RESOURCE]
