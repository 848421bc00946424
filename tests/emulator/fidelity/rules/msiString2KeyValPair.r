import genquery

# Source: server/re/src/keyValPairMS.cpp@5.0.2 L176 msiString2KeyValPair.
def main(rule_args, callback, rei):
    kvp = callback.msiString2KeyValPair('a=1%b=2=3%c=', irods_types.KeyValPair())['arguments'][1]
    for i in range(kvp.len):
        callback.writeLine('stdout', '%r -> %r' % (str(kvp.key[i]), str(kvp.value[i])))

INPUT *coll="/tempZone/home/rods/msiString2KeyValPair"
OUTPUT ruleExecOut
