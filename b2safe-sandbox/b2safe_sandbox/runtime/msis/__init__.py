"""The emulated microservices; importing this package registers them all in the runtime's table.

* :mod:`.data` - data objects: create/open/read/write/close, copy, rsync, repl, chksum, trim, ...
* :mod:`.meta` - AVUs and object status;
* :mod:`.query` - GenQuery1 (msiMakeGenQuery, msiExecGenQuery, ...);
* :mod:`.misc` - strings, key-value pairs, delayExec, writeLine, ...;
* :mod:`.remote` - remote execution (py_remote / remoteExec).
"""

from b2safe_sandbox.runtime.msis import data, meta, misc, query, remote

__all__ = ["data", "meta", "misc", "query", "remote"]
