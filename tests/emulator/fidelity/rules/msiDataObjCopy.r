import genquery

# Sources: irods server/re/src/reDataObjOpr.cpp@5.0.2 msiDataObjCopy (keywords L1164:
# objPath, destRescName, dataType, verifyChksum, forceFlag, numThreads);
# server/api/src/rsDataObjCopy.cpp@5.0.2 L223-247 (a missing source or a relative destination:
# USER_INPUT_PATH_ERR; an existing destination without forceFlag: OVERWRITE_WITHOUT_FORCE_FLAG),
# L137-148 (a missing destination collection is made with rsMkCollR and the open retried; the
# same in 4.3.4 L141-145), L308-312 (source = destination: USER_INPUT_PATH_ERR).


def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]

    def outcome(src, dst, options):
        try:
            ret = callback.msiDataObjCopy(coll + '/' + src, coll + '/' + dst, options, 0)
            return 'status %s code %d' % (ret['status'], ret['code'])
        except RuntimeError as e:
            return str(e).split(']')[0] + ']'

    callback.writeLine('stdout', 'copy status: ' + outcome('a.txt', 'b.txt', 'forceFlag='))
    callback.writeLine('stdout', 'no force: ' + outcome('a.txt', 'b.txt', ''))
    for size in genquery.Query(callback, 'DATA_SIZE', "COLL_NAME = '%s' and DATA_NAME = 'b.txt'" % coll):
        callback.writeLine('stdout', 'b.txt size: ' + size)
    callback.writeLine('stdout', 'missing collection: ' + outcome('a.txt', 'new/deeper/c.txt', ''))
    for name in genquery.Query(callback, 'COLL_NAME', "COLL_NAME like '%s/%%'" % coll):
        callback.writeLine('stdout', 'coll: ' + name)
    callback.writeLine('stdout', 'missing source: ' + outcome('missing.txt', 'd.txt', ''))
    callback.writeLine('stdout', 'collection as source: ' + outcome('new', 'e.txt', ''))
    callback.writeLine('stdout', 'onto itself: ' + outcome('a.txt', 'a.txt', 'forceFlag='))
    callback.writeLine('stdout', 'bad keyword: ' + outcome('a.txt', 'f.txt', 'rescName=demoResc'))

INPUT *coll="/tempZone/home/rods/msiDataObjCopy"
OUTPUT ruleExecOut
