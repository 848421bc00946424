import genquery

# Source: plugins/rule_engines/irods_rule_language/src/msiHelper.cpp@5.0.2 L280 msiSplitPath
#  (registered by the rule-language plugin, irods_rule_language.cpp L110).
def main(rule_args, callback, rei):
    try:
        ret = callback.msiSplitPath('/tempZone/home/rods/a.txt', '', '')
        callback.writeLine('stdout', 'coll %s name %s' % (ret['arguments'][1], ret['arguments'][2]))
    except RuntimeError as e:
        callback.writeLine('stdout', 'error: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiSplitPath"
OUTPUT ruleExecOut
