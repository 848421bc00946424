import genquery

# Source: PREP src/main.cpp@5.0.1 L60-89 remote_exec_msvc; server/api/src/rsExecMyRule.cpp@5.0.2
#  L20-110 ("localhost" is local: server/core/src/initServer.cpp L224); irods_re_plugin.hpp
#  L644-668 (no instance named: every engine runs the text, errors only logged, success).
#  Upstream: test_rule_engine_plugin_framework.py test_remote_python_rule_engine_plugin_instance_6465.
def main(rule_args, callback, rei):
    inst = '<INST_NAME>irods_rule_engine_plugin-python-instance</INST_NAME>'
    text = "def main(rule_args, callback, rei):\n    callback.writeLine('serverLog', 'local hello')\n"
    bad = "def main(rule_args, callback, rei):\n    raise ValueError('x')\n"
    ret = callback.py_remote('localhost', inst, text, '')
    callback.writeLine('stdout', 'named: %s %d' % (ret['status'], ret['code']))
    ret = callback.py_remote('localhost', '', text, '')
    callback.writeLine('stdout', 'unnamed: %s %d' % (ret['status'], ret['code']))
    ret = callback.py_remote('localhost', '', bad, '')
    callback.writeLine('stdout', 'unnamed error: %s %d' % (ret['status'], ret['code']))
    try:
        callback.py_remote('localhost', inst, bad, '')
        callback.writeLine('stdout', 'named error: none')
    except RuntimeError as exc:
        callback.writeLine('stdout', 'named error: %s' % ('[iRods__Error__Code:-1828000]' in str(exc)))

INPUT *coll="/tempZone/home/rods/py_remote_localhost"
OUTPUT ruleExecOut
