"""The emulated microservices; importing this package registers them all in the runtime's table.

* :mod:`.data` - data objects: create/open/read/write/close, copy, rsync, trim, unlink, ...
* :mod:`.replicas` - msiDataObjChksum and msiDataObjRepl;
* :mod:`.transfer` - lseek, put/get (through irule), phymv, msiCollRepl, msiTarFileCreate;
* :mod:`.system` - msiSleep, msiFreeBuffer, time formats, byte buffers;
* :mod:`.admin` - msiSetQuota, msiDeleteUnusedAVUs;
* :mod:`.keywords` - the keyword strings the data-object microservices accept;
* :mod:`.meta` - AVUs and object status;
* :mod:`.query` - GenQuery1 (msiMakeGenQuery, msiExecGenQuery, ...);
* :mod:`.genquery2` - msi_genquery2_execute / next_row / column / free;
* :mod:`.misc` - strings, key-value pairs, delayExec, writeLine, ...;
* :mod:`.printing` - writePosInt, writeBytesBuf, writeKeyValPairs, msiPrintKeyValPair;
* :mod:`.remote` - remote execution (py_remote / remoteExec).
"""

from b2safe_sandbox.runtime.msis import (
    admin,
    data,
    genquery2,
    meta,
    misc,
    printing,
    query,
    remote,
    replicas,
    system,
    transfer,
)

__all__ = ["admin", "data", "genquery2", "meta", "misc", "printing", "query", "remote",
           "replicas", "system", "transfer"]
