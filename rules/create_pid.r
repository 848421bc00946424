# Create (or return the existing) PID of a data object or collection: EUDATCreatePID.
#
# As a rodsadmin:
#   irule -r irods_rule_engine_plugin-python-instance -F create_pid.r \
#       '*path="/tempZone/home/alice/results.csv"' '*ror="None"' '*fio="None"' '*fixed="true"'
#
# As any other user (through the native rule engine, which forwards all-string calls):
#   irule -r irods_rule_engine_plugin-irods_rule_language-instance \
#       "EUDATCreatePID('None', '/tempZone/home/alice/results.csv', 'None', 'None', 'true', *pid); writeLine('stdout', *pid)" \
#       "*pid=''" ruleExecOut
#
# *parent: PID of the object this one was copied from ("None" for original data).
# *ror / *fio: repository of record / first ingested object: a PID, "pid" for the new PID itself,
#              or "None". *fixed: "true" when the content will never change.
# Prints the PID.


def main(rule_args, callback, rei):
    def arg(name):
        return irods_rule_vars[name][1:-1]

    ret = callback.EUDATCreatePID(arg('*parent'), arg('*path'), arg('*ror'), arg('*fio'),
                                  arg('*fixed'), '')
    callback.writeLine('stdout', ret['arguments'][5])


INPUT *path="/tempZone/home/rods/file.txt", *parent="None", *ror="None", *fio="None", *fixed="false"
OUTPUT ruleExecOut
