"""Fidelity of the administrative, policy and replica-file microservices in the contexts a
server runs them: PEPs that read ``rei.status`` afterwards, ``rei.uoio`` set by
rsGeneralAdmin, rodsadmin against rodsuser. Each case cites the irods/irods source (5.0.2 unless
named; the same at 4.3.5) or the upstream test its expectation comes from; every case runs on
both version profiles unless it is about their difference.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from b2safe_sandbox.errors import SandboxError
from b2safe_sandbox.runtime.faults import AgentCrash
from b2safe_sandbox.sandbox import Sandbox

HOME = "/zoneA/home/alice"
NREP = "irods_rule_engine_plugin-irods_rule_language-instance"

CORE = '''
def acTrashPolicy(rule_args, callback, rei):
    if str(rei.doinp.objPath).endswith('.notrash'):
        callback.msiNoTrashCan()

def acDataDeletePolicy(rule_args, callback, rei):
    if str(rei.doi.objPath).endswith('.keep'):
        try:
            callback.msiDeleteDisallowed()
        except RuntimeError:
            pass  # the error is caught; rei.status still says SYS_DELETE_DISALLOWED

def acSetRescSchemeForCreate(rule_args, callback, rei):
    for ending, option in (('.forced', 'forced'), ('.pref', 'preferred')):
        if str(rei.doinp.objPath).endswith(ending):
            callback.msiSetDefaultResc('r2', option)

def acSetChkFilePathPerm(rule_args, callback, rei):
    if str(rei.doinp.objPath).endswith('.allowed'):
        callback.msiNoChkFilePathPerm()

def acPreProcForModifyUserGroup(rule_args, callback, rei):
    name = str(rei.uoio.userName)
    for msi, args in (('msiCreateCollByAdmin', ('/zoneA/home', 'made_for_' + name)),
                      ('msiAddUserToGroup', ('second',)), ('msiCreateUser', ())):
        try:
            getattr(callback, msi)(*args)
        except RuntimeError as e:
            callback.writeLine('serverLog', msi + ': ' + str(e).split(']')[0] + ']')
'''


@pytest.fixture(params=["4.3", "5.0"])
def sb(tmp_path, request) -> Sandbox:
    sandbox = Sandbox.create(tmp_path / "sb", zones=("zoneA",),
                             core_py=textwrap.dedent(CORE), irods_version=request.param)
    cat = sandbox.zone("zoneA").catalog
    cat.add_resource("r2")
    for group in ("first", "second"):
        cat.add_user(group, type="rodsgroup")
    cat.group_add_member("first#zoneA", "alice#zoneA")
    return sandbox


def _python(sb: Sandbox, body: str, user: str = "rods#zoneA"):
    """Run ``body`` (the lines of main) with irule -r python as ``user``."""
    text = "def main(rule_args, callback, rei):\n" + textwrap.indent(
        textwrap.dedent(body), "    ") + "\nINPUT null\nOUTPUT ruleExecOut\n"
    return sb.client(user).irule_file(text)


def _native(sb: Sandbox, body: str, user: str):
    """Run ``body`` with the rule language (open to every user)."""
    return sb.client(user).irule_native(f"main {{\n{body}\n}}\nINPUT null\nOUTPUT ruleExecOut\n")


def test_no_trash_can_in_trash_policy_unlinks(sb):
    """rsDataObjUnlink.cpp L398-412: NO_TRASH_CAN in rei.status after acTrashPolicy (set by
    msiNoTrashCan, reSysDataObjOpr.cpp L812-816) unlinks instead of moving to the trash."""
    alice = sb.client("alice#zoneA")
    for name in ("a.notrash", "b.txt"):
        alice.iput(f"{HOME}/{name}", b"x")
        alice.irm(f"{HOME}/{name}")
    cat = sb.zone("zoneA").catalog
    assert not cat.data_exists(f"{HOME}/a.notrash")
    assert not cat.data_exists("/zoneA/trash/home/alice/a.notrash")
    assert cat.data_exists("/zoneA/trash/home/alice/b.txt")


def test_delete_disallowed_refuses_the_delete_even_when_caught(sb):
    """chkPreProcDeleteRule (rsDataObjUnlink.cpp L110-152): rei.status SYS_DELETE_DISALLOWED
    after acDataDeletePolicy refuses the delete, whatever the rule's own status."""
    alice = sb.client("alice#zoneA")
    alice.iput(f"{HOME}/c.keep", b"x")
    with pytest.raises(SandboxError) as err:
        alice.irm(f"{HOME}/c.keep", force=True)
    assert err.value.code == -41000
    assert sb.zone("zoneA").catalog.data_exists(f"{HOME}/c.keep")


def test_remove_user_from_group_and_its_pep_with_uoio(sb):
    """msiRemoveUserFromGroup (icatAdminMS.cpp L372-423) goes through rsGeneralAdmin, whose
    acPreProcForModifyUserGroup has rei.uoio = the user (rsGeneralAdmin.cpp L983-1000): there
    msiCreateCollByAdmin makes a collection owned by it (L123-158), msiAddUserToGroup adds it
    (L327-355) and msiCreateUser fails on the uoio's empty type (db_plugin.cpp L8108-8110,
    CAT_INVALID_ARGUMENT). A second removal USER_NOT_IN_GROUP (db_plugin.cpp L7350-7362);
    upstream test_all_rules.py L1488-1553, L1705-1740 (issue 7165)."""
    result = _python(sb, "callback.msiRemoveUserFromGroup('first', 'alice', '')")
    assert result.code == 0, result.error
    cat = sb.zone("zoneA").catalog
    assert [u.name for u in cat.group_members("first#zoneA")] == []
    assert [u.name for u in cat.group_members("second#zoneA")] == ["alice"]
    made = cat.coll_get("/zoneA/home/made_for_alice")
    assert made is not None and made.owner_name == "alice"
    assert any("msiCreateUser: [iRods__Error__Code:-816000]" in line
               for line in sb.server_log["zoneA"])
    again = _python(sb, "callback.msiRemoveUserFromGroup('first', 'alice', 'zoneA')")
    assert "[iRods__Error__Code:-1830000]" in again.error


def test_group_and_user_administration_needs_a_rodsadmin(sb):
    """chlModGroup, chlDelCollByAdmin, chlCalcUsageAndQuota: CAT_INSUFFICIENT_PRIVILEGE_LEVEL
    for a rodsuser (db_plugin.cpp L7244-7270, L5628-5633, L11432-11433); upstream
    test_all_rules.py L1640-1680 (the rule-language route)."""
    result = _native(sb, "msiRemoveUserFromGroup('first', 'alice', '')", "alice#zoneA")
    assert result.code == -830000
    assert _native(sb, "msiQuota", "alice#zoneA").code == -830000
    assert _native(sb, "msiQuota", "rods#zoneA").code == 0
    assert [u.name for u in sb.zone("zoneA").catalog.group_members("first#zoneA")] == ["alice"]


def test_uoio_microservices_crash_the_agent_outside_their_pep(sb):
    """msiAddUserToGroup, msiCreateCollByAdmin, msiDeleteCollByAdmin dereference rei->uoio,
    NULL for irule (rsExecMyRule.cpp L69-74; icatAdminMS.cpp L327-355, L123-158, L193-237):
    the agent dies."""
    for call in ("callback.msiAddUserToGroup('first')",
                 "callback.msiCreateCollByAdmin('/zoneA/home', 'x')"):
        with pytest.raises(AgentCrash):
            _python(sb, call)


def _truncate(sb, spec: str, user: str = "alice#zoneA"):
    return _native(sb, f"msi_replica_truncate('{spec}', *out); writeLine('stdout', *out)", user)


def test_replica_truncate(sb):
    """rs_replica_truncate.cpp L172-334 through msi_replica_truncate (reDataObjOpr.cpp
    L3312-3372); upstream test_all_rules.py L2352-2470: the default replica, replNum, a bad
    keyword, no dataSize (UNIX_FILE_TRUNCATE_ERR - EINVAL), irodsAdmin from a rodsuser."""
    alice = sb.client("alice#zoneA")
    path = f"{HOME}/t.txt"
    alice.iput(path, b"truncate this")
    alice.irepl(path, "r2")
    result = _truncate(sb, f"{path}++++dataSize=100")
    assert result.code == 0, result.error
    assert json.loads(result.stdout) == {"message": "", "resource_hierarchy": "demoResc",
                                         "replica_number": 0}
    rows = {r.repl_num: r for r in sb.zone("zoneA").catalog.data_get(path)}
    assert (rows[0].size, rows[0].status, rows[1].size, rows[1].status) == (100, 1, 13, 0)
    assert alice.iget(path) == b"truncate this" + bytes(87)
    assert _truncate(sb, f"objPath={path}++++dataSize=4++++replNum=1").code == 0
    assert sb.zone("zoneA").catalog.data_get(path, 1)[0].size == 4
    assert _truncate(sb, f"objPath={path}++++dataSize=4++++replica_number=1").code == -315000
    assert _truncate(sb, f"objPath={path}").code == -529022
    assert _truncate(sb, f"objPath={path}++++dataSize=4++++irodsAdmin=").code == -830000
    assert _truncate(sb, "").code == -358000


def test_tar_file_extract(sb):
    """msiTarFileExtract (reDataObjOpr.cpp L3041-3144) over rsStructFileExtAndReg
    (rsStructFileExtAndReg.cpp L110-253): the members registered below a collection it makes;
    an object already there SYS_COPY_ALREADY_IN_RESC; a missing tar REPLICA_NOT_IN_RESC."""
    alice = sb.client("alice#zoneA")
    alice.imkdir(f"{HOME}/src")
    alice.iput(f"{HOME}/src/one.txt", b"1")
    alice.iput(f"{HOME}/src/two.txt", b"22")
    tar = f"{HOME}/src.tar"
    body = (f"msiTarFileCreate('{tar}', '{HOME}/src', 'null', 'null');"
            f"msiTarFileExtract('{tar}', '{HOME}/out', 'null', *status);"
            "writeLine('stdout', *status)")
    result = _native(sb, body, "alice#zoneA")
    assert (result.code, result.stdout.strip()) == (0, "0"), result.error
    assert alice.iget(f"{HOME}/out/two.txt") == b"22"
    again = _native(sb, f"msiTarFileExtract('{tar}', '{HOME}/out', 'null', *s)", "alice#zoneA")
    assert again.code == -46000
    missing = _native(sb, f"msiTarFileExtract('{HOME}/no.tar', '{HOME}/x', 'null', *s)",
                      "alice#zoneA")
    assert missing.code == -1821000


def test_phy_path_reg(sb, tmp_path):
    """rs_register_physical_path (register_physical_path.cpp L1117-1330): a rodsadmin
    registers any file (getchkPathPerm, physPath.cpp L418-425); a rodsuser only where
    acSetChkFilePathPerm allows it (default DISALLOW_PATH_REG: PATH_REG_NOT_ALLOWED,
    fileOpr.cpp L380-390); a missing file UNIX_FILE_STAT_ERR - ENOENT."""
    source = tmp_path / "file.dat"
    source.write_bytes(b"on disk")
    admin = _native(sb, f"msiPhyPathReg('/zoneA/home/rods/reg1', 'null', '{source}', 'null', "
                        "*s)", "rods#zoneA")
    assert admin.code == 0, admin.error
    assert sb.client("rods#zoneA").iget("/zoneA/home/rods/reg1") == b"on disk"
    refused = _native(sb, f"msiPhyPathReg('{HOME}/reg2', 'null', '{source}', 'null', *s)",
                      "alice#zoneA")
    assert refused.code == -129000
    allowed = _native(sb, f"msiPhyPathReg('{HOME}/reg3.allowed', 'null', '{source}', 'null', *s)",
                      "alice#zoneA")
    assert allowed.code == 0, allowed.error
    missing = _native(sb, f"msiPhyPathReg('{HOME}/reg4.allowed', 'null', '{tmp_path}/no', "
                          "'null', *s)", "alice#zoneA")
    assert missing.code == -516002


def test_set_repl_comment(sb):
    """msiSetReplComment (reSysDataObjOpr.cpp L1198-1277): DATA_COMMENTS of the replica."""
    sb.client("alice#zoneA").iput(f"{HOME}/c.txt", b"x")
    result = _native(sb, f"msiSetReplComment('null', '{HOME}/c.txt', '0', 'a note')",
                     "alice#zoneA")
    assert result.code == 0, result.error
    rows = sb.client("alice#zoneA").iquest(
        f"select DATA_COMMENTS where COLL_NAME = '{HOME}' and DATA_NAME = 'c.txt'")
    assert rows == [["a note"]]


@pytest.mark.parametrize("version, found", [("4.3", True), ("5.0", False)])
def test_43_only_microservices(tmp_path, version, found):
    """5.0.0 removed msiSendMail, msiSetResource, ... (reAction.hpp at 4.3.5 and 5.0.2): a 5.0
    zone does not find them (NO_RULE_OR_MSI_FUNCTION_FOUND_ERR in the rule language); on 4.3
    msiSendMail is refused unless enable_deprecated_msiSendMail (mailMS.cpp@4.3.5 L58-77)."""
    sandbox = Sandbox.create(tmp_path / "sb", zones=("zoneA",), irods_version=version)
    result = _native(sandbox, "msiSendMail('a@b.c', 'subject', 'body')", "rods#zoneA")
    assert result.code == (-169000 if found else -1097000)


def test_repl_all_updates_every_stale_replica_and_makes_none(sb):
    """msiDataObjRepl with all= (ALL_KW): update_all_existing_replicas (rsDataObjRepl.cpp
    L935-1079, L1209-1211): the stale replicas are brought up to date from a good source, no
    replica is made on another resource, a stale source SYS_NOT_ALLOWED (L1023-1028)."""
    cat = sb.zone("zoneA").catalog
    cat.add_resource("r3")
    cat.add_resource("r4")
    alice = sb.client("alice#zoneA")
    path = f"{HOME}/all.txt"
    alice.iput(path, b"old")
    alice.irepl(path, "r2")
    alice.irepl(path, "r3")
    alice.iput(path, b"new contents", force=True)  # replica 0 good, 1 and 2 stale
    assert [r.status for r in cat.data_get(path)] == [1, 0, 0]
    stale_source = _native(sb, f"msiDataObjRepl('{path}', 'replNum=1++++all=', *s)",
                           "alice#zoneA")
    assert stale_source.code == -169000
    result = _native(sb, f"msiDataObjRepl('{path}', 'all=', *s)", "alice#zoneA")
    assert result.code == 0, result.error
    rows = cat.data_get(path)
    assert [(r.resc_name, r.status, r.size) for r in rows] == [
        ("demoResc", 1, 12), ("r2", 1, 12), ("r3", 1, 12)]
    assert _native(sb, f"msiDataObjRepl('{path}', 'destRescName=r4++++all=', *s)",
                   "alice#zoneA").code == -402000


def test_rule_language_keeps_strarray_and_tagstruct(sb):
    """keyValPairMS.cpp L246-326 (msiString2StrArray/msiStrArray2String round trip) and
    extractAvuMS.cpp L57-160, L299-384 (a template's tags, then the values between them) work
    in the rule language, which keeps StrArray_MS_T and TagStruct_MS_T; addKeyVal
    (lib/core/src/rcMisc.cpp@5.0.2 L772-795) replaces an existing key's value."""
    body = '''msiString2StrArray("a%b%c", *arr);
msiStrArray2String(*arr, *s);
writeLine("stdout", *s);
msiStrToBytesBuf("<PRETAG>X=</PRETAG>key<POSTTAG>;</POSTTAG>", *t);
msiReadMDTemplateIntoTagStruct(*t, *tags);
msiStrToBytesBuf("X=1;X=2;", *b);
msiExtractTemplateMDFromBuf(*b, *tags, *kvp);
writeKeyValPairs("stdout", *kvp, " : ");'''
    result = _native(sb, body, "alice#zoneA")
    assert (result.code, result.stdout) == (0, "a%b%c\nkey : 2\n"), result.error


def test_set_default_resc_in_the_create_pep_chooses_the_resource(sb):
    """acSetRescSchemeForCreate's rei.rescName, set by msiSetDefaultResc, is the create's
    resource (irods_resource_redirect.cpp L62-105); set_default_resource
    (irods_resource_backport.cpp@5.0.2 L298-427): 'forced' overrides a rodsuser's -R but not a
    rodsadmin's, 'preferred' takes the client's live resource, otherwise the listed one."""
    alice, rods = sb.client("alice#zoneA"), sb.client("rods#zoneA")
    cases = [(alice, f"{HOME}/a.forced", None, "r2"),
             (alice, f"{HOME}/b.forced", "demoResc", "r2"),
             (alice, f"{HOME}/c.pref", "demoResc", "demoResc"),
             (alice, f"{HOME}/d.pref", None, "r2"),
             (rods, "/zoneA/home/rods/e.forced", "demoResc", "demoResc"),
             (alice, f"{HOME}/f.txt", None, "demoResc")]
    cat = sb.zone("zoneA").catalog
    for client, path, resc, expected in cases:
        client.iput(path, b"x", resc=resc)
        assert [r.resc_name for r in cat.data_get(path)] == [expected], path
