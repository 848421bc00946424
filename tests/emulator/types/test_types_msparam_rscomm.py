"""MsParam, MsParamArray and RsComm as PREP exposes them.

Sources: irods_rule_engine_plugin_python src/types/irods/msParam.cpp@5.0.1 L60-97 (MsParam's
``type`` getter returns the label: kept), src/types/irods/rcConnect.cpp@5.0.1 L234-335 (RsComm:
``reconnAddr`` reads ``clientAddr``, ``ssl_do_accept``/``ssl_do_shutdown`` read ``ssl_on``),
rodsDef.cpp L57-65 and rcConnect.cpp L38-48, L121-130 (the enums, values exported).
"""

from __future__ import annotations

import pytest
from b2safe_sandbox.runtime import irods_types as T


def test_msparam_type_reads_the_label() -> None:
    param = T.MsParam("*x", "STR_PI")
    assert str(param.label) == "*x"
    assert str(param.type) == "*x"  # PREP's getter returns s->label
    assert not hasattr(param, "inOutStruct")


def test_msparam_array() -> None:
    array = T.MsParamArray([T.MsParam("*a", "STR_PI"), T.MsParam("*b", "INT_PI")], oprType=3)
    assert (array.len, array.oprType) == (2, 3)
    assert [str(p.label) for p in array.msParam] == ["*a", "*b"]
    assert isinstance(array.msParam, T.MsParam_pointer_array)
    with pytest.raises(AttributeError):
        array.len = 3  # type: ignore[misc]


def test_rscomm_members() -> None:
    user = T._make_user_info("alice", "zoneA")
    comm = T._make_rs_comm(user)
    for name in ("irodsProt", "sock", "connectCnt", "localAddr", "remoteAddr", "clientAddr",
                 "proxyUser", "clientUser", "myEnv", "cliVersion", "option", "procLogFlag",
                 "rError", "portalOpr", "apiInx", "status", "perfStat", "windowSize",
                 "reconnFlag", "reconnSock", "reconnPort", "reconnectedSock", "reconnAddr",
                 "cookie", "thread_ctx", "agentState", "clientState", "reconnThrState",
                 "gsiRequest", "auth_scheme", "ssl_on", "ssl_do_accept", "ssl_do_shutdown",
                 "negotiation_results", "shared_secret", "key_size", "salt_size",
                 "num_hash_rounds", "encryption_algorithm", "session_props"):
        assert hasattr(comm, name), name
    assert not hasattr(comm, "ssl_ctx") and not hasattr(comm, "ssl")
    assert str(comm.reconnAddr) == str(comm.clientAddr) == "127.0.0.1"
    assert comm.irodsProt == T.NATIVE_PROT == T.irodsProt.NATIVE_PROT
    assert comm.agentState == T.PROCESSING_STATE and comm.procLogFlag == T.PROC_LOG_NOT_DONE
    assert isinstance(comm.session_props, T.KeyValPair)
    assert str(comm.clientUser.userName) == "alice"
