"""iRODS error objects as PREP shows them to Python: codes, names and error-stack text.

A failed callback raises ``RuntimeError("[iRods__Error__Code:N] <stack>")`` where ``<stack>`` is
iRODS's error stack (``irods::error::result()``): one ``[-]\\t<file>:<line>:<function> : status
[NAME] errno [] -- message [...]`` line per frame, followed by blank lines (prep-runtime.md §2.3).
"""

from __future__ import annotations

from typing import Optional

from b2safe import errors as E

_TAG = "[iRods__Error__" + "Code:"

_NAMES: Optional[dict[int, str]] = None


def _name_table() -> dict[int, str]:
    """Map code -> symbolic name from irods_errors (S2b) if present, else from b2safe.errors."""
    global _NAMES
    if _NAMES is None:
        table: dict[int, str] = {}
        for name in dir(E):
            value = getattr(E, name)
            if name.isupper() and isinstance(value, int) and value < 0:
                table.setdefault(value, name)
        try:
            from b2safe_sandbox.runtime import irods_errors as ie

            for name in dir(ie):
                value = getattr(ie, name)
                if name.isupper() and isinstance(value, int) and not isinstance(value, bool):
                    table.setdefault(value, name)
        except ImportError:  # pragma: no cover - S2b module not there yet
            pass
        _NAMES = table
    return _NAMES


def error_name(code: int) -> str:
    """The symbolic name of ``code`` (rounded to thousands for errno-carrying codes), or ''."""
    table = _name_table()
    if code in table:
        return table[code]
    if code < 0:
        base = -((-code // 1000) * 1000)
        return table.get(base, "")
    return ""


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
    """The first ``[iRods__Error__Code:N]`` number in ``text``, or None."""
    return E.code_from_text(text)
