import genquery

# Source: server/re/src/nre.systemMS.cpp@5.0.2 L100 delayExec; PREP src/main.cpp
#  exec_rule_expression runs the queued text.
def main(rule_args, callback, rei):
    cond = '<INST_NAME>irods_rule_engine_plugin-python-instance</INST_NAME><PLUSET>30s</PLUSET><EF>1h REPEAT 2 TIMES</EF>'
    ret = callback.delayExec(cond, "callback.writeLine('serverLog', 'delayed ran')", '')
    callback.writeLine('stdout', 'code: %d status: %s' % (ret['code'], ret['status']))
    n = len(list(genquery.Query(callback, 'RULE_EXEC_ID', "RULE_EXEC_NAME like '%delayed ran%'")))
    callback.writeLine('stdout', 'queued: %d' % n)
    try:
        callback.delayExec('<PLUSET>30s', "pass", '')
    except RuntimeError as e:
        callback.writeLine('stdout', 'malformed: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/delayExec"
OUTPUT ruleExecOut
