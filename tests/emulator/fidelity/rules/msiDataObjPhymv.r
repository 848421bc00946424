import genquery

# Sources: irods server/re/src/reDataObjOpr.cpp@5.0.2 L1663-1720 (msiDataObjPhymv(path,
# destResc, srcResc, replNum, admin, status)); server/api/src/rsDataObjPhymv.cpp@5.0.2
# L205-330 (a source resource or replica number and a destination are required:
# USER__NULL_INPUT_ERR; a missing replica SYS_REPLICA_DOES_NOT_EXIST), L784 (srcResc with
# replNum: USER_INCOMPATIBLE_PARAMS); upstream rule text clients/icommands/test/rules/
# rulemsiDataObjPhymv.r.


def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]

    def outcome(*args):
        try:
            ret = callback.msiDataObjPhymv(coll + '/a.txt', *args)
            return 'status %s code %d' % (ret['status'], ret['code'])
        except RuntimeError as e:
            return str(e).split(']')[0] + ']'

    callback.writeLine('stdout', 'move: ' + outcome('replResc', 'demoResc', 'null', 'null', 0))
    for num, resc in genquery.Query(callback, 'DATA_REPL_NUM, DATA_RESC_NAME',
                                    "COLL_NAME = '%s' and DATA_NAME = 'a.txt'" % coll):
        callback.writeLine('stdout', 'replica %s on %s' % (num, resc))
    callback.writeLine('stdout', 'no source: ' + outcome('demoResc', 'null', 'null', 'null', 0))
    callback.writeLine('stdout', 'both sources: ' + outcome('demoResc', 'replResc', '0', 'null', 0))
    callback.writeLine('stdout', 'no such replica: ' + outcome('demoResc', 'null', '9', 'null', 0))

INPUT *coll="/tempZone/home/rods/msiDataObjPhymv"
OUTPUT ruleExecOut
