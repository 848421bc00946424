import genquery

# Sources: irods server/re/src/reDataObjOpr.cpp@5.0.2 msiDataObjOpen (keywords L233: objPath,
# rescName, openFlags, replNum); lib/core/src/msParam.cpp@5.0.2 L1394-1409 (openFlags read by
# substring: O_RDWR, else O_WRONLY, else O_RDONLY, plus O_CREAT and O_TRUNC);
# server/api/src/rsDataObjOpen.cpp@5.0.2 L782-791 (a missing object: OBJ_PATH_DOES_NOT_EXIST),
# L1003-1008 (O_CREAT creates it), L1317-1319 (O_RDONLY with O_TRUNC:
# USER_INCOMPATIBLE_OPEN_FLAGS); upstream rule text clients/icommands/test/rules/
# rulemsiDataObjOpen.r.


def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]

    def outcome(spec):
        try:
            ret = callback.msiDataObjOpen(spec, 0)
            return 'status %s code %d' % (ret['status'], ret['code'])
        except RuntimeError as e:
            return str(e).split(']')[0] + ']'

    fd = callback.msiDataObjOpen('objPath=' + coll + '/a.txt++++openFlags=O_RDONLY', 0)['arguments'][1]
    callback.writeLine('stdout', 'opened: %s' % (fd > 0))
    buf = callback.msiDataObjRead(fd, '5', irods_types.BytesBuf())['arguments'][2]
    callback.writeLine('stdout', 'first bytes: ' + bytes(buf.get_bytes()).decode())
    callback.msiDataObjClose(fd, 0)
    callback.writeLine('stdout', 'missing: ' + outcome(coll + '/missing.txt'))
    fd = callback.msiDataObjOpen('objPath=' + coll + '/created.txt++++openFlags=O_RDWRO_CREAT', 0)['arguments'][1]
    callback.writeLine('stdout', 'created: %s' % (fd > 0))
    callback.msiDataObjWrite(fd, 'abc', 0)
    callback.msiDataObjClose(fd, 0)
    for size in genquery.Query(callback, 'DATA_SIZE', "COLL_NAME = '%s' and DATA_NAME = 'created.txt'" % coll):
        callback.writeLine('stdout', 'created.txt size: ' + size)
    callback.writeLine('stdout', 'read-only truncate: ' + outcome('objPath=' + coll + '/a.txt++++openFlags=O_RDONLYO_TRUNC'))
    callback.writeLine('stdout', 'bad keyword: ' + outcome('objPath=' + coll + '/a.txt++++forceFlag='))

INPUT *coll="/tempZone/home/rods/msiDataObjOpen"
OUTPUT ruleExecOut
