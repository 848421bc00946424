import genquery

# Source: server/re/src/extractAvuMS.cpp@5.0.2 L715 msiModAVUMetadata.
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    obj = coll + '/a.txt'
    callback.msiModAVUMetadata('-d', obj, 'add', 'color', 'red', '')
    callback.msiModAVUMetadata('-d', obj, 'add', 'color', 'blue', 'u1')
    callback.msiModAVUMetadata('-d', obj, 'set', 'shape', 'round', '')
    callback.msiModAVUMetadata('-d', obj, 'rm', 'color', 'red', '')
    callback.msiModAVUMetadata('-C', coll, 'add', 'kind', 'test', '')
    for row in genquery.Query(callback, 'META_DATA_ATTR_NAME, META_DATA_ATTR_VALUE, META_DATA_ATTR_UNITS',
                              "COLL_NAME = '%s' and DATA_NAME = 'a.txt'" % coll):
        callback.writeLine('stdout', 'd: %s=%s [%s]' % row)
    for row in genquery.Query(callback, 'META_COLL_ATTR_NAME, META_COLL_ATTR_VALUE', "COLL_NAME = '%s'" % coll):
        callback.writeLine('stdout', 'C: %s=%s' % row)
    try:
        callback.msiModAVUMetadata('-d', obj, 'frobnicate', 'a', 'b', '')
    except RuntimeError as e:
        callback.writeLine('stdout', 'bad op: ' + str(e).split(']')[0] + ']')

INPUT *coll="/tempZone/home/rods/msiModAVUMetadata"
OUTPUT ruleExecOut
