import genquery

# Source: server/re/src/reDataObjOpr.cpp@5.0.2 L92 msiDataObjCreate.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    ret = callback.msiDataObjCreate(coll + '/new.txt', 'forceFlag=', 0)
    fd = ret['arguments'][2]
    callback.writeLine('stdout', 'fd is int: %s, positive: %s' % (type(fd) is int, fd > 0))
    callback.msiDataObjWrite(fd, 'abc', 0)
    callback.msiDataObjClose(fd, 0)
    st = callback.msiObjStat(coll + '/new.txt', irods_types.RodsObjStat())['arguments'][1]
    callback.writeLine('stdout', 'size: %d' % st.objSize)
    try:
        callback.msiDataObjCreate(coll + '/new.txt', '', 0)
    except RuntimeError as e:
        callback.writeLine('stdout', 'again without force: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiDataObjCreate"
OUTPUT ruleExecOut
