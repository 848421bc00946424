import genquery

# Source: server/re/src/icatGeneralMS.cpp@5.0.2 L437 msiSetACL.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    ret = callback.msiSetACL('default', 'read', 'alice', coll + '/a.txt')
    callback.writeLine('stdout', 'status: %s' % ret['status'])
    for row in genquery.Query(callback, 'DATA_ACCESS_NAME, DATA_ACCESS_USER_ID', "COLL_NAME = '%s' and DATA_NAME = 'a.txt'" % coll):
        callback.writeLine('stdout', 'access: %s' % row[0])
    callback.msiSetACL('default', 'null', 'alice', coll + '/a.txt')
    n = len(list(genquery.Query(callback, 'DATA_ACCESS_NAME', "COLL_NAME = '%s' and DATA_NAME = 'a.txt'" % coll)))
    callback.writeLine('stdout', 'acl entries after null: %d' % n)

INPUT *coll="/tempZone/home/rods/msiSetACL"
OUTPUT ruleExecOut
