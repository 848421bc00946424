"""Emulation of PREP's built-in ``irods_errors`` module.

PREP fills ``irods_errors`` from iRODS's ``rodsErrorTable.h`` and ``irods_state_table.h``: every
name becomes a module-level ``int``. This module does the same from the emulator's table
(:mod:`b2safe_sandbox.error_codes`). The sandbox runtime registers it as
``sys.modules['irods_errors']`` while a rule runs; a zone emulating 4.3 gets the module
:func:`_for_version` builds from 4.3.5's table instead.

Besides the constants it offers two helpers that are *not* in PREP's module (underscored so that
``from irods_errors import *`` behaves like on a server): :func:`_name_of` and :func:`_all_codes`.
"""

from __future__ import annotations

import types
from typing import Dict, Optional

from b2safe_sandbox.error_codes import (
    CODES,
    CODES_BY_VERSION,
    SYS_RSYNC_TARGET_MODIFIED,
    name_of,
)

globals().update(CODES)

#: ``from irods_errors import *`` gives exactly the table's names, as PREP's module.
__all__ = list(CODES)

# Static names for the constants the sandbox itself uses (also set by the update above; listed so
# that linters and readers see them).
RULE_ENGINE_CONTINUE: int = CODES["RULE_ENGINE_CONTINUE"]
RULE_ENGINE_SKIP_OPERATION: int = CODES["RULE_ENGINE_SKIP_OPERATION"]
RULE_ENGINE_ERROR: int = CODES["RULE_ENGINE_ERROR"]
CAT_NO_ROWS_FOUND: int = CODES["CAT_NO_ROWS_FOUND"]

#: Not in PREP's module (see :data:`b2safe_sandbox.error_codes.SYS_RSYNC_TARGET_MODIFIED`).
_SYS_RSYNC_TARGET_MODIFIED = SYS_RSYNC_TARGET_MODIFIED


def _name_of(code: int) -> Optional[str]:
    """The table name of ``code`` (errno part dropped if needed), or None."""
    return name_of(code)


def _all_codes() -> Dict[str, int]:
    """A copy of the whole name -> code table."""
    return dict(CODES)


_BY_VERSION: Dict[str, types.ModuleType] = {}


def _for_version(version: str) -> types.ModuleType:
    """The ``irods_errors`` module a zone emulating ``version`` ('4.3' or '5.0') offers rules.

    A module named ``irods_errors`` holding exactly that version's names
    (:data:`b2safe_sandbox.error_codes.CODES_BY_VERSION`: 4.3.5's or 5.0.2's table) plus this
    module's underscored helpers, built once per version.
    """
    if version not in CODES_BY_VERSION:
        version = "5.0"
    module = _BY_VERSION.get(version)
    if module is None:
        table = CODES_BY_VERSION[version]
        module = types.ModuleType("irods_errors", __doc__)
        module.__dict__.update(table)
        module.__dict__.update(__all__=list(table), _name_of=_name_of,
                               _all_codes=lambda: dict(table),
                               _SYS_RSYNC_TARGET_MODIFIED=SYS_RSYNC_TARGET_MODIFIED)
        _BY_VERSION[version] = module
    return module
