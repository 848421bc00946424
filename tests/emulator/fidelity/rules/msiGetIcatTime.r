import genquery

# Source: server/re/src/icatGeneralMS.cpp@5.0.2 L51 msiGetIcatTime.
def main(rule_args, callback, rei):
    unix = callback.msiGetIcatTime('', 'unix')['arguments'][0]
    human = callback.msiGetIcatTime('', 'human')['arguments'][0]
    callback.writeLine('stdout', 'unix: %s (%d chars)' % (unix, len(unix)))
    callback.writeLine('stdout', 'human: ' + human)

INPUT *coll="/tempZone/home/rods/msiGetIcatTime"
OUTPUT ruleExecOut
