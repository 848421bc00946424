"""Turning b2safe errors into what PREP understands, and server errors into b2safe errors.

PREP formats an escaping exception's traceback and takes the *first* ``[iRods__Error__Code:N]`` in
that text as the rule's error code (-1 if none). Chained exceptions print their cause first, so the
boundary raises ``from None`` with our code in the message: the code the client sees is ours.
"""

from __future__ import annotations

import logging
from typing import NoReturn

from b2safe.errors import SYS_INTERNAL_ERR, B2SafeError, irods_error_text

logger = logging.getLogger("b2safe.prep")


def raise_for_prep(rule: str, exc: BaseException) -> NoReturn:
    """Log ``exc`` once and raise the RuntimeError PREP maps to an iRODS error code.

    A :class:`B2SafeError` keeps its code and message (one log line). Anything else is a bug: its
    traceback goes to the log and the client gets SYS_INTERNAL_ERR with a pointer to the log.
    """
    if isinstance(exc, B2SafeError):
        code, message = exc.code, f"{rule}: {exc.message}"
        logger.error("%s failed [%d]: %s", rule, code, exc.message)
    else:
        code = SYS_INTERNAL_ERR
        message = f"{rule}: internal error ({type(exc).__name__}); see the server log"
        logger.error("%s failed with an unexpected error", rule, exc_info=exc)
    raise RuntimeError(irods_error_text(code, message)) from None
