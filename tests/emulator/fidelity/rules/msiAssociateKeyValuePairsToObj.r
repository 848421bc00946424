import genquery

# Source: server/re/src/extractAvuMS.cpp@5.0.2 L427 msiAssociateKeyValuePairsToObj.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    kvp = callback.msiString2KeyValPair('k1=v1%k2=v2', irods_types.KeyValPair())['arguments'][1]
    ret = callback.msiAssociateKeyValuePairsToObj(kvp, coll + '/a.txt', '-d')
    callback.writeLine('stdout', 'status: %s' % ret['status'])
    for row in genquery.Query(callback, 'META_DATA_ATTR_NAME, META_DATA_ATTR_VALUE',
                              "COLL_NAME = '%s' and DATA_NAME = 'a.txt'" % coll):
        callback.writeLine('stdout', '%s=%s' % row)

INPUT *coll="/tempZone/home/rods/msiAssociateKeyValuePairsToObj"
OUTPUT ruleExecOut
