import genquery

# Sources: irods server/re/src/msi_genquery2.cpp@5.0.2 L40-217 (the same in 4.3.4: handles are
# the number of held result sets, END_OF_RESULTSET after the last row, SYS_INVALID_INPUT_PARAM
# for an unknown handle, SYS_LIBRARY_ERROR for a column before the first row);
# server/api/src/rs_genquery2.cpp@5.0.2 L127-130 (a query that does not parse:
# SYS_LIBRARY_ERROR) and L146-149 (an unknown column: to_sql makes no SQL, SYS_INVALID_INPUT_PARAM;
# scripts/irods/test/test_iquery.py@5.0.2::test_iquery_returns_error_on_invalid_query_tokens__issue_7570);
# server/genquery2/dsl/parser.y@5.0.2 (or, not, in, order by, limit);
# PREP genquery.py@5.0.1 Query(parser=Parser.GENQUERY2) (rows are lists, total_rows() None);
# upstream tests scripts/irods/test/test_genquery2_microservices.py@5.0.2 L24-120
# (issue 7570: interleaved handles).


def main(rule_args, callback, rei):
    from genquery import Query, Parser
    coll = irods_rule_vars['*coll'][1:-1]

    def code(name, *args):
        try:
            ret = getattr(callback, name)(*args)
            return 'status %s code %d' % (ret['status'], ret['code'])
        except RuntimeError as e:
            return str(e).split(']')[0] + ']'

    callback.msiDataObjCopy(coll + '/a.txt', coll + '/b.txt', 'null', 0)
    handle = callback.msi_genquery2_execute('', "select DATA_NAME, DATA_SIZE where COLL_NAME = '%s' order by DATA_NAME desc" % coll)['arguments'][0]
    callback.writeLine('stdout', 'handle: ' + handle)
    callback.writeLine('stdout', 'column before next_row: ' + code('msi_genquery2_column', handle, '0', ''))
    while True:
        try:
            callback.msi_genquery2_next_row(handle)
        except RuntimeError as e:
            callback.writeLine('stdout', 'end: ' + str(e).split(']')[0] + ']')
            break
        name = callback.msi_genquery2_column(handle, '0', '')['arguments'][2]
        size = callback.msi_genquery2_column(handle, '1', '')['arguments'][2]
        callback.writeLine('stdout', 'row: %s %s' % (name, size))
    callback.writeLine('stdout', 'column out of range: ' + code('msi_genquery2_column', handle, '2', ''))
    callback.writeLine('stdout', 'free: ' + code('msi_genquery2_free', handle))
    callback.writeLine('stdout', 'free again: ' + code('msi_genquery2_free', handle))
    callback.writeLine('stdout', 'bad query: ' + code('msi_genquery2_execute', '', 'select NO_SUCH_COLUMN'))
    callback.writeLine('stdout', 'not a query: ' + code('msi_genquery2_execute', '', 'hello'))
    first = callback.msi_genquery2_execute('', "select ZONE_NAME")['arguments'][0]
    second = callback.msi_genquery2_execute('', "select RESC_NAME where RESC_NAME = 'demoResc'")['arguments'][0]
    callback.msi_genquery2_free(first)
    callback.msi_genquery2_next_row(second)
    callback.writeLine('stdout', 'interleaved: ' + callback.msi_genquery2_column(second, '0', '')['arguments'][2])
    callback.msi_genquery2_free(second)
    q = Query(callback, 'DATA_NAME', "COLL_NAME = '%s' and (DATA_NAME = 'a.txt' or DATA_NAME like 'b%%')" % coll,
              parser=Parser.GENQUERY2, order_by='DATA_NAME')
    callback.writeLine('stdout', 'Query rows: %s' % list(q))
    callback.writeLine('stdout', 'Query total: %s' % q.total_rows())
    q = Query(callback, 'DATA_NAME', "COLL_NAME = '%s' and not DATA_NAME in ('a.txt')" % coll,
              parser=Parser.GENQUERY2, limit=1)
    callback.writeLine('stdout', 'Query not in: %s' % list(q))
    q = Query(callback, 'count(DATA_NAME)', "COLL_NAME = '%s'" % coll, parser=Parser.GENQUERY2)
    callback.writeLine('stdout', 'Query count: %s' % list(q))

INPUT *coll="/tempZone/home/rods/msi_genquery2"
OUTPUT ruleExecOut
