import genquery

# Source: server/re/src/reDataObjOpr.cpp@5.0.2 L669 msiDataObjWrite.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    fd = callback.msiDataObjCreate(coll + '/w.txt', 'forceFlag=', 0)['arguments'][2]
    callback.msiDataObjWrite(fd, 'line1\n', 0)
    buf = irods_types.BytesBuf()
    buf.set_buffer(b'line2\n')
    callback.msiDataObjWrite(fd, buf, 0)
    callback.msiDataObjClose(fd, 0)
    fd = callback.msiDataObjOpen(coll + '/w.txt', 0)['arguments'][1]
    out = callback.msiDataObjRead(fd, '100', irods_types.BytesBuf())['arguments'][2]
    callback.msiDataObjClose(fd, 0)
    callback.writeLine('stdout', repr(bytes(out.get_bytes())))

INPUT *coll="/tempZone/home/rods/msiDataObjWrite"
OUTPUT ruleExecOut
