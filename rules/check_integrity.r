# Check that a replica agrees with its source: EUDATCheckIntegrity (object or collection).
#
# As a rodsadmin:
#   irule -r irods_rule_engine_plugin-python-instance -F check_integrity.r \
#       '*source="/tempZone/home/alice/data"' '*destination="/otherZone/replicas/data"' \
#       '*log="true"'
#
# As any other user (through the native rule engine, which forwards all-string calls):
#   irule -r irods_rule_engine_plugin-irods_rule_language-instance \
#       "EUDATCheckIntegrityDO('/tempZone/home/alice/a.csv', '/otherZone/replicas/a.csv', 'true', *response, *status); writeLine('stdout', *status ++ ': ' ++ *response)" \
#       "*response=''%*status=''" ruleExecOut
#
# Compares existence, size and checksum (missing checksums are computed) and, for registered
# data, the PID record's EUDAT/CHECKSUM and URL. *log="true" records a failure as AVU
# eudat_pending:integrity on the source (repair and EUDATTransferUsingFailLog pick it up).
# Prints "true" or "false" and B2SAFE's response text.


def main(rule_args, callback, rei):
    def arg(name):
        return irods_rule_vars[name][1:-1]

    ret = callback.EUDATCheckIntegrity(arg('*source'), arg('*destination'), arg('*log'), '0',
                                       '', '')
    callback.writeLine('stdout', ret['arguments'][5] + ': ' + ret['arguments'][4])


INPUT *source="/tempZone/home/rods/data", *destination="/tempZone/home/rods/replica", *log="true"
OUTPUT ruleExecOut
