"""Resource PEPs that control the operation, and the resource operations behind the
data-object microservices, as a server runs them; each case cites its source.

Sources (irods/irods @5.0.2, the same at 4.3.5 for the lines cited):
lib/core/include/irods/irods_plugin_base.hpp L174-290 (``call``: pre, the operation, except,
post, finally) and L364-424 (``invoke_policy_enforcement_point``: RULE_ENGINE_SKIP_OPERATION);
server/core/src/irods_resource_redirect.cpp L107-395 (resolve_hierarchy votes);
server/drivers/src/fileDriver.cpp (the argument types), PREP
include/irods/private/re/python.hpp@5.0.1 L305-353 (how PREP converts them). Upstream tests:
test_rule_engine_plugin_framework.py test_python_rule_engine_plugin_supports_repf_skip_operation
and test_repf_logs_warning_if_skip_operation_code_is_returned_from_non_pre_peps__issue_4800
(the same control codes for API PEPs), test_native_rule_engine_plugin.py test_out_variable /
test_re_serialization (resolve_hierarchy's seven arguments, the out string from pre to post).
"""

from __future__ import annotations

import textwrap

import pytest
from b2safe_sandbox.errors import IrodsCallError
from b2safe_sandbox.sandbox import Sandbox

HOME = "/zoneA/home/alice"

CORE = '''
import irods_errors

def _log(callback, text):
    callback.writeLine("serverLog", "REC " + text)

def _target(rule_args):
    return rule_args[1].map().get("logical_path", "") if rule_args[1] is not None else ""

def pep_resource_create_pre(rule_args, callback, rei):
    if _target(rule_args).endswith("deny"):
        return -818000

def pep_resource_create_post(rule_args, callback, rei):
    _log(callback, "create_post")

def pep_resource_create_except(rule_args, callback, rei):
    _log(callback, "create_except " + rule_args[2])

def pep_resource_create_finally(rule_args, callback, rei):
    _log(callback, "create_finally")

def pep_resource_write_pre(rule_args, callback, rei):
    if _target(rule_args).endswith("skip"):
        return irods_errors.RULE_ENGINE_SKIP_OPERATION

def pep_resource_write_post(rule_args, callback, rei):
    _log(callback, "write_post")
    if _target(rule_args).endswith("misplaced"):
        return irods_errors.RULE_ENGINE_SKIP_OPERATION

def pep_resource_read_pre(rule_args, callback, rei):
    if _target(rule_args).endswith("noread"):
        raise RuntimeError("[iRods__Error__Code:-818000] reading is refused")

def pep_resource_resolve_hierarchy_pre(rule_args, callback, rei):
    _log(callback, "vote_pre %s %s %r %r" % (rule_args[3], rule_args[4], rule_args[5].str,
                                              rule_args[6]))
    rule_args[2] = "FROM PRE"
    if _target(rule_args).endswith("novote"):
        return irods_errors.RULE_ENGINE_SKIP_OPERATION

def pep_resource_resolve_hierarchy_post(rule_args, callback, rei):
    _log(callback, "vote_post %s %r %r %s" % (rule_args[3], rule_args[5].str, rule_args[6],
                                               rule_args[2]))

def pep_resource_notify_pre(rule_args, callback, rei):
    _log(callback, "notify " + rule_args[3])

def pep_resource_lseek_pre(rule_args, callback, rei):
    _log(callback, "lseek %d %d" % (rule_args[3], rule_args[4]))

def pep_resource_stat_pre(rule_args, callback, rei):
    _log(callback, "stat " + type(rule_args[3]).__name__)

def write_with_msis(rule_args, callback, rei):
    fd = callback.msiDataObjCreate(rule_args[0], "forceFlag=", 0)["arguments"][2]
    count = callback.msiDataObjWrite(fd, "abc", 0)["arguments"][2]
    callback.msiDataObjLseek(fd, "1", "SEEK_SET", irods_types.FileLseekOut())
    callback.msiDataObjClose(fd, 0)
    fd = callback.msiDataObjOpen(rule_args[0], 0)["arguments"][1]
    buf = callback.msiDataObjRead(fd, "10", irods_types.BytesBuf())["arguments"][2]
    callback.msiDataObjClose(fd, 0)
    rule_args[1] = "%d:%r" % (count, bytes(buf.get_bytes()))
'''


@pytest.fixture(params=["4.3", "5.0"])
def sb(tmp_path, request) -> Sandbox:
    return Sandbox.create(tmp_path / "sb", zones=("zoneA",), core_py=textwrap.dedent(CORE),
                          irods_version=request.param)


def peps_since(sb: Sandbox, mark: int, op: str) -> list:
    """The phases of ``pep_resource_<op>_*`` offered since ``mark``."""
    prefix = f"pep_resource_{op}_"
    return [e.name[len(prefix):] for e in sb.events[mark:] if e.name.startswith(prefix)]


def logged(sb: Sandbox, mark: int = 0) -> list:
    return [x.split("inString = REC ", 1)[1] for x in sb.server_log["zoneA"][mark:]
            if "inString = REC " in x]


def test_failing_create_pre_pep_stops_the_put(sb):
    """A failing pre-PEP stops the resource operation: _except fires with the out string set to
    "error=<code>;message=...", _finally last, no _post (irods_plugin_base.hpp L210-229,
    L186-197); l3Create fails, so rsDataObjOpen unregisters the new replica (rsDataObjOpen.cpp
    L435-502; rsUnregDataObj.cpp L86-100 fileUnregistered) and the put fails with the code."""
    client = sb.client("alice#zoneA")
    mark, first = len(sb.events), len(sb.server_log["zoneA"])
    with pytest.raises(IrodsCallError) as err:
        client.iput(f"{HOME}/deny", b"data")
    assert err.value.code == -818000
    assert not sb.zone("zoneA").catalog.data_exists(f"{HOME}/deny")
    assert peps_since(sb, mark, "create") == ["pre", "except", "finally"]
    assert peps_since(sb, mark, "unregistered") == ["pre", "post", "finally"]
    assert peps_since(sb, mark, "write") == []
    assert [x for x in logged(sb, first) if x.startswith("create")] == [
        "create_except error=-818000;message=", "create_finally"]
    # The API call fails too: pep_api_data_obj_put_except, no _post (apiHandler.hpp L227-260).
    api = [e.name for e in sb.events[mark:] if e.name.startswith("pep_api_")]
    assert api == ["pep_api_data_obj_put_pre", "pep_api_data_obj_put_except",
                   "pep_api_data_obj_put_finally"]
    mark = len(sb.events)
    client.iput(f"{HOME}/ok", b"data")
    assert peps_since(sb, mark, "create") == ["pre", "post", "finally"]


def test_skip_operation_from_a_pre_pep_skips_only_the_operation(sb):
    """RULE_ENGINE_SKIP_OPERATION from pep_resource_write_pre: the write is not done, _post
    still fires and the call succeeds (irods_plugin_base.hpp L210, L250-252): the object is
    registered with nothing written. From a post-PEP it is logged as misplaced (L398-405)."""
    client = sb.client("alice#zoneA")
    mark = len(sb.events)
    row = client.iput(f"{HOME}/skip", b"data")
    assert peps_since(sb, mark, "write") == ["pre", "post", "finally"]
    assert int(row.size) == 0
    assert client.iget(f"{HOME}/skip") == b""
    client.iput(f"{HOME}/misplaced", b"data")
    assert client.iget(f"{HOME}/misplaced") == b"data"
    assert any("incorrectly returned from PEP [pep_resource_write_post]" in x
               for x in sb.server_log["zoneA"])


def test_resolve_hierarchy_votes_with_prep_arguments(sb):
    """request_vote_for_file_object (irods_resource_redirect.cpp L107-162): the PEP gets the
    operation, the host, a HierarchyParser and the vote (PREP HierarchyParser.str, a float);
    the post-PEP sees the voted hierarchy, the vote and the out string set in _pre. A put of a
    new object votes for CREATE (L260-272), an iget for OPEN (rsDataObjGet.cpp L247). A skipped
    vote stays 0.0: HIERARCHY_ERROR for CREATE."""
    client = sb.client("alice#zoneA")
    client.iput(f"{HOME}/x", b"data")
    client.iget(f"{HOME}/x")
    votes = [x for x in logged(sb) if x.startswith("vote_")]
    assert votes == [
        "vote_pre CREATE localhost '' 0.0", "vote_post CREATE 'demoResc' 1.0 FROM PRE",
        "vote_pre OPEN localhost '' 0.0", "vote_post OPEN 'demoResc' 1.0 FROM PRE"]
    with pytest.raises(IrodsCallError) as err:
        client.iput(f"{HOME}/novote", b"data")
    assert err.value.code == -1803000  # HIERARCHY_ERROR
    assert not sb.zone("zoneA").catalog.data_exists(f"{HOME}/novote")


def test_data_object_microservices_run_resource_operations(sb):
    """msiDataObjCreate/Write/Lseek/Close/Open/Read reach the resource plugin as the APIs do:
    create resolves for CREATE and runs fileCreate (rsDataObjOpen.cpp L760-777, L489); write
    runs fileNotify(WRITE) then fileWrite (rsDataObjWrite.cpp L116-133); lseek fileLseek with
    offset and whence (rsDataObjLseek.cpp L83-101); close fileNotify, fileClose, fileStat (a
    Stat) and fileModified (rsDataObjClose.cpp L700-745, L588-635); read fileRead."""
    mark, first = len(sb.events), len(sb.server_log["zoneA"])
    result = sb.exec_rule("zoneA", "write_with_msis", [f"{HOME}/m", ""], "alice#zoneA")
    assert result.code == 0
    assert result.rule_args[1] == "3:b'abc'", result.traceback
    names = [e.name[len("pep_resource_"):] for e in sb.events[mark:]
             if e.name.startswith("pep_resource_") and e.name.endswith("_pre")]
    assert names == ["resolve_hierarchy_pre", "create_pre", "notify_pre", "write_pre",
                     "lseek_pre", "notify_pre", "close_pre", "stat_pre", "modified_pre",
                     "resolve_hierarchy_pre", "open_pre", "read_pre", "close_pre"]
    assert [x for x in logged(sb, first) if not x.startswith(("vote", "create"))] == [
        "notify WRITE", "write_post", "lseek 1 0", "notify WRITE", "stat Stat"]
    statics = [e.name for e in sb.events[mark:] if e.name.startswith("ac")]
    # The static PEPs of the opens fire at their closes (rsDataObjClose.cpp L76-104).
    assert statics == ["acSetRescSchemeForCreate", "acSetVaultPathPolicy",
                       "acPostProcForCreate", "acPostProcForPut", "acPreprocForDataObjOpen",
                       "acPostProcForOpen"]


def test_failing_read_pre_pep_fails_the_microservice(sb):
    """A pre-PEP raising with an embedded code fails the read with that code (PREP exec_rule:
    the code in the exception text; irods_plugin_base.hpp L210-229); nothing is read."""
    client = sb.client("alice#zoneA")
    client.iput(f"{HOME}/noread", b"data")
    with pytest.raises(IrodsCallError) as err:
        client.iget(f"{HOME}/noread")
    assert err.value.code == -818000
