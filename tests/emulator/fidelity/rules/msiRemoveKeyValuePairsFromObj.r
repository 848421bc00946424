import genquery

# Source: server/re/src/extractAvuMS.cpp@5.0.2 L632 msiRemoveKeyValuePairsFromObj.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    kvp = callback.msiString2KeyValPair('x=1%y=2', irods_types.KeyValPair())['arguments'][1]
    callback.msiAssociateKeyValuePairsToObj(kvp, coll + '/a.txt', '-d')
    kvp = callback.msiString2KeyValPair('x=1', irods_types.KeyValPair())['arguments'][1]
    ret = callback.msiRemoveKeyValuePairsFromObj(kvp, coll + '/a.txt', '-d')
    callback.writeLine('stdout', 'status: %s' % ret['status'])
    for row in genquery.Query(callback, 'META_DATA_ATTR_NAME, META_DATA_ATTR_VALUE',
                              "COLL_NAME = '%s' and DATA_NAME = 'a.txt'" % coll):
        callback.writeLine('stdout', '%s=%s' % row)

INPUT *coll="/tempZone/home/rods/msiRemoveKeyValuePairsFromObj"
OUTPUT ruleExecOut
