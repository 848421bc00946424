"""iRODS error objects as PREP shows them to Python: codes, names and error-stack text.

A failed callback raises ``RuntimeError("[iRods__Error__Code:N] <stack>")`` where ``<stack>`` is
iRODS's error stack (``irods::error::result()``): one ``[-]\\t<file>:<line>:<function> : status
[NAME] errno [] -- message [...]`` line per frame, followed by blank lines (prep-runtime.md §2.3).
"""

from __future__ import annotations

import re
from typing import Optional

from b2safe_sandbox.errors import error_name

_TAG = "[iRods__Error__" + "Code:"
_CODE_IN_TEXT = re.compile(re.escape(_TAG) + r"(-?\d+)\]")


def error_stack(code: int, message: str, function: str = "exec_microservice_adapter") -> str:
    """An error-stack text like ``irods::error::result()`` for ``code`` and ``message``."""
    name = error_name(code)
    return (
        f"[-]\tsandbox.cpp:1:{function} :  status [{name}]  errno [] -- "
        f"message [{message}]\n\n"
    )


def runtime_error(code: int, message: str,
                  function: str = "exec_microservice_adapter") -> RuntimeError:
    """The RuntimeError PREP raises in Python for a failed callback."""
    return RuntimeError(f"{_TAG}{int(code)}] {error_stack(code, message, function)}")


def bad_any_cast() -> RuntimeError:
    """The error a non-STR output written to a Python ``str`` placeholder produces (§2.2)."""
    return RuntimeError("boost::bad_any_cast: failed conversion using boost::any_cast")


def code_in(text: str) -> Optional[int]:
    """The first ``[iRods__Error__Code:N]`` number in ``text``, or None.

    PREP's ``exec_rule`` reports a rule's Python exception with the first such tag in the
    traceback text (prep-runtime.md §1.2); rule code writes the tag into its RuntimeError.
    """
    match = _CODE_IN_TEXT.search(text)
    return int(match.group(1)) if match else None
