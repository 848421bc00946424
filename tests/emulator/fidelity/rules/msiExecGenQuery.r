import genquery

# Source: server/re/src/genQueryMS.cpp@5.0.2 L113 msiExecGenQuery.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    gqi = callback.msiMakeGenQuery('DATA_NAME, DATA_SIZE', "COLL_NAME = '%s'" % coll, irods_types.GenQueryInp())['arguments'][2]
    gqi.maxRows = 2
    ret = callback.msiExecGenQuery(gqi, irods_types.GenQueryOut())
    gqo = ret['arguments'][1]
    rows = 0
    while True:
        for r in range(gqo.rowCnt):
            callback.writeLine('stdout', '%s %s' % (gqo.sqlResult[0].row(r), gqo.sqlResult[1].row(r)))
            rows += 1
        if gqo.continueInx <= 0:
            break
        ret = callback.msiGetMoreRows(gqi, gqo, 0)
        gqo = ret['arguments'][1]
    callback.writeLine('stdout', 'rows: %d attriCnt: %d' % (rows, gqo.attriCnt))
    gqi = callback.msiMakeGenQuery('DATA_NAME', "COLL_NAME = '%s'" % coll, irods_types.GenQueryInp())['arguments'][2]
    gqi.maxRows = 1
    gqo = callback.msiExecGenQuery(gqi, irods_types.GenQueryOut())['arguments'][1]
    ret = callback.msiCloseGenQuery(gqi, gqo)
    callback.writeLine('stdout', 'close status: %s' % ret['status'])
    gqi = callback.msiMakeGenQuery('DATA_NAME', "COLL_NAME = '/tempZone/nowhere'", irods_types.GenQueryInp())['arguments'][2]
    ret = callback.msiExecGenQuery(gqi, irods_types.GenQueryOut())
    callback.writeLine('stdout', 'no rows: status %s rowCnt %d' % (ret['status'], ret['arguments'][1].rowCnt))

INPUT *coll="/tempZone/home/rods/msiExecGenQuery"
OUTPUT ruleExecOut
