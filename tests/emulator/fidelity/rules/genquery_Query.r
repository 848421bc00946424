import genquery

# Source: PREP genquery.py@5.0.1 L54-160 (Query, GENQUERY1 over
#  msiMakeGenQuery/msiExecGenQuery/msiGetMoreRows), L245 total_rows, L275-332 __iter__ with
#  output AS_DICT/AS_LIST and limit, L389 first (None when no row).
def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    from genquery import Query, AS_DICT, AS_LIST
    q = Query(callback, 'DATA_NAME, DATA_SIZE', "COLL_NAME = '%s'" % coll)
    callback.writeLine('stdout', 'total: %d' % q.total_rows())
    for name, size in q:
        callback.writeLine('stdout', '%s %s' % (name, size))
    callback.writeLine('stdout', 'first: %s' % Query(callback, 'DATA_NAME', "COLL_NAME = '%s'" % coll).first())
    callback.writeLine('stdout', 'dict: %s' % dict(Query(callback, 'ORDER_DESC(DATA_NAME)', "COLL_NAME = '%s'" % coll, output=AS_DICT).first()))
    callback.writeLine('stdout', 'limit: %s' % list(Query(callback, 'DATA_NAME', "COLL_NAME = '%s'" % coll, output=AS_LIST, limit=1)))
    callback.writeLine('stdout', 'none: %s' % Query(callback, 'DATA_NAME', "COLL_NAME = '/tempZone/nowhere'").first())
    callback.writeLine('stdout', 'many: %d' % len(list(Query(callback, 'DATA_NAME', "COLL_NAME like '%s%%'" % coll))))

INPUT *coll="/tempZone/home/rods/genquery_Query"
OUTPUT ruleExecOut
