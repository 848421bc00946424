# Create PIDs for a collection, its sub-collections and all data objects below it:
# EUDATPidsForColl. Paths that already have a PID are skipped, so re-running after an interruption
# resumes where it stopped.
#
# As a rodsadmin:
#   irule -r irods_rule_engine_plugin-python-instance -F pids_for_collection.r \
#       '*collection="/tempZone/home/alice/dataset"' '*fixed="true"'
#
# As any other user:
#   irule -r irods_rule_engine_plugin-irods_rule_language-instance \
#       "EUDATPidsForColl('/tempZone/home/alice/dataset', 'true', *report); writeLine('stdout', *report)" \
#       "*report=''" ruleExecOut
#
# Prints "created=N existing=N failed=N".


def main(rule_args, callback, rei):
    collection = irods_rule_vars['*collection'][1:-1]
    fixed = irods_rule_vars['*fixed'][1:-1]
    ret = callback.EUDATPidsForColl(collection, fixed, '')
    callback.writeLine('stdout', ret['arguments'][2])


INPUT *collection="/tempZone/home/rods/collection", *fixed="false"
OUTPUT ruleExecOut
