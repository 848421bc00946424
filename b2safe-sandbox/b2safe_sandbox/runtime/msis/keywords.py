"""The keyword strings (msKeyValStr) of the data-object and collection microservices.

A microservice parses ``key=value++++key2=++++...`` into the request's ``condInput`` and accepts
only the keywords it names (its ``validKwFlags``): any other keyword is USER_BAD_KEYWORD_ERR, and
a value without ``key=`` is given the microservice's hint keyword (irods
lib/core/src/msParam.cpp@5.0.2 L1336-1466 parseMsKeyValStrForDataObjInp / chkDataObjInpKw, L1469-
1546 the same for collections; the keyword names are lib/core/src/rcGlobal.cpp L136-180 and
lib/core/include/irods/rodsKeyWdDef.h). The accepted sets below are the ``validKwFlags`` of
server/re/src/reDataObjOpr.cpp@5.0.2 for each microservice; 4.3.4 also accepts the RBUDP and
``backupRescName`` keywords in msiDataObjRepl, msiCollRepl and ``filePath`` in msiDataObjCopy /
msiDataObjPut, which the sandbox ignores.
"""

from __future__ import annotations

from typing import Iterable, Optional

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import IrodsCallError

USER_BAD_KEYWORD_ERR = CODES["USER_BAD_KEYWORD_ERR"]
NO_KEY_WD_IN_MS_INP_STR = CODES["NO_KEY_WD_IN_MS_INP_STR"]

#: ``hintForMissingKw`` KEY_WORD_KW: a bare word is itself the keyword (msiDataObjChksum).
KEY_WORD = "keyWord"

#: Keywords each microservice accepts: the ``validKwFlags =`` statements of
#: server/re/src/reDataObjOpr.cpp@5.0.2 (msiDataObjCreate L125, msiDataObjOpen L233,
#: msiDataObjUnlink L851, msiDataObjRepl L989, msiDataObjCopy L1164, msiDataObjPut L1310,
#: msiDataObjGet L1451, msiDataObjChksum L1587, msiRmColl L2116, msiCollRepl L2928).
VALID = {
    "msiDataObjCreate": {"destRescName", "createMode", "dataType", "forceFlag", "dataSize",
                         "objPath"},
    "msiDataObjOpen": {"objPath", "rescName", "openFlags", "replNum"},
    "msiDataObjUnlink": {"objPath", "forceFlag", "irodsRmTrash", "irodsAdminRmTrash", "unreg"},
    "msiDataObjRepl": {"objPath", "destRescName", "numThreads", "rescName", "updateRepl",
                       "replNum", "all", "irodsAdmin", "verifyChksum", "forceChksum"},
    "msiDataObjCopy": {"objPath", "destRescName", "dataType", "verifyChksum", "forceFlag",
                       "numThreads"},
    "msiDataObjPut": {"localPath", "destRescName", "replNum", "dataType", "verifyChksum", "all",
                      "forceFlag", "numThreads", "objPath"},
    "msiDataObjGet": {"localPath", "forceFlag", "numThreads", "rescName", "replNum",
                      "verifyChksum", "objPath"},
    "msiDataObjChksum": {"ChksumAll", "forceChksum", "replNum", "objPath", "verifyChksum",
                         "irodsAdmin"},
    "msiRmColl": {"irodsRmTrash", "irodsAdminRmTrash", "forceFlag", "collName"},
    "msiCollRepl": {"collName", "destRescName", "rescName", "updateRepl", "replNum", "all",
                    "irodsAdmin", "verifyChksum", "forceChksum"},
    # reDataObjOpr.cpp L3330-3331: OBJ_PATH, DATA_SIZE, REPL_NUM, RESC_NAME, DEF_RESC_NAME,
    # ADMIN.
    "msi_replica_truncate": {"objPath", "dataSize", "replNum", "rescName", "defRescName",
                             "irodsAdmin"},
}


def parse(text: object, accepted: Iterable[str], hint: Optional[str]) -> dict[str, str]:
    """The keywords of ``text`` (``'null'`` and ``''`` give {}); a bare value goes to ``hint``
    (with KEY_WORD it is the keyword itself).

    Raises:
        IrodsCallError: USER_BAD_KEYWORD_ERR for a keyword not in ``accepted``;
            NO_KEY_WD_IN_MS_INP_STR for a bare value without a hint.
    """
    allowed = set(accepted)
    result: dict[str, str] = {}
    source = "" if text is None else str(text)
    if source in ("", "null"):
        return result
    for part in source.split("++++"):
        if not part:
            continue
        if "=" in part:
            key, value = part.split("=", 1)
        elif hint is None:
            raise IrodsCallError(f"no keyword for {part!r}", code=NO_KEY_WD_IN_MS_INP_STR)
        elif hint == KEY_WORD:
            key, value = part, ""
        else:
            key, value = hint, part
        if key not in allowed:
            raise IrodsCallError(f"keyword {key!r} is not accepted here",
                                 code=USER_BAD_KEYWORD_ERR)
        result[key] = value
    return result


def for_msi(name: str, text: object, hint: Optional[str]) -> dict[str, str]:
    """:func:`parse` with the keywords microservice ``name`` accepts."""
    return parse(text, VALID[name], hint)


def open_flags(value: str) -> dict[str, bool]:
    """The ``openFlags`` keyword as msParam.cpp reads it (substring tests, L1394-1409):
    write access for O_RDWR or O_WRONLY (write-only: O_WRONLY without O_RDWR), and the
    O_CREAT / O_TRUNC bits."""
    return {"write": "O_RDWR" in value or "O_WRONLY" in value, "create": "O_CREAT" in value,
            "trunc": "O_TRUNC" in value,
            "write_only": "O_WRONLY" in value and "O_RDWR" not in value}
