import genquery

# Source: the expectations of scripts/irods/test/test_iquery.py@5.0.2 (iquery and
# msi_genquery2_execute both run rs_genquery2), one query each, in this collection:
#  test_iquery.py::test_iquery_returns_error_on_invalid_query_tokens__issue_7570 (' ', 'select':
#   SYS_LIBRARY_ERROR; 'select INVALID_COLUMN': SYS_INVALID_INPUT_PARAM),
#  ::test_iquery_returns_error_when_closing_single_quote_is_missing__issue_6393,
#  ::test_iquery_distinguishes_embedded_IN_substring_from_IN_operator__issue_3064,
#  ::test_iquery_supports_OR_operator__issue_4069,
#  ::test_iquery_supports_embedded_single_quotes__issue_5727 (\x27 and ''),
#  ::test_genquery2_handling_of_distinct_keyword__issue_8261 (no DISTINCT unless asked: one row per
#   replica), ::test_iquery_correctly_parses_queries_with_tabs_in_the_where_clause__issue_7795;
# server/genquery2/dsl/parser.y@5.0.2 (the same at 4.3.5) rules `column` (CAST), `range`
# (OFFSET/FETCH FIRST), `condition_expression` (NOT LIKE, BETWEEN, IS NULL) and the unused
# CASE/HAVING/EXISTS tokens of lexer.l (a syntax error: SYS_LIBRARY_ERROR, rs_genquery2.cpp@5.0.2
# L127-130); server/genquery2/src/genquery2_sql.cpp@5.0.2 to_sql(function) L1010-1016 (DISTINCT
# outside SELECT), generate_inner_joins L197-260 (USER_NAME with DATA_NAME), the LEFT JOIN of
# generate_joins_for_metadata_columns L267-322 (IS NULL for an object without AVUs) and
# genquery2_table_column_mappings.hpp@5.0.2 (no DATA_OWNER_NAME): SYS_INVALID_INPUT_PARAM via
# rs_genquery2.cpp@5.0.2 L146-149.


def main(rule_args, callback, rei):
    import json
    coll = irods_rule_vars['*coll'][1:-1]

    def run(label, text, width=1):
        try:
            handle = callback.msi_genquery2_execute('', text)['arguments'][0]
        except RuntimeError as e:
            callback.writeLine('stdout', '%s: %s' % (label, str(e).split(']')[0] + ']'))
            return
        rows = []
        while True:
            try:
                callback.msi_genquery2_next_row(handle)
            except RuntimeError:
                break
            rows.append([callback.msi_genquery2_column(handle, str(i), '')['arguments'][2]
                         for i in range(width)])
        callback.msi_genquery2_free(handle)
        callback.writeLine('stdout', '%s: %s' % (label, json.dumps(rows)))

    here = "COLL_NAME = '%s'" % coll
    callback.msiDataObjCopy(coll + '/a.txt', coll + '/b.txt', 'null', 0)
    callback.msiDataObjRepl(coll + '/a.txt', 'destRescName=replResc', 0)
    callback.msiCollCreate(coll + '/sub', 0, 0)
    fd = callback.msiDataObjCreate(coll + "/it's.txt", 'forceFlag=', 0)['arguments'][2]
    callback.msiDataObjClose(fd, 0)
    callback.msiModAVUMetadata('-C', coll, 'add', 'originalVersionId', 'ignored', '')
    callback.msiModAVUMetadata('-d', coll + '/a.txt', 'add', 'k', 'v', '')

    run('blank', ' ')
    run('select alone', 'select')
    run('invalid column', 'select INVALID_COLUMN')
    run('missing quote', "select COLL_NAME where COLL_NAME = '%s" % coll)
    for op in ('IN', 'in'):
        run('%s operator' % op, "select META_COLL_ATTR_NAME, META_COLL_ATTR_VALUE where %s and "
            "META_COLL_ATTR_NAME %s ('originalVersionId')" % (here, op), 2)
    run('or', "select COLL_NAME where %s or COLL_NAME like '%s/su%%' order by COLL_NAME"
        % (here, coll))
    for escaped in ("it\\x27s.txt", "it''s.txt"):
        run('quote ' + escaped, "select DATA_NAME, COLL_NAME where %s and DATA_NAME = '%s'"
            % (here, escaped), 2)
    one = "%s and DATA_NAME = 'a.txt'" % here
    run('count replicas', 'select count(DATA_NAME) where ' + one)
    run('count objects', 'select count(distinct DATA_NAME) where ' + one)
    run('replicas', 'select DATA_NAME where ' + one)
    run('objects', 'select distinct DATA_NAME where ' + one)
    run('tab', "select distinct DATA_NAME where %s\tand DATA_NAME = 'a.txt'" % here)
    run('group by', 'select DATA_NAME, count(DATA_ID) where %s group by DATA_NAME '
        'order by DATA_NAME' % here, 2)
    run('cast', "select cast(DATA_SIZE as varchar(1)) where %s and DATA_NAME = 'b.txt'" % here)
    run('not like, between', "select DATA_NAME where %s and DATA_NAME not like 'a%%' and "
        "DATA_SIZE between '10' and '20'" % here)
    run('is null', "select DATA_NAME where %s and META_DATA_ATTR_NAME is null and "
        "DATA_REPL_NUM = '0' order by DATA_NAME desc" % here)
    run('offset fetch', "select DATA_NAME where %s and DATA_REPL_NUM = '0' order by DATA_NAME "
        "offset 1 fetch first 1 rows only" % here)
    run('having', "select DATA_NAME where %s having" % here)
    run('case', "select case when DATA_SIZE = '0' then 'empty' end")
    run('distinct outside select', "select DATA_NAME where count(distinct DATA_ID) > '1'")
    run('tables that do not join', 'select USER_NAME, DATA_NAME')
    run('GenQuery1 name', 'select DATA_OWNER_NAME')

INPUT *coll="/tempZone/home/rods/genquery2_language"
OUTPUT ruleExecOut
