import genquery

# Source: server/re/src/extractAvuMS.cpp@5.0.2 L564 msiGetObjType.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    for target in (coll + '/a.txt', coll, 'demoResc', 'alice'):
        callback.writeLine('stdout', target.split('/')[-1] + ': ' + callback.msiGetObjType(target, '')['arguments'][1])
    try:
        callback.msiGetObjType(coll + '/nope', '')
    except RuntimeError as e:
        callback.writeLine('stdout', 'missing: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiGetObjType"
OUTPUT ruleExecOut
