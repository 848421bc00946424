# (Re-)register an existing replica: EUDATPIDRegistration. The source gets a PID if it has none,
# the replica gets its PID in its own zone (EUDAT/PARENT, EUDAT/ROR, EUDAT/FIO and
# EUDAT/FIXED_CONTENT from the source), and the source's EUDAT/REPLICA lists it once.
# Use it for copies made without registration, or to repair a broken link.
#
# As a rodsadmin:
#   irule -r irods_rule_engine_plugin-python-instance -F register_replica.r \
#       '*source="/tempZone/home/alice/results.csv"' '*destination="/otherZone/replicas/results.csv"'
#
# As any other user:
#   irule -r irods_rule_engine_plugin-irods_rule_language-instance \
#       "EUDATPIDRegistration('/tempZone/home/alice/results.csv', '/otherZone/replicas/results.csv', '0', *response); writeLine('stdout', *response)" \
#       "*response=''" ruleExecOut
#
# Prints "None" on success, otherwise the reason (the work is also left in the fail log).


def main(rule_args, callback, rei):
    source = irods_rule_vars['*source'][1:-1]
    destination = irods_rule_vars['*destination'][1:-1]
    ret = callback.EUDATPIDRegistration(source, destination, '0', '')
    callback.writeLine('stdout', ret['arguments'][3])


INPUT *source="/tempZone/home/rods/file.txt", *destination="/otherZone/replicas/file.txt"
OUTPUT ruleExecOut
