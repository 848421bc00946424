import genquery

# Sources: irods server/re/src/reDataObjOpr.cpp@5.0.2 L1268-1356 (msiDataObjPut) and
# L1419-1480 (msiDataObjGet): the server parses the arguments and asks the client to do the
# transfer; lib/api/src/rcExecMyRule.cpp@5.0.2 L41-83 (irule puts/gets the local file
# localPath, else the object's name); lib/api/src/rcDataObjGet.cpp@5.0.2 L88-94 (an existing
# local file without forceFlag: OVERWRITE_WITHOUT_FORCE_FLAG); upstream rule texts
# clients/icommands/test/rules/rulemsiDataObjPut.r, rulemsiDataObjGet.r.


def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    local = '/tmp/b2safe-fidelity' + coll.replace('/', '_')
    ret = callback.msiDataObjGet(coll + '/a.txt', 'localPath=' + local + '++++forceFlag=', 0)
    callback.writeLine('stdout', 'get: status %s code %d' % (ret['status'], ret['code']))
    try:
        callback.msiDataObjGet(coll + '/a.txt', 'localPath=' + local, 0)
    except RuntimeError as e:
        callback.writeLine('stdout', 'get again: ' + str(e).split(']')[0] + ']')
    ret = callback.msiDataObjPut(coll + '/put.txt', 'null', 'localPath=' + local, 0)
    callback.writeLine('stdout', 'put: status %s code %d' % (ret['status'], ret['code']))
    for size in genquery.Query(callback, 'DATA_SIZE', "COLL_NAME = '%s' and DATA_NAME = 'put.txt'" % coll):
        callback.writeLine('stdout', 'put.txt size: ' + size)
    try:
        callback.msiDataObjPut(coll + '/put.txt', 'null', 'localPath=' + local + '++++rescName=x', 0)
    except RuntimeError as e:
        callback.writeLine('stdout', 'bad keyword: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiDataObjPut"
OUTPUT ruleExecOut
