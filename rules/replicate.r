# Replicate a data object or a collection to another zone: EUDATReplication.
#
# As a rodsadmin (registered replication creates the replica PIDs in the destination zone at once):
#   irule -r irods_rule_engine_plugin-python-instance -F replicate.r \
#       '*source="/tempZone/home/alice/dataset"' '*destination="/otherZone/replicas/dataset"' \
#       '*registered="true"' '*recursive="true"' '*resource="None"'
#
# As any other user (through the native rule engine, which forwards all-string calls):
#   irule -r irods_rule_engine_plugin-irods_rule_language-instance \
#       "EUDATReplication('/tempZone/home/alice/dataset', '/otherZone/replicas/dataset', 'true', 'true', *response); writeLine('stdout', *response)" \
#       "*response=''" ruleExecOut
#   (a rodsuser's copy happens at once; the replica PIDs are created by the zone's retry rule,
#    which runs as a rodsadmin, because remote Python execution needs one)
#
# *registered: "true" to create and link PIDs (EUDAT/PARENT, EUDAT/ROR, EUDAT/FIO,
#              EUDAT/REPLICA), "false" for a plain copy.
# *recursive:  for registered collections, give every sub-collection and object a PID.
# *resource:   destination resource, or "None" for the destination zone's default.
# Prints "source::destination::resource::registered=..::recursive=.." on success. On failure the
# rule fails with the reason, and the work stays in the fail log for EUDATTransferUsingFailLog.


def main(rule_args, callback, rei):
    def arg(name):
        return irods_rule_vars[name][1:-1]

    ret = callback.EUDATReplication(arg('*source'), arg('*destination'), arg('*resource'),
                                    arg('*registered'), arg('*recursive'), '')
    callback.writeLine('stdout', ret['arguments'][5])


INPUT *source="/tempZone/home/rods/collection", *destination="/otherZone/replicas/collection", *registered="true", *recursive="true", *resource="None"
OUTPUT ruleExecOut
