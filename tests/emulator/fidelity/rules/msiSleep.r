import genquery

# Sources: irods server/re/src/nre.systemMS.cpp@5.0.2 L551-560 (msiSleep(sec, microsec): both
# read with atoi, then rodsSleep); upstream rule text clients/icommands/test/rules/
# rulemsiSleep.r. The sandbox moves its clock on instead of blocking.


def main(rule_args, callback, rei):
    before = int(callback.msiGetSystemTime('', 'unix')['arguments'][0])
    ret = callback.msiSleep('2', '0')
    after = int(callback.msiGetSystemTime('', 'unix')['arguments'][0])
    callback.writeLine('stdout', 'status %s code %d' % (ret['status'], ret['code']))
    callback.writeLine('stdout', 'slept at least 2s: %s' % (after - before >= 2))

INPUT *coll="/tempZone/home/rods/msiSleep"
OUTPUT ruleExecOut
