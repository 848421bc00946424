import genquery

# Sources: irods server/re/src/nre.systemMS.cpp@5.0.2 L822-844 (msiStrToBytesBuf), L887-913
# (msiBytesBufToStr), L477-518 (msiFreeBuffer: 0);
# upstream rule text clients/icommands/test/rules/rulemsiFreeBuffer.r.


def main(rule_args, callback, rei):
    buf = callback.msiStrToBytesBuf('hello buffer', irods_types.BytesBuf())['arguments'][1]
    callback.writeLine('stdout', 'buf: ' + bytes(buf.get_bytes()).decode())
    text = callback.msiBytesBufToStr(buf, '')['arguments'][1]
    callback.writeLine('stdout', 'str: ' + text)
    ret = callback.msiFreeBuffer(buf)
    callback.writeLine('stdout', 'free: status %s code %d' % (ret['status'], ret['code']))

INPUT *coll="/tempZone/home/rods/msiStrToBytesBuf"
OUTPUT ruleExecOut
