"""irods_errors: the whole rodsErrorTable.h + irods_state_table.h name table."""

from __future__ import annotations

from b2safe_sandbox.runtime import irods_errors as ie

# A sample checked by hand against irods/irods lib/core/include/irods/rodsErrorTable.h (main).
SAMPLE = {
    "SYS_SOCK_OPEN_ERR": -1000,
    "SYS_SOCK_LISTEN_ERR": -1100,
    "SYS_NO_API_PRIV": -13000,
    "SYS_NOT_SUPPORTED": -66000,
    "SYS_RESC_DOES_NOT_EXIST": -78000,
    "SYS_INVALID_INPUT_PARAM": -130000,
    "SYS_SOCK_CONNECT_ERR": -162000,
    "SYS_NO_GOOD_REPLICA": -166000,
    "SYS_NOT_ALLOWED": -169000,
    "USER_SOCK_CONNECT_ERR": -305000,
    "USER_FILE_DOES_NOT_EXIST": -310000,
    "OVERWRITE_WITHOUT_FORCE_FLAG": -312000,
    "UNMATCHED_KEY_OR_INDEX": -313000,
    "USER_CHKSUM_MISMATCH": -314000,
    "USER_PARAM_TYPE_ERR": -323000,
    "USER_RSYNC_NO_MODE_INPUT_ERR": -337000,
    "NO_LOCAL_FILE_RSYNC_IN_MSI": -356000,
    "USER_INCOMPATIBLE_PARAMS": -402000,
    "CHECK_VERIFICATION_RESULTS": -407000,
    "END_OF_RESULTSET": -408000,
    "CAT_SQL_ERR": -806000,
    "CAT_NO_ROWS_FOUND": -808000,
    "CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME": -809000,
    "CAT_UNKNOWN_COLLECTION": -814000,
    "CAT_UNKNOWN_FILE": -817000,
    "CAT_NO_ACCESS_PERMISSION": -818000,
    "CAT_SUCCESS_BUT_WITH_NO_INFO": -819000,
    "CAT_COLLECTION_NOT_EMPTY": -821000,
    "CAT_INSUFFICIENT_PRIVILEGE_LEVEL": -830000,
    "CAT_NAME_EXISTS_AS_COLLECTION": -833000,
    "CAT_NAME_EXISTS_AS_DATAOBJ": -834000,
    "REMOTE_SERVER_AUTHENTICATION_FAILURE": -910000,
    "ACTION_ARG_COUNT_MISMATCH": -1021000,
    "INPUT_ARG_NOT_WELL_FORMED_ERR": -1084000,
    "ACTION_FAILED_ERR": -1090000,
    "NO_MICROSERVICE_FOUND_ERR": -1102000,
    "INVALID_REGEXP": -1103000,
    "INVALID_OBJECT_TYPE": -1105000,
    "NO_COLUMN_NAME_FOUND": -1107000,
    "RE_TYPE_ERROR": -1230000,
    "INVALID_ANY_CAST": -1822000,
    "RULE_ENGINE_ERROR": -1828000,
    "SYS_NO_HANDLER_REPLY_MSG": -99999999,
    "RULE_ENGINE_CONTINUE": 5000000,
    "RULE_ENGINE_SKIP_OPERATION": 5001000,
}


def test_sample_names_and_numbers() -> None:
    for name, code in SAMPLE.items():
        assert getattr(ie, name) == code, name


def test_table_is_complete_and_consistent() -> None:
    table = ie._all_codes()
    assert len(table) == 700
    assert len(set(table.values())) == len(table)
    for name, code in table.items():
        assert getattr(ie, name) == code
        assert isinstance(code, int)


def test_star_import_gives_only_public_names() -> None:
    namespace: dict = {}
    exec("from b2safe_sandbox.runtime.irods_errors import *", namespace)  # noqa: S102
    assert namespace["CAT_NO_ROWS_FOUND"] == -808000
    assert "_all_codes" not in namespace


def test_name_of_drops_errno_part() -> None:
    assert ie._name_of(-818013) == "CAT_NO_ACCESS_PERMISSION"
    assert ie._name_of(-808000) == "CAT_NO_ROWS_FOUND"
    assert ie._name_of(5000000) == "RULE_ENGINE_CONTINUE"
    assert ie._name_of(-123456789) is None


def test_star_import_has_no_helper_names() -> None:
    namespace: dict = {}
    exec("from b2safe_sandbox.runtime.irods_errors import *", namespace)  # noqa: S102
    names = {n for n in namespace if n != "__builtins__"}
    assert names == set(ie._all_codes())
