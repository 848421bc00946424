import genquery

# Source: server/re/src/reDataObjOpr.cpp@5.0.2 L2395 msiDataObjRsync.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    ret = callback.msiDataObjRsync(coll + '/a.txt', 'IRODS_TO_IRODS', 'null', coll + '/r.txt', 0)
    callback.writeLine('stdout', 'first: %s' % ret['arguments'][4])
    ret = callback.msiDataObjRsync(coll + '/a.txt', 'IRODS_TO_IRODS', 'null', coll + '/r.txt', 0)
    callback.writeLine('stdout', 'second: %s' % ret['arguments'][4])
    for mode in ('IRODS_TO_LOCAL', 'null'):
        try:
            callback.msiDataObjRsync(coll + '/a.txt', mode, 'null', coll + '/r.txt', 0)
        except RuntimeError as e:
            callback.writeLine('stdout', mode + ': ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiDataObjRsync"
OUTPUT ruleExecOut
