import genquery

# Sources: irods server/re/src/reDataObjOpr.cpp@5.0.2 L851 (msiDataObjUnlink keywords: objPath,
# forceFlag, irodsRmTrash, irodsAdminRmTrash, unreg; irodsAdmin is USER_BAD_KEYWORD_ERR,
# lib/core/src/msParam.cpp@5.0.2 L1448-1466).


def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    try:
        callback.msiDataObjUnlink('objPath=' + coll + '/a.txt++++irodsAdmin=', 0)
    except RuntimeError as e:
        callback.writeLine('stdout', 'irodsAdmin: ' + str(e).split(']')[0] + ']')
    ret = callback.msiDataObjUnlink('objPath=' + coll + '/a.txt++++forceFlag=', 0)
    callback.writeLine('stdout', 'status: %s' % ret['status'])
    try:
        callback.msiObjStat(coll + '/a.txt', irods_types.RodsObjStat())
    except RuntimeError as e:
        callback.writeLine('stdout', 'gone: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiDataObjUnlink"
OUTPUT ruleExecOut
