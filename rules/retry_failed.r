# Retry failed or unfinished replications from the fail log: EUDATTransferUsingFailLog.
# The fail log lives in the catalog (AVUs eudat_fail_log:* on the sources); list it with
#   iquest "SELECT COLL_NAME, DATA_NAME, META_DATA_ATTR_VALUE WHERE META_DATA_ATTR_NAME like 'eudat_fail_log:%'"
# A periodic delay rule does this automatically; use this file to retry now.
#
# As a rodsadmin (retries everyone's records):
#   irule -r irods_rule_engine_plugin-python-instance -F retry_failed.r '*limit="100"'
#
# As any other user (retries only your own records):
#   irule -r irods_rule_engine_plugin-irods_rule_language-instance \
#       "EUDATTransferUsingFailLog('100', *stats); writeLine('stdout', *stats)" "*stats=''" ruleExecOut
#
# Prints "# of successes:S, # of failures:F".


def main(rule_args, callback, rei):
    limit = irods_rule_vars['*limit'][1:-1]
    ret = callback.EUDATTransferUsingFailLog(limit, '')
    callback.writeLine('stdout', ret['arguments'][1])


INPUT *limit="100"
OUTPUT ruleExecOut
