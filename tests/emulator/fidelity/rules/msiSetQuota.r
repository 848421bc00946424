import genquery

# Sources: irods server/re/src/icatAdminMS.cpp@5.0.2 L674-745 (msiSetQuota: rodsadmin only;
# type 'user' or 'group', else USER_BAD_KEYWORD_ERR); plugins/database/src/db_plugin.cpp@5.0.2
# L11483-11600 (chlSetQuota: an unknown resource CAT_INVALID_RESOURCE, a user limit other than
# 0 SYS_NOT_ALLOWED); server/re/src/icatGeneralMS.cpp@5.0.2 L553-575 (msiDeleteUnusedAVUs);
# upstream rule texts clients/icommands/test/rules/rulemsiSetQuota.r,
# rulemsiDeleteUnusedAVUs.r.


def main(rule_args, callback, rei):

    def outcome(*args):
        try:
            ret = callback.msiSetQuota(*args)
            return 'status %s code %d' % (ret['status'], ret['code'])
        except RuntimeError as e:
            return str(e).split(']')[0] + ']'

    callback.writeLine('stdout', 'user zero: ' + outcome('user', 'rods', 'total', '0'))
    callback.writeLine('stdout', 'user limit: ' + outcome('user', 'rods', 'total', '1000'))
    callback.writeLine('stdout', 'bad type: ' + outcome('zone', 'rods', 'total', '0'))
    callback.writeLine('stdout', 'bad resource: ' + outcome('user', 'rods', 'noSuchResc', '0'))
    ret = callback.msiDeleteUnusedAVUs()
    callback.writeLine('stdout', 'unused AVUs: status %s code %d' % (ret['status'], ret['code']))

INPUT *coll="/tempZone/home/rods/msiSetQuota"
OUTPUT ruleExecOut
