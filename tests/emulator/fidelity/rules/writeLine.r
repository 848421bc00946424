import genquery

# Source: server/re/src/printMS.cpp@5.0.2 L51 writeLine (stdout: the irule's ruleExecOut; serverLog:
#  the server log).
def main(rule_args, callback, rei):
    callback.writeLine('stdout', 'to stdout')
    ret = callback.writeLine('serverLog', 'to the server log')
    callback.writeLine('stdout', 'serverLog status: %s code: %d' % (ret['status'], ret['code']))
    callback.writeLine('stdout', 'unicode: \u00e9t\u00e9')

INPUT *coll="/tempZone/home/rods/writeLine"
OUTPUT ruleExecOut
