import genquery

def main(rule_args, callback, rei):
    import base64, hashlib
    coll = irods_rule_vars['*coll'][1:-1]
    ret = callback.msiDataObjChksum(coll + '/a.txt', 'forceChksum=', '')
    chk = ret['arguments'][2]
    want = 'sha2:' + base64.b64encode(hashlib.sha256(b'hello fidelity\n').digest()).decode()
    callback.writeLine('stdout', 'checksum: ' + chk)
    callback.writeLine('stdout', 'matches: %s' % (chk == want))
    ret = callback.msiDataObjChksum(coll + '/a.txt', 'verifyChksum=', '')
    callback.writeLine('stdout', 'verify status: %s' % ret['status'])
    try:
        callback.msiDataObjChksum(coll + '/a.txt', 'verifyChksum=++++forceChksum=', '')
    except RuntimeError as e:
        callback.writeLine('stdout', 'incompatible: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiDataObjChksum"
OUTPUT ruleExecOut
