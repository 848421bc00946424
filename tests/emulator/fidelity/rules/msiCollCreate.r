import genquery

# Sources: irods server/re/src/reDataObjOpr.cpp@5.0.2 msiCollCreate (a flag above 0 adds
# RECURSIVE_OPR__KW); server/api/src/rsCollCreate.cpp@5.0.2 L108-113 (rsMkCollR: parents made,
# an existing collection is fine), L150-154 (CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME);
# plugins/database/src/db_plugin.cpp@5.0.2 L4603-4641 (db_reg_coll_op: CAT_UNKNOWN_COLLECTION,
# CAT_NO_ACCESS_PERMISSION on the parent, CAT_NAME_EXISTS_AS_DATAOBJ); upstream rule text
# clients/icommands/test/rules/rulemsiCollCreate.r.


def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]

    def outcome(*args):
        try:
            ret = callback.msiCollCreate(*args)
            return 'status %s code %d' % (ret['status'], ret['code'])
        except RuntimeError as e:
            return str(e).split(']')[0] + ']'

    callback.writeLine('stdout', 'recursive: ' + outcome(coll + '/sub/deeper', '1', 0))
    callback.writeLine('stdout', 'exists: ' + outcome(coll + '/sub', '0', 0))
    callback.writeLine('stdout', 'exists with flag: ' + outcome(coll + '/sub', '1', 0))
    callback.writeLine('stdout', 'flag 2: ' + outcome(coll + '/two/levels', '2', 0))
    callback.writeLine('stdout', 'missing parent: ' + outcome(coll + '/nope/x', '0', 0))
    callback.writeLine('stdout', 'data object there: ' + outcome(coll + '/a.txt', '0', 0))
    locked = coll + '/locked'
    callback.msiCollCreate(locked, '0', 0)
    callback.msiSetACL('default', 'null', 'rods', locked)
    callback.writeLine('stdout', 'no permission: ' + outcome(locked + '/x', '0', 0))
    callback.writeLine('stdout', 'no permission, flag: ' + outcome(locked + '/y/z', '1', 0))
    callback.msiSetACL('default', 'admin:own', 'rods', locked)
    for name in genquery.Query(callback, 'COLL_NAME', "COLL_NAME like '%s/%%'" % coll):
        callback.writeLine('stdout', 'coll: ' + name)

INPUT *coll="/tempZone/home/rods/msiCollCreate"
OUTPUT ruleExecOut
