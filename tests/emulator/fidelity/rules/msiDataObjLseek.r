import genquery

# Sources: irods server/re/src/reDataObjOpr.cpp@5.0.2 L401-520 (msiDataObjLseek: SEEK_SET,
# SEEK_CUR, SEEK_END or a number; another whence USER_PARAM_TYPE_ERR; the output a
# FileLseekOut); upstream rule text clients/icommands/test/rules/rulemsiDataObjLseek.r.


def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    fd = callback.msiDataObjOpen('objPath=' + coll + '/a.txt', 0)['arguments'][1]
    out = callback.msiDataObjLseek(fd, '6', 'SEEK_SET', irods_types.FileLseekOut())['arguments'][3]
    callback.writeLine('stdout', 'offset: %d' % out.offset)
    buf = callback.msiDataObjRead(fd, '8', irods_types.BytesBuf())['arguments'][2]
    callback.writeLine('stdout', 'read: ' + bytes(buf.get_bytes()).decode())
    out = callback.msiDataObjLseek(fd, '-3', 'SEEK_END', irods_types.FileLseekOut())['arguments'][3]
    callback.writeLine('stdout', 'from end: %d' % out.offset)
    try:
        callback.msiDataObjLseek(fd, '0', '7', irods_types.FileLseekOut())
    except RuntimeError as e:
        callback.writeLine('stdout', 'bad whence: ' + str(e).split(']')[0] + ']')
    callback.msiDataObjClose(fd, 0)

INPUT *coll="/tempZone/home/rods/msiDataObjLseek"
OUTPUT ruleExecOut
