import genquery

# Source: server/re/src/keyValPairMS.cpp@5.0.2 L361 msiAddKeyVal.
def main(rule_args, callback, rei):
    kvp = irods_types.KeyValPair()
    kvp = callback.msiAddKeyVal(kvp, 'a', '1')['arguments'][0]
    kvp = callback.msiAddKeyVal(kvp, 'b', 'two')['arguments'][0]
    callback.writeLine('stdout', 'len %d' % kvp.len)
    for i in range(kvp.len):
        callback.writeLine('stdout', '%s -> %s' % (str(kvp.key[i]), str(kvp.value[i])))
    callback.writeLine('stdout', "kvp['b'] = " + kvp['b'])
    try:
        callback.msiAddKeyVal('not a kvp', 'a', '1')
    except RuntimeError as e:
        callback.writeLine('stdout', 'str placeholder: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiAddKeyVal"
OUTPUT ruleExecOut
