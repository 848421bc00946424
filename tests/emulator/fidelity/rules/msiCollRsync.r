import genquery

# Source: server/re/src/reDataObjOpr.cpp@5.0.2 L2550 msiCollRsync.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    ret = callback.msiCollRsync(coll, coll + '_mirror', 'null', 'IRODS_TO_IRODS', 0)
    callback.writeLine('stdout', 'status: %s' % ret['status'])
    for name in genquery.Query(callback, 'DATA_NAME', "COLL_NAME = '%s_mirror'" % coll):
        callback.writeLine('stdout', 'mirrored: ' + name)

INPUT *coll="/tempZone/home/rods/msiCollRsync"
OUTPUT ruleExecOut
