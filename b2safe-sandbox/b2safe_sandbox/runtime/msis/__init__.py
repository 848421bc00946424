"""The emulated microservices; importing this package registers them all in the runtime's table.

* :mod:`.data` - data objects: create/open/read/write/close, copy, rsync, trim, unlink, ...
* :mod:`.replicas` - msiDataObjChksum and msiDataObjRepl;
* :mod:`.transfer` - lseek, put/get (through irule), phymv, msiCollRepl, msiTarFileCreate;
* :mod:`.physical` - msiPhyPathReg, msiTarFileExtract, msi_replica_truncate, msiSetReplComment;
* :mod:`.system` - msiSleep, msiFreeBuffer, time formats, byte buffers;
* :mod:`.admin` - msiSetQuota, msiDeleteUnusedAVUs;
* :mod:`.users` - user, group and collection administration (msiCreateUser, msiAddUserToGroup,
  msiCreateCollByAdmin, msiRenameCollection, ...);
* :mod:`.policy` - the policy setters PEPs call (msiNoTrashCan, msiDeleteDisallowed,
  msiSetDefaultResc, msiSetNumThreads, ...), msiCheckOwner, msiCheckPermission;
* :mod:`.server` - msiCommit/msiRollback, msiQuota, msiListEnabledMS, host access control and
  the 4.3-only microservices;
* :mod:`.testing` - the server's test microservices (print_hello, msiAW1, ...);
* :mod:`.keywords` - the keyword strings the data-object microservices accept;
* :mod:`.meta` - AVUs and object status;
* :mod:`.atomic_meta` - msi_atomic_apply_metadata_operations;
* :mod:`.query` - GenQuery1 (msiMakeGenQuery, msiExecGenQuery, ...);
* :mod:`.query_print` - msiMakeQuery, msiPrintGenQueryInp, msiPrintGenQueryOutToBuffer;
* :mod:`.genquery2` - msi_genquery2_execute / next_row / column / free;
* :mod:`.templates` - string arrays, metadata templates, msiApplyDCMetadataTemplate;
* :mod:`.misc` - strings, key-value pairs, delayExec, writeLine, ...;
* :mod:`.printing` - writePosInt, writeBytesBuf, writeKeyValPairs, msiPrintKeyValPair;
* :mod:`.remote` - remote execution (py_remote / remoteExec).
"""

from b2safe_sandbox.runtime.msis import (
    admin,
    atomic_meta,
    data,
    genquery2,
    meta,
    misc,
    physical,
    policy,
    printing,
    query,
    query_print,
    remote,
    replicas,
    server,
    system,
    templates,
    testing,
    transfer,
    users,
)

__all__ = ["admin", "atomic_meta", "data", "genquery2", "meta", "misc", "physical", "policy",
           "printing", "query", "query_print", "remote", "replicas", "server", "system",
           "templates", "testing", "transfer", "users"]
