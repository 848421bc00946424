# Schedule (idempotently) the integrity sweep configured for a collection, or list, pause,
# resume or remove sweeps: EUDATIntegritySweep{Install,List,Pause,Resume,Remove}.
#
# As a rodsadmin:
#   irule -r irods_rule_engine_plugin-python-instance -F schedule_sweep.r \
#       '*collection="/tempZone/home/archive"' '*destination="/otherZone/replicas/archive"' \
#       '*action="install"'
#
# *action: install (default; queues one repeating delay rule, never two), list, pause, resume,
#          remove (the queued rule leaves the queue at its next run: no iqdel needed).
# *collection: a collection listed in integrity.sweeps of b2safe.json ("" = all, for install).
# *destination: replica collection the sweep compares with ("" = none: the sweep checks the
#          source's replicas, storage and PID records only). Prints the rule's JSON response.


def main(rule_args, callback, rei):
    def arg(name):
        return irods_rule_vars[name][1:-1]

    action = arg('*action')
    coll = arg('*collection')
    if action == 'install':
        if coll:
            ret = callback.EUDATIntegritySweepInstall(coll, arg('*destination'), '')
            out = ret['arguments'][2]
        else:
            out = callback.EUDATIntegritySweepInstall('')['arguments'][0]
    elif action == 'list':
        out = callback.EUDATIntegritySweepList('')['arguments'][0]
    else:
        rule = {'pause': 'EUDATIntegritySweepPause', 'resume': 'EUDATIntegritySweepResume',
                'remove': 'EUDATIntegritySweepRemove'}[action]
        out = getattr(callback, rule)(coll, '')['arguments'][1]
    callback.writeLine('stdout', out)


INPUT *collection="", *destination="", *action="install"
OUTPUT ruleExecOut
