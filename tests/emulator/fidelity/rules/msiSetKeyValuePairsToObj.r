import genquery

# Source: server/re/src/extractAvuMS.cpp@5.0.2 L499 msiSetKeyValuePairsToObj.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    kvp = callback.msiString2KeyValPair('k=old', irods_types.KeyValPair())['arguments'][1]
    callback.msiAssociateKeyValuePairsToObj(kvp, coll, '-C')
    kvp = callback.msiString2KeyValPair('k=new', irods_types.KeyValPair())['arguments'][1]
    ret = callback.msiSetKeyValuePairsToObj(kvp, coll, '-C')
    callback.writeLine('stdout', 'status: %s' % ret['status'])
    for row in genquery.Query(callback, 'META_COLL_ATTR_NAME, META_COLL_ATTR_VALUE', "COLL_NAME = '%s'" % coll):
        callback.writeLine('stdout', '%s=%s' % row)

INPUT *coll="/tempZone/home/rods/msiSetKeyValuePairsToObj"
OUTPUT ruleExecOut
