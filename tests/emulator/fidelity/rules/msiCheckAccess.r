import genquery

def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    for perm in ('own', 'modify object', 'read object'):
        ret = callback.msiCheckAccess(coll + '/a.txt', perm, 0)
        callback.writeLine('stdout', '%s: %s' % (perm, ret['arguments'][2]))

INPUT *coll="/tempZone/home/rods/msiCheckAccess"
OUTPUT ruleExecOut
