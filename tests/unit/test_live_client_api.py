"""The live backend's calls checked against the installed python-irodsclient: the GenQuery
columns every verb uses, the Rule and session API it calls, and how a failed rule's error stack
becomes the rule's own code."""

from __future__ import annotations

import inspect
from argparse import Namespace

import pytest

irods = pytest.importorskip("irods", reason="python-irodsclient (the client extra) is missing")

from irods.column import Column  # noqa: E402
from irods.rule import Rule  # noqa: E402
from irods.session import iRODSSession  # noqa: E402

from b2safe.cli import verbs  # noqa: E402
from b2safe.cli.backends import ObjectState  # noqa: E402
from b2safe.cli.live import (  # noqa: E402
    FAIL_ACTION_ENCOUNTERED_ERR,
    failure_from_stack,
    find_column,
)

#: Column ids of iRODS lib/core/include/irods/rodsGenQuery.h.
GENQUERY_IDS = {"COLL_NAME": 501, "DATA_NAME": 403, "META_DATA_ATTR_NAME": 600,
                "META_DATA_ATTR_VALUE": 601, "META_DATA_ATTR_UNITS": 602,
                "META_COLL_ATTR_NAME": 610, "META_COLL_ATTR_VALUE": 611,
                "META_COLL_ATTR_UNITS": 612, "ZONE_NAME": 102, "ZONE_CONNECTION": 104,
                "RULE_EXEC_NAME": 1001, "RULE_EXEC_LAST_EXE_TIME": 1010}


class Recorder:
    """Records the GenQuery columns the verbs ask a backend for (and answers nothing)."""

    label = "recorder"
    user = "rods#tempZone"

    def __init__(self) -> None:
        self.columns: set[str] = set()

    def query(self, columns, conditions):
        self.columns.update(columns)
        self.columns.update(c[0] for c in conditions)
        return []

    def delayed_rules(self):
        self.columns.add("RULE_EXEC_NAME")
        return []

    def zones(self):
        self.columns.update(("ZONE_NAME", "ZONE_CONNECTION"))
        return {}

    def object_state(self, url):
        return ObjectState(url, False)


def test_every_column_the_status_verb_reads_exists_in_python_irodsclient():
    recorder = Recorder()
    verbs.cmd_status(Namespace(json=True, limit=5), recorder)
    recorder.zones()
    assert "META_DATA_ATTR_NAME" in recorder.columns
    for name in recorder.columns:
        column = find_column(name)
        assert isinstance(column, Column)
        assert column.icat_id == GENQUERY_IDS[name], name


def test_every_column_the_batch_followers_read_exists_in_python_irodsclient():
    from b2safe.cli import follow

    recorder = Recorder()
    follow.queued_batches(recorder, follow.CHECK_BATCH, ("/z/a", "/y/a"))
    follow.objects_without_pid(recorder, "/z/a")
    follow.check_summary(recorder, "/z/a", "/y/a", "17", 1)
    verbs.fail_records(recorder, "/z/a")
    assert {"META_COLL_ATTR_NAME", "META_DATA_ATTR_VALUE", "RULE_EXEC_NAME"} <= recorder.columns
    for name in recorder.columns:
        assert find_column(name).icat_id == GENQUERY_IDS[name], name


def test_both_spellings_of_a_column_name():
    assert find_column("COL_META_DATA_ATTR_NAME") is find_column("META_DATA_ATTR_NAME")
    assert find_column("DATA_NAME").icat_key == "DATA_NAME"


def test_rule_and_session_api():
    execute = inspect.signature(Rule.execute).parameters
    for name in ("session_cleanup", "acceptable_errors", "return_message", "r_error"):
        assert name in execute
    init = inspect.signature(Rule.__init__).parameters
    for name in ("session", "rule_file", "body", "params", "output", "instance_name"):
        assert name in init
    assert isinstance(inspect.getattr_static(iRODSSession, "connection_timeout"), property)
    assert irods.exception.FAIL_ACTION_ENCOUNTERED_ERR.code == FAIL_ACTION_ENCOUNTERED_ERR
    default = execute["acceptable_errors"].default
    assert irods.exception.FAIL_ACTION_ENCOUNTERED_ERR in default  # why run() reads the reply


def test_a_failed_rule_reports_the_code_it_raised():
    stack = [(-1091000, "[-]\tirods_re_plugin.hpp:321:control : status [FAIL_ACTION_"
                        "ENCOUNTERED_ERR]  errno [] -- message []"),
             (-1828000, "[iRods__Error__Code:-310000] /tempZone/home/x does not exist")]
    failure = failure_from_stack("EUDATCreatePID", -1091000, stack)
    assert failure.code == -310000
    assert "/tempZone/home/x does not exist" in failure.message
    plain = failure_from_stack("EUDATCreatePID", -1091000, [(-1091000, "rule failed")])
    assert (plain.code, plain.message) == (-1091000, "rule failed")
