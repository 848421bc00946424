import genquery

# Sources: irods server/re/src/nre.systemMS.cpp@5.0.2 L1046-1079 (msiGetFormattedSystemTime:
# "human" fills the printf format with year, month, day, hour, minute, second; otherwise the
# epoch as "%011d"), L598-652 (msiGetDiffTime), L751-785 (msiHumanToSystemTime: "0" + epoch);
# upstream rule texts clients/icommands/test/rules/rulemsiGetFormattedSystemTime.r,
# rulemsiGetFormattedSystemTime-human.r, rulemsiGetDiffTime.r, rulemsiHumanToSystemTime.r.


def main(rule_args, callback, rei):
    human = callback.msiGetFormattedSystemTime('', 'human', '%d-%02d-%02d %02d:%02d:%02d')['arguments'][0]
    callback.writeLine('stdout', 'human: ' + human)
    unix = callback.msiGetFormattedSystemTime('', 'unix', '')['arguments'][0]
    callback.writeLine('stdout', 'unix: %s (%d digits)' % (unix, len(unix)))
    year = callback.msiGetFormattedSystemTime('', 'human', '%.4d')['arguments'][0]
    callback.writeLine('stdout', 'year: %s' % (year == human[:4]))
    diff = callback.msiGetDiffTime('01700000000', '01700003723', 'human', '')['arguments'][3]
    callback.writeLine('stdout', 'diff human: ' + diff)
    diff = callback.msiGetDiffTime('01700000000', '01700003723', '', '')['arguments'][3]
    callback.writeLine('stdout', 'diff: ' + diff)
    epoch = callback.msiHumanToSystemTime('2023-11-14.22:13:20', '')['arguments'][1]
    callback.writeLine('stdout', 'to system time: %s' % (int(epoch) > 1600000000 and epoch.startswith('0')))

INPUT *coll="/tempZone/home/rods/msiGetFormattedSystemTime"
OUTPUT ruleExecOut
