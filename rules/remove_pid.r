# Delete the PID of a path and its PID metadata: EUDATePIDremove. A PID whose record lists
# replicas is only removed with *force="true" (it would cut the replica chain).
#
# As a rodsadmin:
#   irule -r irods_rule_engine_plugin-python-instance -F remove_pid.r \
#       '*path="/tempZone/home/alice/results.csv"' '*force="false"'
#
# As any other user:
#   irule -r irods_rule_engine_plugin-irods_rule_language-instance \
#       "EUDATePIDremove('/tempZone/home/alice/results.csv', 'false')" null ruleExecOut


def main(rule_args, callback, rei):
    path = irods_rule_vars['*path'][1:-1]
    force = irods_rule_vars['*force'][1:-1]
    callback.EUDATePIDremove(path, force)
    callback.writeLine('stdout', 'PID of ' + path + ' removed')


INPUT *path="/tempZone/home/rods/file.txt", *force="false"
OUTPUT ruleExecOut
