"""The emulator's own errors: :class:`SandboxError` carrying an iRODS code, and the code names.

Every failure the emulated server reports is a :class:`SandboxError` (microservices, GenQuery,
the catalog, the client session) whose ``code`` is the iRODS error code the real server returns;
the runtime turns it into PREP's ``RuntimeError('[iRods__Error__Code:N] ...')`` for rule code
(:mod:`b2safe_sandbox.runtime.errtext`). The names and numbers are iRODS's
(:mod:`b2safe_sandbox.error_codes`, from ``rodsErrorTable.h``); this module names the ones the
emulator raises, so that emulator code reads
``from b2safe_sandbox.errors import CAT_NO_ROWS_FOUND, IrodsCallError``.

The emulator does not use the error classes of the ruleset it runs: the two only share codes.
"""

from __future__ import annotations

from typing import Optional

from b2safe_sandbox.error_codes import CODES, name_of

# The codes the emulator raises, by their rodsErrorTable.h names.
ACTION_ARG_COUNT_MISMATCH: int = CODES["ACTION_ARG_COUNT_MISMATCH"]
CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME: int = CODES["CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME"]
CAT_COLLECTION_NOT_EMPTY: int = CODES["CAT_COLLECTION_NOT_EMPTY"]
CAT_INSUFFICIENT_PRIVILEGE_LEVEL: int = CODES["CAT_INSUFFICIENT_PRIVILEGE_LEVEL"]
CAT_INVALID_ARGUMENT: int = CODES["CAT_INVALID_ARGUMENT"]
CAT_INVALID_RESOURCE: int = CODES["CAT_INVALID_RESOURCE"]
CAT_INVALID_USER: int = CODES["CAT_INVALID_USER"]
CAT_NAME_EXISTS_AS_COLLECTION: int = CODES["CAT_NAME_EXISTS_AS_COLLECTION"]
CAT_NAME_EXISTS_AS_DATAOBJ: int = CODES["CAT_NAME_EXISTS_AS_DATAOBJ"]
CAT_NO_ACCESS_PERMISSION: int = CODES["CAT_NO_ACCESS_PERMISSION"]
CAT_NO_ROWS_FOUND: int = CODES["CAT_NO_ROWS_FOUND"]
CAT_SQL_ERR: int = CODES["CAT_SQL_ERR"]
CAT_STATEMENT_TABLE_FULL: int = CODES["CAT_STATEMENT_TABLE_FULL"]
CAT_SUCCESS_BUT_WITH_NO_INFO: int = CODES["CAT_SUCCESS_BUT_WITH_NO_INFO"]
CAT_UNKNOWN_COLLECTION: int = CODES["CAT_UNKNOWN_COLLECTION"]
CAT_UNKNOWN_FILE: int = CODES["CAT_UNKNOWN_FILE"]
CHECK_VERIFICATION_RESULTS: int = CODES["CHECK_VERIFICATION_RESULTS"]
INPUT_ARG_NOT_WELL_FORMED_ERR: int = CODES["INPUT_ARG_NOT_WELL_FORMED_ERR"]
INVALID_OBJECT_TYPE: int = CODES["INVALID_OBJECT_TYPE"]
INVALID_OPERATION: int = CODES["INVALID_OPERATION"]
JSON_VALIDATION_ERROR: int = CODES["JSON_VALIDATION_ERROR"]
NO_COLUMN_NAME_FOUND: int = CODES["NO_COLUMN_NAME_FOUND"]
NO_LOCAL_FILE_RSYNC_IN_MSI: int = CODES["NO_LOCAL_FILE_RSYNC_IN_MSI"]
NO_MICROSERVICE_FOUND_ERR: int = CODES["NO_MICROSERVICE_FOUND_ERR"]
OVERWRITE_WITHOUT_FORCE_FLAG: int = CODES["OVERWRITE_WITHOUT_FORCE_FLAG"]
RULE_ENGINE_ERROR: int = CODES["RULE_ENGINE_ERROR"]
SYS_CONFIG_FILE_ERR: int = CODES["SYS_CONFIG_FILE_ERR"]
SYS_INTERNAL_ERR: int = CODES["SYS_INTERNAL_ERR"]
SYS_INVALID_INPUT_PARAM: int = CODES["SYS_INVALID_INPUT_PARAM"]
SYS_INVALID_ZONE_NAME: int = CODES["SYS_INVALID_ZONE_NAME"]
SYS_LIBRARY_ERROR: int = CODES["SYS_LIBRARY_ERROR"]
SYS_NOT_ALLOWED: int = CODES["SYS_NOT_ALLOWED"]
SYS_NOT_SUPPORTED: int = CODES["SYS_NOT_SUPPORTED"]
SYS_NO_API_PRIV: int = CODES["SYS_NO_API_PRIV"]
SYS_NO_GOOD_REPLICA: int = CODES["SYS_NO_GOOD_REPLICA"]
SYS_REPLICA_DOES_NOT_EXIST: int = CODES["SYS_REPLICA_DOES_NOT_EXIST"]
SYS_RESC_DOES_NOT_EXIST: int = CODES["SYS_RESC_DOES_NOT_EXIST"]
SYS_SOCK_CONNECT_ERR: int = CODES["SYS_SOCK_CONNECT_ERR"]
UNIX_FILE_OPEN_ERR: int = CODES["UNIX_FILE_OPEN_ERR"]
UNMATCHED_KEY_OR_INDEX: int = CODES["UNMATCHED_KEY_OR_INDEX"]
USER_CHKSUM_MISMATCH: int = CODES["USER_CHKSUM_MISMATCH"]
USER_FILE_DOES_NOT_EXIST: int = CODES["USER_FILE_DOES_NOT_EXIST"]
USER_FILE_SIZE_MISMATCH: int = CODES["USER_FILE_SIZE_MISMATCH"]
USER_INCOMPATIBLE_PARAMS: int = CODES["USER_INCOMPATIBLE_PARAMS"]
USER_INPUT_PATH_ERR: int = CODES["USER_INPUT_PATH_ERR"]
USER_PARAM_TYPE_ERR: int = CODES["USER_PARAM_TYPE_ERR"]
USER_RSYNC_NO_MODE_INPUT_ERR: int = CODES["USER_RSYNC_NO_MODE_INPUT_ERR"]


class SandboxError(Exception):
    """A failure the emulated server reports; ``code`` is the iRODS error code.

    ``message`` says what failed and where; ``str(err)`` is the message.
    """

    code: int = SYS_INTERNAL_ERR

    def __init__(self, message: str, *, code: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class IrodsCallError(SandboxError):
    """A microservice, GenQuery or API call failed; ``operation`` names it."""

    def __init__(self, message: str, *, code: Optional[int] = None, operation: str = "") -> None:
        super().__init__(message, code=code)
        self.operation = operation


def error_name(code: int) -> str:
    """The rodsErrorTable.h name of ``code`` (rounded to thousands if needed), or ''."""
    return name_of(code) or ""
