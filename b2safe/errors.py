"""One exception tree for b2safe; every class carries the iRODS error code it maps to.

::

    B2SafeError                      SYS_INTERNAL_ERR            -154000
    +-- ConfigError                  SYS_CONFIG_FILE_ERR          -25000
    +-- InvalidInput                 SYS_INVALID_INPUT_PARAM     -130000
    |   +-- InvalidPath              USER_INPUT_PATH_ERR         -317000
    |   +-- InvalidPid               SYS_INVALID_INPUT_PARAM     -130000
    |   +-- UnknownZone              SYS_INVALID_ZONE_NAME        -26000
    +-- NotFound                     USER_FILE_DOES_NOT_EXIST    -310000
    +-- AccessDenied                 CAT_NO_ACCESS_PERMISSION    -818000
    |   +-- AdminRequired            CAT_INSUFFICIENT_PRIVILEGE_LEVEL -830000
    +-- IntegrityError               USER_CHKSUM_MISMATCH        -314000
    |   +-- SizeMismatch             USER_FILE_SIZE_MISMATCH     -401000
    +-- IrodsCallError               the code the server returned (msi / GenQuery failure)
    +-- ReplicationFailed            the failing step's code; SYS_INTERNAL_ERR -154000 for PIDs
    |   +-- ZoneUnreachable          SYS_SOCK_CONNECT_ERR        -162000
    +-- PidError                     SYS_INTERNAL_ERR            -154000
        +-- PidNotFound              USER_FILE_DOES_NOT_EXIST    -310000
        +-- PidConflict              CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME -809000
        +-- PidAuthError             REMOTE_SERVER_AUTHENTICATION_FAILURE  -910000
        +-- PidServiceUnavailable    SYS_SOCK_CONNECT_ERR        -162000

``error_for_code(code)`` gives the most specific class for a server code (as python-irodsclient's
``get_exception_by_code`` does), so callers test ``isinstance``, never substrings of messages.
At the PREP boundary (:mod:`b2safe.prep.boundary`) an error becomes
``RuntimeError("[iRods__Error__Code:N] message") from None``.
"""

from __future__ import annotations

import re
from typing import Any, Optional, Sequence

# iRODS error codes used by b2safe (values from iRODS rodsErrorTable.h / irods_state_table.h).
SYS_CONFIG_FILE_ERR = -25000
SYS_INVALID_ZONE_NAME = -26000
SYS_NO_API_PRIV = -13000
SYS_NOT_SUPPORTED = -66000
SYS_RESC_DOES_NOT_EXIST = -78000
SYS_INVALID_INPUT_PARAM = -130000
SYS_INTERNAL_ERR = -154000
SYS_REPLICA_DOES_NOT_EXIST = -164000
SYS_NO_GOOD_REPLICA = -166000
SYS_NOT_ALLOWED = -169000
SYS_SOCK_CONNECT_ERR = -162000
USER_FILE_DOES_NOT_EXIST = -310000
OVERWRITE_WITHOUT_FORCE_FLAG = -312000
UNMATCHED_KEY_OR_INDEX = -313000
USER_CHKSUM_MISMATCH = -314000
USER__NULL_INPUT_ERR = -316000
USER_INPUT_PATH_ERR = -317000
USER_PARAM_TYPE_ERR = -323000
USER_RSYNC_NO_MODE_INPUT_ERR = -337000
NO_LOCAL_FILE_RSYNC_IN_MSI = -356000
USER_FILE_SIZE_MISMATCH = -401000
USER_INCOMPATIBLE_PARAMS = -402000
CHECK_VERIFICATION_RESULTS = -407000
END_OF_RESULTSET = -408000
UNIX_FILE_OPEN_ERR = -510000
CAT_SQL_ERR = -806000
CAT_NO_ROWS_FOUND = -808000
CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME = -809000
CAT_UNKNOWN_COLLECTION = -814000
CAT_INVALID_ARGUMENT = -816000
CAT_UNKNOWN_FILE = -817000
CAT_NO_ACCESS_PERMISSION = -818000
CAT_SUCCESS_BUT_WITH_NO_INFO = -819000
CAT_COLLECTION_NOT_EMPTY = -821000
CAT_INVALID_USER = -827000
CAT_INSUFFICIENT_PRIVILEGE_LEVEL = -830000
CAT_INVALID_RESOURCE = -831000
CAT_NAME_EXISTS_AS_COLLECTION = -833000
CAT_NAME_EXISTS_AS_DATAOBJ = -834000
REMOTE_SERVER_AUTHENTICATION_FAILURE = -910000
ACTION_ARG_COUNT_MISMATCH = -1021000
INPUT_ARG_NOT_WELL_FORMED_ERR = -1084000
ACTION_FAILED_ERR = -1090000
NO_MICROSERVICE_FOUND_ERR = -1102000
NO_COLUMN_NAME_FOUND = -1107000
INVALID_OBJECT_TYPE = -1105000
RULE_ENGINE_ERROR = -1828000

#: ``[iRods__Error__Code:N]`` as PREP embeds it in RuntimeError messages.
ERROR_CODE_PATTERN = re.compile(r"\[iRods__Error__Code:(-?\d+)\]")


class B2SafeError(Exception):
    """Base of every b2safe error. ``code`` is the iRODS error code reported to the client."""

    code: int = SYS_INTERNAL_ERR

    def __init__(self, message: str, *, code: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class ConfigError(B2SafeError):
    """The b2safe configuration file is missing, unreadable or invalid."""

    code = SYS_CONFIG_FILE_ERR


class InvalidInput(B2SafeError):
    """An argument given by the caller is malformed; nothing was changed."""

    code = SYS_INVALID_INPUT_PARAM


class InvalidPath(InvalidInput):
    """A path argument is not an absolute, well-formed iRODS path."""

    code = USER_INPUT_PATH_ERR


class InvalidPid(InvalidInput):
    """A PID argument is empty or not of the form ``prefix/suffix``."""


class UnknownZone(InvalidInput):
    """A path or name refers to a zone this server does not know."""

    code = SYS_INVALID_ZONE_NAME


class UnknownResource(InvalidInput):
    """A storage resource named by the caller does not exist in the zone."""

    code = SYS_RESC_DOES_NOT_EXIST


class DestinationTaken(InvalidInput):
    """A replication's destination holds registered data that is not a replica of its source."""

    code = OVERWRITE_WITHOUT_FORCE_FLAG


class NotFound(B2SafeError):
    """A data object or collection does not exist (or is not visible to the caller)."""

    code = USER_FILE_DOES_NOT_EXIST


class AccessDenied(B2SafeError):
    """The caller may not do this (ownership, ACL or authorization map)."""

    code = CAT_NO_ACCESS_PERMISSION


class AdminRequired(AccessDenied):
    """Only a rodsadmin may call this."""

    code = CAT_INSUFFICIENT_PRIVILEGE_LEVEL


class IntegrityError(B2SafeError):
    """Two witnesses of the same content disagree (checksums)."""

    code = USER_CHKSUM_MISMATCH


class SizeMismatch(IntegrityError):
    """Source and replica sizes differ."""

    code = USER_FILE_SIZE_MISMATCH


class IrodsCallError(B2SafeError):
    """A microservice or GenQuery call failed; ``code`` is the server's code.

    ``operation`` names the microservice (or query) that failed.
    """

    def __init__(self, message: str, *, code: Optional[int] = None, operation: str = "") -> None:
        super().__init__(message, code=code)
        self.operation = operation


class ReplicationFailed(B2SafeError):
    """Some part of a replication failed; ``failures``
    (:class:`b2safe.workflows.replication.Failure` values) say which, and the work stays in the
    fail log. ``code`` is the failing step's (a copy refused by the server keeps the server's
    code); a PID step that failed is SYS_INTERNAL_ERR. The message is ``message`` when given (a
    rule's 4.x response), else the first failure (``source -> destination: cause``) and how many
    more there are."""

    code = SYS_INTERNAL_ERR
    #: How the generated rule reference states the code (it depends on the failing step).
    code_note = "the failing step's code; SYS_INTERNAL_ERR -154000 when a PID step failed"

    def __init__(self, failures: Sequence[Any], code: int,
                 message: Optional[str] = None) -> None:
        self.failures = list(failures)
        if message is None:
            more = len(self.failures) - 1
            message = "; ".join(f.describe() for f in self.failures[:1]) + \
                (f" (and {more} more)" if more > 0 else "")
        super().__init__(message, code=code)


class ZoneUnreachable(IrodsCallError):
    """A federated zone's server could not be reached."""

    code = SYS_SOCK_CONNECT_ERR


class PidError(B2SafeError):
    """A Handle (PID) service operation failed."""


class PidNotFound(PidError):
    """The PID does not exist on the Handle server."""

    code = USER_FILE_DOES_NOT_EXIST


class PidConflict(PidError):
    """A PID already exists and does not belong to this path."""

    code = CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME


class PidAuthError(PidError):
    """The Handle server refused our credentials or our write permission."""

    code = REMOTE_SERVER_AUTHENTICATION_FAILURE


class PidServiceUnavailable(PidError):
    """The Handle server could not be reached or kept failing (5xx) after retries."""

    code = SYS_SOCK_CONNECT_ERR


#: Server codes that have a more specific class than IrodsCallError.
_CLASS_BY_CODE: dict[int, type[B2SafeError]] = {
    USER_FILE_DOES_NOT_EXIST: NotFound,
    CAT_UNKNOWN_FILE: NotFound,
    CAT_UNKNOWN_COLLECTION: NotFound,
    CAT_NO_ROWS_FOUND: NotFound,
    CAT_NO_ACCESS_PERMISSION: AccessDenied,
    CAT_INSUFFICIENT_PRIVILEGE_LEVEL: AdminRequired,
    SYS_NO_API_PRIV: AdminRequired,
    USER_CHKSUM_MISMATCH: IntegrityError,
    USER_FILE_SIZE_MISMATCH: SizeMismatch,
    USER_INPUT_PATH_ERR: InvalidPath,
    SYS_INVALID_ZONE_NAME: UnknownZone,
    SYS_CONFIG_FILE_ERR: ConfigError,
}


def error_for_code(code: int) -> type[B2SafeError]:
    """Return the most specific class for an iRODS error code.

    Codes carry an errno in their last three digits (``-818013``); the lookup uses the code
    rounded to thousands, as iRODS does. Unknown codes give :class:`IrodsCallError`.
    """
    base = -((-code // 1000) * 1000) if code < 0 else code
    return _CLASS_BY_CODE.get(base, IrodsCallError)


def code_from_text(text: str) -> Optional[int]:
    """The first ``[iRods__Error__Code:N]`` in ``text``, or None."""
    match = ERROR_CODE_PATTERN.search(text)
    return int(match.group(1)) if match else None


def from_server_error(exc: BaseException, operation: str) -> B2SafeError:
    """Translate a PREP ``RuntimeError('[iRods__Error__Code:N] ...')`` into a typed error.

    The message keeps the operation name and the first line of the server's text; the full
    server error stack is not repeated.
    """
    text = str(exc)
    code = code_from_text(text)
    if code is None:
        code = SYS_INTERNAL_ERR
    first_line = ERROR_CODE_PATTERN.sub("", text).strip().splitlines()
    detail = first_line[0].strip() if first_line else ""
    message = f"{operation} failed with {code}" + (f": {detail}" if detail else "")
    cls = error_for_code(code)
    if issubclass(cls, IrodsCallError):
        return cls(message, code=code, operation=operation)
    return cls(message, code=code)


def irods_error_text(code: int, message: str) -> str:
    """The text PREP parses for a rule's error code: ``[iRods__Error__Code:N] message``."""
    return f"{_ERROR_TAG}{int(code)}] {message}"


# Built from parts so that no source line shown in a traceback contains the literal tag
# followed by something other than a number (PREP takes the first tag in the traceback text).
_ERROR_TAG = "[iRods__Error__" + "Code:"
