import genquery

# Source: server/re/src/genQueryMS.cpp@5.0.2 L44 msiExecStrCondQuery.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    ret = callback.msiExecStrCondQuery("SELECT DATA_NAME WHERE COLL_NAME = '%s'" % coll, irods_types.GenQueryOut())
    gqo = ret['arguments'][1]
    callback.writeLine('stdout', 'type %s rows %d' % (type(gqo).__name__, gqo.rowCnt))
    for r in range(gqo.rowCnt):
        callback.writeLine('stdout', gqo.sqlResult[0].row(r))

INPUT *coll="/tempZone/home/rods/msiExecStrCondQuery"
OUTPUT ruleExecOut
