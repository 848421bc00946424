import genquery

# Source: server/re/src/reDataObjOpr.cpp@5.0.2 L2302 msiObjStat.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    st = callback.msiObjStat(coll + '/a.txt', irods_types.RodsObjStat())['arguments'][1]
    callback.writeLine('stdout', 'type %d size %d owner %s#%s' % (st.objType, st.objSize, st.ownerName, st.ownerZone))
    callback.writeLine('stdout', 'is DATA_OBJ: %s' % (st.objType == irods_types.objType.DATA_OBJ))
    callback.writeLine('stdout', 'ownerName == "rods": %s, str(): %s' % (st.ownerName == 'rods', str(st.ownerName) == 'rods'))
    st = callback.msiObjStat(coll, irods_types.RodsObjStat())['arguments'][1]
    callback.writeLine('stdout', 'collection type %d' % st.objType)
    try:
        callback.msiObjStat(coll + '/nope', irods_types.RodsObjStat())
    except RuntimeError as e:
        callback.writeLine('stdout', 'missing: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiObjStat"
OUTPUT ruleExecOut
