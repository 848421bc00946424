import genquery

# Source: server/re/src/nre.systemMS.cpp@5.0.2 L688 msiGetSystemTime.
def main(rule_args, callback, rei):
    unix = callback.msiGetSystemTime('', 'unix')['arguments'][0]
    human = callback.msiGetSystemTime('', 'human')['arguments'][0]
    callback.writeLine('stdout', 'unix: %s (%d chars, digits %s)' % (unix, len(unix), unix.isdigit()))
    callback.writeLine('stdout', 'human: ' + human)

INPUT *coll="/tempZone/home/rods/msiGetSystemTime"
OUTPUT ruleExecOut
