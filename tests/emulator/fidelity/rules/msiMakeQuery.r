import genquery

# Sources: irods server/re/src/genQueryMS.cpp@5.0.2 L196-206, L239-250 (msiMakeQuery: "select S
# where C", "select S " without conditions), L589-653 (msiPrintGenQueryInp: "Selected Column
# <id> With Option <option>", "Condition Column <id> <condition>"), L914-986
# (msiPrintGenQueryOutToBuffer); lib/core/src/rcMisc.cpp@5.0.2 L3139-3180 (printGenQueryOut:
# "NAME = value" lines and 60 dashes per row, or the row through a boost::format);
# lib/core/include/irods/rodsGenQuery.h L71-95 (options: 1 plain, 6 COUNT), L153-178 (ids:
# DATA_NAME 403, DATA_SIZE 407, COLL_NAME 501);
# upstream rule texts clients/icommands/test/rules/rulemsiMakeQuery.r,
# rulemsiPrintGenQueryOutToBuffer.r (NREP only in test_all_rules.py L135-137).


def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    cond = "COLL_NAME = '%s'" % coll
    callback.writeLine('stdout', '[' + callback.msiMakeQuery('DATA_NAME', cond, '')['arguments'][2] + ']')
    callback.writeLine('stdout', '[' + callback.msiMakeQuery('DATA_NAME', '', '')['arguments'][2] + ']')
    gqi = callback.msiMakeGenQuery('DATA_NAME, COUNT(DATA_SIZE)', cond, irods_types.GenQueryInp())['arguments'][2]
    callback.msiPrintGenQueryInp('stdout', gqi)
    gqi = callback.msiMakeGenQuery('DATA_NAME, DATA_SIZE', cond, irods_types.GenQueryInp())['arguments'][2]
    out = callback.msiExecGenQuery(gqi, irods_types.GenQueryOut())['arguments'][1]
    buf = callback.msiPrintGenQueryOutToBuffer(out, 'null', irods_types.BytesBuf())['arguments'][2]
    callback.writeBytesBuf('stdout', buf)
    buf = callback.msiPrintGenQueryOutToBuffer(out, '%s has %s bytes', irods_types.BytesBuf())['arguments'][2]
    callback.writeBytesBuf('stdout', buf)
    buf = callback.msiPrintGenQueryOutToBuffer(out, '%s', irods_types.BytesBuf())['arguments'][2]
    callback.writeLine('stdout', 'one directive for two columns: %d bytes' % buf.len)
    try:
        callback.msiPrintGenQueryOutToBuffer(gqi, 'null', irods_types.BytesBuf())
    except RuntimeError as e:
        callback.writeLine('stdout', 'not a GenQueryOut: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiMakeQuery"
OUTPUT ruleExecOut
