import genquery

def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    ret = callback.msiDataObjUnlink('objPath=' + coll + '/a.txt++++forceFlag=', 0)
    callback.writeLine('stdout', 'status: %s' % ret['status'])
    try:
        callback.msiObjStat(coll + '/a.txt', irods_types.RodsObjStat())
    except RuntimeError as e:
        callback.writeLine('stdout', 'gone: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiDataObjUnlink"
OUTPUT ruleExecOut
