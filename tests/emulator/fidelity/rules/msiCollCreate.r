import genquery

def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    ret = callback.msiCollCreate(coll + '/sub/deeper', '1', 0)
    callback.writeLine('stdout', 'recursive: %s' % ret['status'])
    try:
        callback.msiCollCreate(coll + '/sub', '0', 0)
    except RuntimeError as e:
        callback.writeLine('stdout', 'exists: ' + str(e).split(']')[0] + ']')
    for name in genquery.Query(callback, 'COLL_NAME', "COLL_NAME like '%s/%%'" % coll):
        callback.writeLine('stdout', 'coll: ' + name)

INPUT *coll="/tempZone/home/rods/msiCollCreate"
OUTPUT ruleExecOut
