import genquery

def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    ret = callback.msiDataObjRepl(coll + '/a.txt', 'destRescName=replResc++++numThreads=1', 0)
    callback.writeLine('stdout', 'status: %s' % ret['status'])
    ret = callback.msiDataObjRepl(coll + '/a.txt', 'destRescName=replResc', 0)
    callback.writeLine('stdout', 'again: %s' % ret['status'])
    q = genquery.Query(callback, 'DATA_REPL_NUM, DATA_RESC_NAME, DATA_REPL_STATUS',
                       "COLL_NAME = '%s' and DATA_NAME = 'a.txt'" % coll)
    for row in q:
        callback.writeLine('stdout', 'replica %s on %s status %s' % row)
    try:
        callback.msiDataObjRepl(coll + '/a.txt', 'verifyChksum=++++forceChksum=', 0)
    except RuntimeError as e:
        callback.writeLine('stdout', 'incompatible: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiDataObjRepl"
OUTPUT ruleExecOut
