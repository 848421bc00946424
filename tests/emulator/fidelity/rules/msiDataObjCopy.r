import genquery

def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    ret = callback.msiDataObjCopy(coll + '/a.txt', coll + '/b.txt', 'forceFlag=', 0)
    callback.writeLine('stdout', 'copy status: %s' % ret['status'])
    try:
        callback.msiDataObjCopy(coll + '/a.txt', coll + '/b.txt', '', 0)
    except RuntimeError as e:
        callback.writeLine('stdout', 'no force: ' + str(e).split(']')[0] + ']')
    for size, in [(r,) for r in genquery.Query(callback, 'DATA_SIZE', "COLL_NAME = '%s' and DATA_NAME = 'b.txt'" % coll)]:
        callback.writeLine('stdout', 'b.txt size: ' + size)

INPUT *coll="/tempZone/home/rods/msiDataObjCopy"
OUTPUT ruleExecOut
