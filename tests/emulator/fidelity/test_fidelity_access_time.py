"""DATA_ACCESS_TIME: iRODS 5 records when a replica was last opened for reading.

Sources (irods/irods 5.0.2): the column (lib/core/include/irods/rodsGenQuery.h L174,
plugins/database/src/general_query_setup.cpp L254: R_DATA_MAIN.access_ts; not in 4.3.5's
rodsGenQuery.h); a new replica's access time is its creation time (db_plugin.cpp L2636-2637);
rsDataObjOpen of an existing replica not opened write-only moves it to now when it is older
than the replica's modify time or at least resolution_in_seconds (86400) old
(server/api/src/rsDataObjOpen.cpp L894-926, L1295-1298; scripts/irods/database_upgrade.py
L202). The server applies the queued update in its main loop; the sandbox at once.
"""

from __future__ import annotations

import pytest
from b2safe_sandbox.errors import SandboxError
from b2safe_sandbox.sandbox import Sandbox

PATH = "/zoneA/home/alice/a.txt"
QUERY = ("select DATA_ACCESS_TIME, DATA_MODIFY_TIME where COLL_NAME = '/zoneA/home/alice' "
         "and DATA_NAME = 'a.txt'")


def _times(sb: Sandbox) -> tuple[int, int]:
    (atime, mtime), = sb.client("alice#zoneA").iquest(QUERY)
    return int(atime), int(mtime)


def test_access_time_follows_reads_on_50(tmp_path):
    """server/api/src/rsDataObjOpen.cpp@5.0.2 L894-926, L1295-1298: a read moves the access
    time when it is older than the modify time or a day old; db_plugin.cpp@5.0.2 L2636-2637:
    a new replica's access time is its creation time; rsDataObjCopy.cpp@5.0.2 L96-97: the
    copy's source is opened O_RDONLY."""
    sb = Sandbox.create(tmp_path / "sb", zones=("zoneA",), irods_version="5.0")
    alice = sb.client("alice#zoneA")
    alice.iput(PATH, b"one")
    created = sb.clock.now()
    assert _times(sb) == (created, created)
    sb.clock.advance(100)
    alice.iget(PATH)  # newer than the modify time and within the resolution: kept
    assert _times(sb)[0] == created
    sb.clock.advance(100)
    alice.iput(PATH, b"two", force=True)  # the modify time passes the access time
    sb.clock.advance(10)
    alice.iget(PATH)
    assert _times(sb) == (created + 210, created + 200)
    sb.clock.advance(86400)
    alice.icp(PATH, "/zoneA/home/alice/b.txt")  # the copy's source open counts too
    assert _times(sb)[0] == created + 210 + 86400


def test_write_only_open_leaves_the_access_time(tmp_path):
    """rsDataObjOpen.cpp L904-906: (openmode & O_ACCMODE) == O_WRONLY is no access; a
    read-only open of the same replica is."""
    sb = Sandbox.create(tmp_path / "sb", zones=("zoneA",), irods_version="5.0")
    rods = sb.client("rods#zoneA")
    path = "/zoneA/home/rods/w.txt"
    rods.iput(path, b"one")
    query = ("select DATA_ACCESS_TIME where COLL_NAME = '/zoneA/home/rods' and "
             "DATA_NAME = 'w.txt'")
    created = sb.clock.now()
    sb.clock.advance(90000)
    for flags, expected in (("O_WRONLY", created), ("O_RDONLY", created + 90000)):
        text = ("def main(rule_args, callback, rei):\n"
                f"    fd = callback.msiDataObjOpen('objPath={path}++++openFlags={flags}', 0)"
                "['arguments'][1]\n"
                "    callback.msiDataObjClose(fd, 0)\n"
                "INPUT null\nOUTPUT ruleExecOut\n")
        result = rods.irule_file(text)
        assert result.code == 0, result.error
        assert rods.iquest(query) == [[f"{expected:011d}"]], flags


def test_no_access_time_on_43(tmp_path):
    """lib/core/include/irods/rodsGenQueryNames.h@5.0.2 L85 names DATA_ACCESS_TIME; the file at
    4.3.5 does not: NO_COLUMN_NAME_FOUND, as for any unknown column."""
    sb = Sandbox.create(tmp_path / "sb", zones=("zoneA",), irods_version="4.3")
    sb.client("alice#zoneA").iput(PATH, b"one")
    with pytest.raises(SandboxError) as err:
        sb.client("alice#zoneA").iquest(QUERY)
    assert err.value.code == -1107000
