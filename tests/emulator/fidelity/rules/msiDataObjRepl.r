import genquery

# Sources: irods server/re/src/reDataObjOpr.cpp@5.0.2 L955-1062 (msiDataObjRepl: keywords
# L989, checksum keywords L995-1027); server/api/src/rsDataObjRepl.cpp@5.0.2 L1149-1156
# (destRescName with all, rescName with replNum: USER_INCOMPATIBLE_PARAMS), L484-531, L757-770
# (modify_object needed: SYS_USER_NO_PERMISSION), L550-580 (CAT_NO_CHECKSUM_FOR_REPLICA,
# SYS_NOT_ALLOWED), L874-907 (a good destination replica is left alone);
# server/core/src/irods_resource_redirect.cpp@5.0.2 L23-47 (an unknown resource:
# SYS_RESC_DOES_NOT_EXIST); server/core/src/irods_file_object.cpp@5.0.2 L335-358 (a missing
# object: CAT_NO_ROWS_FOUND, which PREP does not raise).
# Upstream tests: scripts/irods/test/test_all_rules.py@5.0.2 L1809-2040
# (Test_msiDataObjRepl_checksum_keywords, issue 5927), test_irepl.py@5.0.2 L402, L866-877.


def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]

    def outcome(path, options):
        try:
            ret = callback.msiDataObjRepl(coll + '/' + path, options, 0)
            return 'status %s code %d' % (ret['status'], ret['code'])
        except RuntimeError as e:
            return str(e).split(']')[0] + ']'

    def replicas(name):
        q = genquery.Query(callback, 'DATA_REPL_NUM, DATA_RESC_NAME, DATA_REPL_STATUS, DATA_CHECKSUM',
                           "COLL_NAME = '%s' and DATA_NAME = '%s'" % (coll, name))
        for num, resc, status, chk in q:
            callback.writeLine('stdout', '  %s replica %s on %s status %s checksum %s'
                               % (name, num, resc, status, 'yes' if chk else 'no'))

    for name in ('c1.txt', 'c2.txt', 'c3.txt', 'c4.txt', 'c5.txt'):
        callback.msiDataObjCopy(coll + '/a.txt', coll + '/' + name, 'numThreads=1', 0)
    for name in ('c3.txt', 'c4.txt', 'c5.txt'):
        callback.msiDataObjChksum(coll + '/' + name, 'null', '')
    callback.writeLine('stdout', 'status: ' + outcome('a.txt', 'destRescName=replResc++++numThreads=1'))
    callback.writeLine('stdout', 'again: ' + outcome('a.txt', 'destRescName=replResc'))
    replicas('a.txt')
    callback.writeLine('stdout', 'verify and force: ' + outcome('a.txt', 'verifyChksum=++++forceChksum='))
    callback.writeLine('stdout', 'force and verify 0: ' + outcome('a.txt', 'forceChksum=++++verifyChksum=0'))
    callback.writeLine('stdout', 'dest and all: ' + outcome('a.txt', 'destRescName=replResc++++all='))
    callback.writeLine('stdout', 'rescName and replNum: ' + outcome('a.txt', 'rescName=demoResc++++replNum=0'))
    callback.writeLine('stdout', 'bad keyword: ' + outcome('a.txt', 'forceFlag='))
    callback.writeLine('stdout', 'missing object: ' + outcome('missing.txt', 'destRescName=replResc'))
    callback.writeLine('stdout', 'missing destination: ' + outcome('a.txt', 'destRescName=noSuchResc'))
    callback.writeLine('stdout', 'missing source: ' + outcome('a.txt', 'rescName=noSuchResc++++destRescName=replResc'))
    callback.writeLine('stdout', 'no checksum, verify: ' + outcome('c1.txt', 'destRescName=replResc++++verifyChksum='))
    callback.writeLine('stdout', 'no checksum, force: ' + outcome('c2.txt', 'destRescName=replResc++++forceChksum='))
    callback.writeLine('stdout', 'checksum, force: ' + outcome('c3.txt', 'destRescName=replResc++++forceChksum='))
    callback.writeLine('stdout', 'checksum, verify 0: ' + outcome('c4.txt', 'destRescName=replResc++++verifyChksum=0'))
    callback.writeLine('stdout', 'checksum, verify: ' + outcome('c5.txt', 'destRescName=replResc++++verifyChksum='))
    for name in ('c1.txt', 'c2.txt', 'c3.txt', 'c4.txt', 'c5.txt'):
        replicas(name)

INPUT *coll="/tempZone/home/rods/msiDataObjRepl"
OUTPUT ruleExecOut
