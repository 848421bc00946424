import genquery

# Sources: the policy setters return the status they put in rei.status (irods
# server/re/src/reSysDataObjOpr.cpp@5.0.2 L812-816 msiNoTrashCan NO_TRASH_CAN 1; L639-646
# msiDeleteDisallowed SYS_DELETE_DISALLOWED -41000; L678-685 msiOprDisallowed
# MSI_OPERATION_NOT_ALLOWED -1110000; L756-780 msiSetChkFilePathPerm: noChkPathPerm 1, an
# unknown word DISALLOW_PATH_REG 0; L1146-1161 msiSetRescQuotaPolicy on 1; L989-1051
# msiSetGraftPathScheme: SYS_INPUT_PERM_OUT_OF_RANGE -48000 for a word other than yes/no;
# L486-608 msiSetNumThreads without rei.doinp (irule): the default 4 threads; L58-83
# msiSetDefaultResc: rei.rescName, a list with no live resource SYS_RESC_DOES_NOT_EXIST
# -78000 (server/core/src/irods_resource_backport.cpp L298-427)); icatGeneralMS.cpp L43-61
# (msiCheckOwner/msiCheckPermission read rei.doi, which irule's rei lacks: Guess
# SYS_INTERNAL_NULL_INPUT_ERR -24000 where the server dereferences NULL); reIn2p3SysRule.cpp
# L155-202 (msiCheckHostAccessControl: the default server_config has no access entries,
# packaging/server_config.json.template.in L47-49, so CONNECTION_REFUSED -185000);
# nre.systemMS.cpp L953-1007 (msiListEnabledMS: "core" and "plugin" names). Upstream
# test_all_rules.py@5.0.2 L166-196 lists these as PEP actions it cannot run with irule.


def main(rule_args, callback, rei):

    def outcome(name, *args):
        try:
            ret = getattr(callback, name)(*args)
            return 'code %d' % ret['code']
        except RuntimeError as e:
            return str(e).split(']')[0] + ']'

    for name, args in (('msiNoTrashCan', ()), ('msiDeleteDisallowed', ()),
                       ('msiOprDisallowed', ()), ('msiNoChkFilePathPerm', ()),
                       ('msiSetChkFilePathPerm', ('noChkPathPerm',)),
                       ('msiSetChkFilePathPerm', ('whatever',)),
                       ('msiSetRescQuotaPolicy', ('on',)),
                       ('msiSetGraftPathScheme', ('maybe', '1')),
                       ('msiSetGraftPathScheme', ('yes', '2')),
                       ('msiSetRandomScheme', ()),
                       ('msiSetNumThreads', ('default', 'default', 'null')),
                       ('msiSetDefaultResc', ('demoResc', 'null')),
                       ('msiSetDefaultResc', ('noSuchResc', 'null')),
                       ('msiSetPublicUserOpr', ('read%query',)),
                       ('msiCheckOwner', ()), ('msiCheckPermission', ('own',)),
                       ('msiCheckHostAccessControl', ())):
        callback.writeLine('stdout', '%s%s: %s' % (name, args, outcome(name, *args)))
    enabled = callback.msiListEnabledMS(irods_types.KeyValPair())['arguments'][0]
    listed = dict((str(enabled.key[i]), str(enabled.value[i])) for i in range(enabled.len))
    for name in ('print_hello', 'msiNoTrashCan', 'msi_atomic_apply_metadata_operations', 'writeLine'):
        callback.writeLine('stdout', 'listed %s: %s' % (name, listed.get(name, '-')))

INPUT *coll="/tempZone/home/rods/msiNoTrashCan"
OUTPUT ruleExecOut
