import genquery

# Sources: irods server/re/src/genQueryMS.cpp@5.0.2 L695-764 (msiAddSelectFieldToGenQuery),
# L804-878 (msiAddConditionToGenQuery), L173-194 (msiGetContInxFromGenQueryOut); upstream rule
# texts clients/icommands/test/rules/rulemsiAddSelectFieldToGenQuery.r,
# rulemsiAddConditionToGenQuery.r, rulemsiGetContInxFromGenQueryOut.r.


def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    gqi = callback.msiMakeGenQuery('DATA_NAME', "COLL_NAME = '%s'" % coll, irods_types.GenQueryInp())['arguments'][2]
    gqi = callback.msiAddSelectFieldToGenQuery('DATA_SIZE', 'null', gqi)['arguments'][2]
    gqi = callback.msiAddConditionToGenQuery('DATA_NAME', '=', 'a.txt', gqi)['arguments'][3]
    out = callback.msiExecGenQuery(gqi, irods_types.GenQueryOut())['arguments'][1]
    for r in range(out.rowCnt):
        callback.writeLine('stdout', 'row: %s %s' % (out.sqlResult[0].row(r), out.sqlResult[1].row(r)))
    cont = callback.msiGetContInxFromGenQueryOut(out, 0)['arguments'][1]
    callback.writeLine('stdout', 'continueInx: %d' % cont)
    try:
        callback.msiAddSelectFieldToGenQuery('NO_SUCH_COLUMN', 'null', gqi)
    except RuntimeError as e:
        callback.writeLine('stdout', 'unknown column: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiAddSelectFieldToGenQuery"
OUTPUT ruleExecOut
