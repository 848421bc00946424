import genquery

# Sources: the server's test microservices, irods server/re/src/testMS.cpp@5.0.2 L3-13
# (print_hello: "Hello" to ruleExecOut), L15-19 (recover_print_hello), L40-50 (msiAW1:
# "Microservice_1"), L52-64 (msiCutBufferInHalf halves the buffer's length), L111-138
# (msiDoSomething: an empty KeyValPair), L140-148 (msiTakeThreeArgumentsAndDoNothing);
# miscMS.cpp L29-37 (print_hello_arg: the server's own stdout); nre.systemMS.cpp L423-425
# (msiGoodFailure: RETRY_WITHOUT_RECOVERY_ERR, -1088000); PREP python.hpp@5.0.1 L133-138,
# L196-207 (a BytesBuf goes in as inpOutBuf and comes back).


def main(rule_args, callback, rei):
    callback.print_hello()
    callback.print_hello_arg('to the server log')
    callback.recover_print_hello()
    out = callback.msiAW1('in', '')['arguments'][1]
    callback.writeLine('stdout', 'msiAW1: ' + out)
    buf = callback.msiStrToBytesBuf('abcdef', irods_types.BytesBuf())['arguments'][1]
    half = callback.msiCutBufferInHalf(buf)['arguments'][0]
    callback.writeLine('stdout', 'half: %d %s' % (half.len, bytes(half.get_bytes()).decode()))
    kvp = callback.msiDoSomething('x', irods_types.KeyValPair())['arguments'][1]
    callback.writeLine('stdout', 'msiDoSomething: %d pairs' % kvp.len)
    ret = callback.msiTakeThreeArgumentsAndDoNothing('a', 'b', 'c')
    callback.writeLine('stdout', 'three: code %d' % ret['code'])
    try:
        callback.msiGoodFailure()
    except RuntimeError as e:
        callback.writeLine('stdout', 'msiGoodFailure: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/print_hello"
OUTPUT ruleExecOut
