import genquery

# Sources: irods server/re/src/nre.systemMS.cpp@5.0.2 L822-844 (msiStrToBytesBuf), L887-913
# (msiBytesBufToStr), L477-518 (msiFreeBuffer: 0; "stdout" empties ruleExecOut's stdout);
# upstream rule text clients/icommands/test/rules/rulemsiFreeBuffer.r.


def main(rule_args, callback, rei):
    buf = callback.msiStrToBytesBuf('hello buffer', irods_types.BytesBuf())['arguments'][1]
    callback.writeLine('stdout', 'buf: ' + bytes(buf.get_bytes()).decode())
    text = callback.msiBytesBufToStr(buf, '')['arguments'][1]
    callback.writeLine('stdout', 'str: ' + text)
    callback.writeLine('stdout', 'dropped by msiFreeBuffer')
    ret = callback.msiFreeBuffer('stdout')
    callback.writeLine('stdout', 'free: status %s code %d' % (ret['status'], ret['code']))

INPUT null
OUTPUT ruleExecOut
