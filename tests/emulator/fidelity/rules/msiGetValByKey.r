import genquery

# Source: server/re/src/keyValPairMS.cpp@5.0.2 L37 msiGetValByKey.
def main(rule_args, callback, rei):
    kvp = callback.msiString2KeyValPair('a=1%b=2', irods_types.KeyValPair())['arguments'][1]
    callback.writeLine('stdout', 'b: ' + callback.msiGetValByKey(kvp, 'b', '')['arguments'][2])
    try:
        callback.msiGetValByKey(kvp, 'zz', '')
    except RuntimeError as e:
        callback.writeLine('stdout', 'missing: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiGetValByKey"
OUTPUT ruleExecOut
