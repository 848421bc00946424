import genquery

# Source: server/re/src/reDataObjOpr.cpp@5.0.2 L1884 msiDataObjTrim.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    path = coll + '/a.txt'
    callback.msiDataObjRepl(path, 'destRescName=replResc++++numThreads=1', 0)
    try:
        callback.msiDataObjTrim(path, 'null', '1', 'null', 'null', 0)
    except RuntimeError as e:
        callback.writeLine('stdout', 'default minimum: ' + str(e).split(']')[0] + ']')
    try:
        callback.msiDataObjTrim(path, 'replResc', '1', '1', 'null', 0)
    except RuntimeError as e:
        callback.writeLine('stdout', 'both selectors: ' + str(e).split(']')[0] + ']')
    ret = callback.msiDataObjTrim(path, 'null', '1', '1', 'null', 0)
    callback.writeLine('stdout', 'trimmed: %s' % ret['arguments'][5])
    q = genquery.Query(callback, 'DATA_REPL_NUM, DATA_RESC_NAME, DATA_REPL_STATUS',
                       "COLL_NAME = '%s' and DATA_NAME = 'a.txt'" % coll)
    for row in q:
        callback.writeLine('stdout', 'replica %s on %s status %s' % row)
    try:
        callback.msiDataObjTrim(path, 'null', '0', '1', 'null', 0)
    except RuntimeError as e:
        callback.writeLine('stdout', 'last good: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiDataObjTrim"
OUTPUT ruleExecOut
