"""The one way b2safe calls a microservice through the PREP callback.

PREP raises ``RuntimeError('[iRods__Error__Code:N] ...')`` for most failures but returns
``{'status': False, 'code': -808000}`` for CAT_NO_ROWS_FOUND (and -819000 before iRODS 5). Both
become typed :mod:`b2safe.errors` exceptions here, so callers test ``isinstance``, never strings.
"""

from __future__ import annotations

from typing import Any

from b2safe.errors import IrodsCallError, error_for_code, from_server_error


def call_msi(callback: Any, name: str, *args: Any) -> dict[str, Any]:
    """Call microservice (or rule) ``name`` with ``args``; return PREP's result dict.

    Raises:
        B2SafeError: the most specific class for the server's code (NotFound, AccessDenied, ...),
            or IrodsCallError carrying the code and ``operation=name``.
    """
    try:
        result = getattr(callback, name)(*args)
    except RuntimeError as exc:
        raise from_server_error(exc, name) from None
    if isinstance(result, dict) and result.get("status") is False:
        code = int(result.get("code", 0) or 0)
        cls = error_for_code(code)
        message = f"{name} failed with {code}"
        if issubclass(cls, IrodsCallError):
            raise cls(message, code=code, operation=name)
        raise cls(message, code=code)
    return result


def output(result: dict[str, Any], index: int) -> Any:
    """Argument ``index`` of a microservice result (after write-back)."""
    return result["arguments"][index]
