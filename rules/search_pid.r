# Look up the PID of a path (EUDATSearchPID: the PID AVU, else a reverse lookup of its URL) and
# print the record's main values (EUDATGeteValPid).
#
# As a rodsadmin:
#   irule -r irods_rule_engine_plugin-python-instance -F search_pid.r \
#       '*path="/tempZone/home/alice/results.csv"'
#
# As any other user:
#   irule -r irods_rule_engine_plugin-irods_rule_language-instance \
#       "EUDATSearchPID('/tempZone/home/alice/results.csv', *pid); writeLine('stdout', *pid)" \
#       "*pid=''" ruleExecOut
#
# Prints "PID = ..." ("empty" when the path has none) and, for a PID, its URL, checksum, ROR,
# PARENT and REPLICA values ("None" when absent).


def main(rule_args, callback, rei):
    path = irods_rule_vars['*path'][1:-1]
    pid = callback.EUDATSearchPID(path, '')['arguments'][1]
    callback.writeLine('stdout', 'PID = ' + pid)
    if pid == 'empty':
        return
    for key in ('URL', 'EUDAT/CHECKSUM', 'EUDAT/ROR', 'EUDAT/PARENT', 'EUDAT/REPLICA'):
        value = callback.EUDATGeteValPid(pid, key, '')['arguments'][2]
        callback.writeLine('stdout', key + ' = ' + value)


INPUT *path="/tempZone/home/rods/file.txt"
OUTPUT ruleExecOut
