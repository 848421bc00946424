import genquery

# Source: server/re/src/reDataObjOpr.cpp@5.0.2 L305 msiDataObjClose.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    fd = callback.msiDataObjOpen(coll + '/a.txt', 0)['arguments'][1]
    ret = callback.msiDataObjClose(fd, 0)
    callback.writeLine('stdout', 'code: %d status: %s' % (ret['code'], ret['status']))
    try:
        callback.msiDataObjClose(fd, 0)
        callback.writeLine('stdout', 'second close succeeded')
    except RuntimeError as e:
        callback.writeLine('stdout', 'second close failed')

INPUT *coll="/tempZone/home/rods/msiDataObjClose"
OUTPUT ruleExecOut
