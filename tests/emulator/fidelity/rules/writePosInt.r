import genquery

# Sources: irods server/re/src/printMS.cpp@5.0.2 L106-124 (writePosInt), L161-196
# (writeBytesBuf), L231-310 (writeKeyValPairs: key, separator, value, newline per pair);
# server/re/src/keyValPairMS.cpp@5.0.2 L111-141 (msiPrintKeyValPair: "key = value" lines). None
# adds a newline after its text otherwise (writeString).


def main(rule_args, callback, rei):
    callback.writePosInt('stdout', 42)
    callback.writeLine('stdout', '')
    buf = callback.msiStrToBytesBuf('bytes here', irods_types.BytesBuf())['arguments'][1]
    callback.writeBytesBuf('stdout', buf)
    callback.writeLine('stdout', '')
    kvp = callback.msiString2KeyValPair('a=1%b=2', irods_types.KeyValPair())['arguments'][1]
    callback.writeKeyValPairs('stdout', kvp, ' : ')
    callback.msiPrintKeyValPair('stdout', kvp)

INPUT *coll="/tempZone/home/rods/writePosInt"
OUTPUT ruleExecOut
