import genquery

# Sources: irods server/re/src/reDataObjOpr.cpp@5.0.2 L1553-1620 (msiDataObjChksum; keywords
# L1587: ChksumAll, forceChksum, replNum, objPath, verifyChksum, irodsAdmin; any other is
# USER_BAD_KEYWORD_ERR, lib/core/src/msParam.cpp@5.0.2 L1448-1466);
# server/api/src/rsDataObjChksum.cpp@5.0.2 L246-384 (do_verification: forceChksum with
# verifyChksum USER_INCOMPATIBLE_PARAMS, a replica without checksum CAT_NO_CHECKSUM_FOR_REPLICA
# reported as CHECK_VERIFICATION_RESULTS), L391-403 (ChksumAll with replNum), L554-563 (a
# missing object: CAT_NO_ROWS_FOUND, which PREP does not raise);
# server/core/src/irods_file_object.cpp@5.0.2 L342-343 (a missing replica number);
# upstream tests scripts/irods/test/test_all_rules.py@5.0.2 L1772-1807 (issue 7859: a clean
# verification leaves the output empty), test_ichksum.py@5.0.2 L167-190 (issue 5252).


def main(rule_args, callback, rei):
    import base64, hashlib
    coll = irods_rule_vars['*coll'][1:-1]

    def outcome(*args):
        try:
            ret = callback.msiDataObjChksum(*args)
            return 'status %s code %d out %r' % (ret['status'], ret['code'], ret['arguments'][2])
        except RuntimeError as e:
            return str(e).split(']')[0] + ']'

    callback.writeLine('stdout', 'no checksum, verify: ' + outcome(coll + '/a.txt', 'verifyChksum=', ''))
    ret = callback.msiDataObjChksum(coll + '/a.txt', 'forceChksum=', '')
    chk = ret['arguments'][2]
    want = 'sha2:' + base64.b64encode(hashlib.sha256(b'hello fidelity\n').digest()).decode()
    callback.writeLine('stdout', 'checksum: ' + chk)
    callback.writeLine('stdout', 'matches: %s' % (chk == want))
    callback.writeLine('stdout', 'verify: ' + outcome(coll + '/a.txt', 'verifyChksum=', ''))
    callback.writeLine('stdout', 'verify replNum: ' + outcome(coll + '/a.txt', 'verifyChksum=++++replNum=0', ''))
    callback.writeLine('stdout', 'verify all: ' + outcome(coll + '/a.txt', 'verifyChksum=++++ChksumAll=', ''))
    callback.writeLine('stdout', 'lookup: ' + outcome(coll + '/a.txt', 'null', ''))
    callback.writeLine('stdout', 'bare keyword: ' + outcome(coll + '/a.txt', 'ChksumAll', ''))
    callback.writeLine('stdout', 'incompatible: ' + outcome(coll + '/a.txt', 'verifyChksum=++++forceChksum=', ''))
    callback.writeLine('stdout', 'all with replNum: ' + outcome(coll + '/a.txt', 'ChksumAll=++++replNum=0', ''))
    callback.writeLine('stdout', 'rescName: ' + outcome(coll + '/a.txt', 'rescName=demoResc', ''))
    callback.writeLine('stdout', 'no such replica: ' + outcome(coll + '/a.txt', 'replNum=7', ''))
    callback.writeLine('stdout', 'missing object: ' + outcome(coll + '/missing.txt', 'forceChksum=', ''))

INPUT *coll="/tempZone/home/rods/msiDataObjChksum"
OUTPUT ruleExecOut
