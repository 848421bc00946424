import genquery

# Source: server/re/src/reDataObjOpr.cpp@5.0.2 L2090 msiRmColl.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    callback.msiCollCreate(coll + '/gone', '0', 0)
    ret = callback.msiRmColl(coll + '/gone', 'forceFlag=', 0)
    callback.writeLine('stdout', 'status: %s' % ret['status'])
    try:
        callback.msiObjStat(coll + '/gone', irods_types.RodsObjStat())
    except RuntimeError as e:
        callback.writeLine('stdout', 'gone: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiRmColl"
OUTPUT ruleExecOut
