import genquery

# Source: server/re/src/reDataObjOpr.cpp@5.0.2 L560 msiDataObjRead.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    fd = callback.msiDataObjOpen(coll + '/a.txt', 0)['arguments'][1]
    buf = callback.msiDataObjRead(fd, '100', irods_types.BytesBuf())['arguments'][2]
    callback.writeLine('stdout', 'type: ' + type(buf).__name__)
    callback.writeLine('stdout', 'len: %d' % buf.len)
    callback.writeLine('stdout', 'text: ' + repr(bytes(buf.get_bytes())))
    callback.writeLine('stdout', 'buf is str: %s' % isinstance(buf.buf, str))
    callback.msiDataObjClose(fd, 0)

INPUT *coll="/tempZone/home/rods/msiDataObjRead"
OUTPUT ruleExecOut
