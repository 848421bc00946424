import genquery

# Source: the expectations of scripts/irods/test/test_prep_genquery_iterator.py@5.0.2 (PREP
# genquery.py@5.0.1 L197-211 builds "select COLUMNS where CONDITIONS order by ... offset N
# limit N" for msi_genquery2_execute, L144-145 refuses another parser):
#  test_prep_genquery_iterator.py::test_genquery_constructor_raises_exception_on_invalid_parser_argument__issue_7909
#  (ValueError text), ::test_genquery_iterator_supports_genquery2__issue_7909 (rows are lists),
#  ::test_genquery_iterator_supports_genquery2_offset__issue_7909 (offset=3 of 10: 7 rows),
#  ::test_genquery_iterator_supports_genquery2_limit__issue_7909 (limit=2: 2 rows),
#  ::test_genquery_iterator_supports_copying_genquery2_query_object__issue_7909 (copy() runs again),
#  ::test_genquery_iterator_supports_genquery2_order_by_clause__issue_7909 (order_by='DATA_NAME desc');
# server/re/src/msi_genquery2.cpp@5.0.2 L62-70 (a new handle is the number of result sets held;
# when that number is still in use the insert fails: SYS_LIBRARY_ERROR); PREP genquery.py@5.0.1
# L348-358, L406 (a Query frees its handle when closed or garbage-collected, not at its last row).


def main(rule_args, callback, rei):
    from genquery import Query, Parser
    coll = irods_rule_vars['*coll'][1:-1]
    try:
        Query(callback, 'COLL_NAME', parser=None)
    except ValueError as e:
        callback.writeLine('stdout', 'parser None: ' + str(e))
    for r in Query(callback, 'COLL_NAME', "COLL_NAME = '%s'" % coll, parser=Parser.GENQUERY2):
        callback.writeLine('stdout', 'row: %s' % r)
    for i in range(10):
        fd = callback.msiDataObjCreate('%s/t.%d' % (coll, i), 'forceFlag=', 0)['arguments'][2]
        callback.msiDataObjClose(fd, 0)
    cond = "COLL_NAME = '%s' and DATA_NAME like 't.%%'" % coll
    callback.writeLine('stdout', 'offset 3: %d' % len(list(
        Query(callback, 'DATA_NAME', cond, offset=3, parser=Parser.GENQUERY2))))
    callback.writeLine('stdout', 'limit 2: %d' % len(list(
        Query(callback, 'DATA_NAME', cond, limit=2, parser=Parser.GENQUERY2))))
    q1 = Query(callback, 'COLL_NAME', "COLL_NAME = '%s'" % coll, parser=Parser.GENQUERY2)
    for iteration, query in enumerate([q1, q1.copy(), q1.copy().copy()]):
        for r in query:
            callback.writeLine('stdout', '[iteration=%d] row: %s' % (iteration, r))
    # Still held: q1 (handle 0) and the loop's last query (handle 2); 1 was freed when its Query
    # died. The next handle is the number held, 2, which is taken: the server refuses it.
    try:
        Query(callback, 'DATA_NAME', cond, parser=Parser.GENQUERY2).first()
    except RuntimeError as e:
        callback.writeLine('stdout', 'handle taken: ' + str(e).split(']')[0] + ']')
    del q1, query
    names = [r[0] for r in Query(callback, 'DATA_NAME', cond, order_by='DATA_NAME desc',
                                 limit=3, parser=Parser.GENQUERY2)]
    callback.writeLine('stdout', 'order by desc: %s' % names)

INPUT *coll="/tempZone/home/rods/genquery_Query_genquery2"
OUTPUT ruleExecOut
