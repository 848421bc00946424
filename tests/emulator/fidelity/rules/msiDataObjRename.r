import genquery

# Source: server/re/src/reDataObjOpr.cpp@5.0.2 L1778 msiDataObjRename.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    ret = callback.msiDataObjRename(coll + '/a.txt', coll + '/renamed.txt', '0', 0)
    callback.writeLine('stdout', 'status: %s' % ret['status'])
    for name in genquery.Query(callback, 'DATA_NAME', "COLL_NAME = '%s'" % coll):
        callback.writeLine('stdout', 'now: ' + name)

INPUT *coll="/tempZone/home/rods/msiDataObjRename"
OUTPUT ruleExecOut
