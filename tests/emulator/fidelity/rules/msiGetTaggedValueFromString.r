import genquery

# Sources: irods server/re/src/extractAvuMS.cpp@5.0.2 L197-253 (msiGetTaggedValueFromString:
# the text between <tag> and </tag>, none: empty), L57-160 (msiReadMDTemplateIntoTagStruct);
# keyValPairMS.cpp L246-271 (msiString2StrArray); miscMS.cpp L159-212
# (msiApplyDCMetadataTemplate: 15 DC.* attributes with value " "); PREP
# include/irods/private/re/python.hpp@5.0.1 L104-142 (object_from_msParam has no StrArray or
# TagStruct: such an output cannot come back to Python; a str placeholder gives
# boost::bad_any_cast, src/main.cpp@5.0.1 L296-345); upstream test_all_rules.py@5.0.2
# L125-140 skips rulemsiReadMDTemplateIntoTagStruct for the Python engine.


def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    text = 'x<name>alice</name>y<name>bob</name>'
    value = callback.msiGetTaggedValueFromString('name', text, '')['arguments'][2]
    callback.writeLine('stdout', 'tagged: [%s]' % value)
    value = callback.msiGetTaggedValueFromString('age', text, '')['arguments'][2]
    callback.writeLine('stdout', 'missing tag: [%s]' % value)
    for placeholder in ('', 0):
        try:
            callback.msiString2StrArray('a%b%c', placeholder)
        except RuntimeError as e:
            callback.writeLine('stdout', 'StrArray into %s: %s' % (type(placeholder).__name__, str(e).split(':')[0]))
    buf = callback.msiStrToBytesBuf('<PRETAG>X</PRETAG>key<POSTTAG>Y</POSTTAG>', irods_types.BytesBuf())['arguments'][1]
    try:
        callback.msiReadMDTemplateIntoTagStruct(buf, 0)
    except RuntimeError as e:
        callback.writeLine('stdout', 'TagStruct: ' + str(e).split(':')[0])
    ret = callback.msiApplyDCMetadataTemplate(coll + '/a.txt', 0)
    callback.writeLine('stdout', 'DC template: code %d out %d' % (ret['code'], ret['arguments'][1]))
    for row in genquery.row_iterator('META_DATA_ATTR_NAME, META_DATA_ATTR_VALUE',
                                     "DATA_NAME = 'a.txt' and COLL_NAME = '%s' and META_DATA_ATTR_NAME like 'DC.T%%'" % coll,
                                     genquery.AS_LIST, callback):
        callback.writeLine('stdout', 'avu: %s=[%s]' % (row[0], row[1]))

INPUT *coll="/tempZone/home/rods/msiGetTaggedValueFromString"
OUTPUT ruleExecOut
