import genquery

def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    fd = callback.msiDataObjOpen('objPath=' + coll + '/a.txt++++openFlags=O_RDONLY', 0)['arguments'][1]
    callback.writeLine('stdout', 'opened: %s' % (fd > 0))
    buf = callback.msiDataObjRead(fd, '5', irods_types.BytesBuf())['arguments'][2]
    callback.writeLine('stdout', 'first bytes: ' + bytes(buf.get_bytes()).decode())
    callback.msiDataObjClose(fd, 0)
    try:
        ret = callback.msiDataObjOpen(coll + '/missing.txt', 0)
        callback.writeLine('stdout', 'missing: status %s code %d' % (ret['status'], ret['code']))
    except RuntimeError as e:
        callback.writeLine('stdout', 'missing: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiDataObjOpen"
OUTPUT ruleExecOut
