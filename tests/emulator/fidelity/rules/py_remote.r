import genquery

def main(rule_args, callback, rei):
    ret = callback.py_remote('zoneb.sandbox', '<INST_NAME>irods_rule_engine_plugin-python-instance</INST_NAME>',
                             "def main(rule_args, callback, rei):\n    callback.writeLine('serverLog', 'remote hello')\n", '')
    callback.writeLine('stdout', 'status: %s code: %d' % (ret['status'], ret['code']))

INPUT *coll="/tempZone/home/rods/py_remote"
OUTPUT ruleExecOut
