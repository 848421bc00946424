import genquery

# Source: server/re/src/icatGeneralMS.cpp@5.0.2 L228-267 msiCheckAccess ->
# server/core/src/objMetaOpr.cpp@5.0.2 L603-611 checkPermissionByObjType (an unknown access_type
# token -> SYS_INVALID_INPUT_PARAM, -130000);
# catalog schema 9 renamed the tokens (scripts/irods/database_upgrade.py), so the 4.2
# spellings with a space are refused on iRODS 4.3 and 5.0.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    for perm in ('own', 'modify_object', 'read_object'):
        ret = callback.msiCheckAccess(coll + '/a.txt', perm, 0)
        callback.writeLine('stdout', '%s: %s' % (perm, ret['arguments'][2]))
    for perm in ('modify object', 'read object'):
        try:
            callback.msiCheckAccess(coll + '/a.txt', perm, 0)
            callback.writeLine('stdout', '%s: accepted' % perm)
        except RuntimeError as e:
            callback.writeLine('stdout', '%s: refused %s' % (perm, '-130000' in str(e)))

INPUT *coll="/tempZone/home/rods/msiCheckAccess"
OUTPUT ruleExecOut
