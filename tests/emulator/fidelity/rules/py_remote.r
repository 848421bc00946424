import genquery

# Source: PREP src/main.cpp@5.0.1 L60-89 remote_exec_msvc (the <INST_NAME> tag names the engine);
#  upstream test_rule_engine_plugin_framework.py
#  test_remote_python_rule_engine_plugin_instance_6465.
def main(rule_args, callback, rei):
    ret = callback.py_remote('zoneb.sandbox', '<INST_NAME>irods_rule_engine_plugin-python-instance</INST_NAME>',
                             "def main(rule_args, callback, rei):\n    callback.writeLine('serverLog', 'remote hello')\n", '')
    callback.writeLine('stdout', 'status: %s code: %d' % (ret['status'], ret['code']))

INPUT *coll="/tempZone/home/rods/py_remote"
OUTPUT ruleExecOut
