import genquery

# Source: server/re/src/reDataObjOpr.cpp@5.0.2 L2758 msiExecCmd.
def main(rule_args, callback, rei):
    try:
        callback.msiExecCmd('hello', '', 'null', 'null', 'null', '')
        callback.writeLine('stdout', 'unexpected success')
    except RuntimeError as e:
        callback.writeLine('stdout', 'RuntimeError: ' + str(e).splitlines()[0][:60])
    try:
        callback.msiExecCmd('hello', '', 'null', 'null', 'null', irods_types.BytesBuf())
    except RuntimeError as e:
        callback.writeLine('stdout', 'object placeholder: RuntimeError')

INPUT *coll="/tempZone/home/rods/msiExecCmd"
OUTPUT ruleExecOut
