"""Version profiles: what a rule sees differently on a zone emulating iRODS 4.3 or 5.0.

Sources: irods/irods lib/core/include/irods/rodsErrorTable.h and irods_state_table.h at the
4.3.5 and 5.0.2 tags (PREP src/irods_errors.cpp fills ``irods_errors`` from both headers).
"""

from __future__ import annotations

import textwrap

import pytest
from b2safe_sandbox.sandbox import Sandbox

ERRORS_CORE = '''
import irods_errors

def names(rule_args, callback, rei):
    rule_args[0] = ",".join(str(hasattr(irods_errors, n)) for n in (
        "CAT_NO_ROWS_UPDATED", "DIGEST_INIT_FAILED", "ZONE_KEY_SIGNATURE_MISMATCH",
        "SYS_SIGNED_SID_NOT_MATCHED", "CAT_NO_ROWS_FOUND"))
    rule_args[1] = str(len([n for n in dir(irods_errors) if not n.startswith("_")]))
'''


@pytest.mark.parametrize(("version", "present", "count"), [
    # 4.3.5: no CAT_NO_ROWS_UPDATED/DIGEST_*/ZONE_KEY_SIGNATURE_MISMATCH (added in 5.0.0);
    # SYS_SIGNED_SID_NOT_MATCHED (rodsErrorTable.h@4.3.5 L215, removed in 5.0.0); 696 names.
    ("4.3", "False,False,False,True,True", "696"),
    # 5.0.2: 700 names.
    ("5.0", "True,True,True,False,True", "700"),
])
def test_irods_errors_per_version(tmp_path, version, present, count):
    # rodsErrorTable.h@5.0.2 L215 (ZONE_KEY_SIGNATURE_MISMATCH), L508 (CAT_NO_ROWS_UPDATED),
    # L821 (DIGEST_INIT_FAILED); rodsErrorTable.h@4.3.5 L215 (SYS_SIGNED_SID_NOT_MATCHED).
    sb = Sandbox.create(tmp_path / "sb", zones=("zoneA",), core_py=textwrap.dedent(ERRORS_CORE),
                        irods_version=version)
    result = sb.exec_rule("zoneA", "names", ["", ""], "rods#zoneA")
    assert result.code == 0
    assert result.rule_args == [present, count]
