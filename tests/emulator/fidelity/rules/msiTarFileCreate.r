import genquery

# Sources: irods server/re/src/reDataObjOpr.cpp@5.0.2 L3184-3240 (msiTarFileCreate(tarPath,
# collection, resource, 'force'): rsStructFileBundle makes a tar data object of the
# collection); upstream rule text clients/icommands/test/rules/rulemsiTarFileCreate.r. Only
# the member names and sizes are compared (the tar headers are the server's own).


def main(rule_args, callback, rei):
    import io, tarfile
    coll = irods_rule_vars['*coll'][1:-1]
    callback.msiCollCreate(coll + '/bundle/sub', '1', 0)
    callback.msiDataObjCopy(coll + '/a.txt', coll + '/bundle/sub/b.txt', 'null', 0)
    callback.msiDataObjCopy(coll + '/a.txt', coll + '/bundle/c.txt', 'null', 0)
    ret = callback.msiTarFileCreate(coll + '/bundle.tar', coll + '/bundle', 'null', 'null')
    callback.writeLine('stdout', 'tar: status %s code %d' % (ret['status'], ret['code']))
    fd = callback.msiDataObjOpen('objPath=' + coll + '/bundle.tar', 0)['arguments'][1]
    buf = callback.msiDataObjRead(fd, '1048576', irods_types.BytesBuf())['arguments'][2]
    callback.msiDataObjClose(fd, 0)
    with tarfile.open(fileobj=io.BytesIO(bytes(buf.get_bytes()))) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            if member.isfile():
                callback.writeLine('stdout', 'member %s %d' % (member.name, member.size))

INPUT *coll="/tempZone/home/rods/msiTarFileCreate"
OUTPUT ruleExecOut
