import genquery

# Sources: irods server/re/src/icatAdminMS.cpp@5.0.2 L66-88 (msiCreateUser), L271-292
# (msiDeleteUser): irule's rei has no uoio (server/api/src/rsExecMyRule.cpp L69-74), so the
# catalog refuses a null user (plugins/database/src/db_plugin.cpp L8085-8090, L4163-4168:
# CAT_INVALID_ARGUMENT, -816000); L372-423 (msiRemoveUserFromGroup) through chlModGroup
# (db_plugin.cpp L7210-7370): an unknown group CAT_INVALID_GROUP (-829000), an unknown user or
# zone CAT_INVALID_USER (-827000); L520-567 (msiRenameCollection: NOT_A_COLLECTION -170000, a
# relative destination OBJ_PATH_DOES_NOT_EXIST -358000); L581-634
# (msiRenameLocalZoneCollection to the zone's own name: 0). Upstream: test_all_rules.py@5.0.2
# L1640-1700 (issue 7165), L771-838 (issues 4597, 5452).


def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]

    def outcome(name, *args):
        try:
            ret = getattr(callback, name)(*args)
            return 'code %d' % ret['code']
        except RuntimeError as e:
            return str(e).split(']')[0] + ']'

    callback.writeLine('stdout', 'create user: ' + outcome('msiCreateUser'))
    callback.writeLine('stdout', 'delete user: ' + outcome('msiDeleteUser'))
    for group, user, zone in (('does_not_exist', 'rods', 'tempZone'),
                              ('public', 'does_not_exist', 'tempZone'),
                              ('public', 'rods', 'does_not_exist')):
        callback.writeLine('stdout', 'remove %s %s#%s: %s' % (
            group, user, zone, outcome('msiRemoveUserFromGroup', group, user, zone)))
    callback.msiCollCreate(coll + '/col.a', '0', 0)
    callback.writeLine('stdout', 'rename: ' + outcome('msiRenameCollection', coll + '/col.a', coll + '/col.b'))
    callback.writeLine('stdout', 'renamed: ' + outcome('msiObjStat', coll + '/col.b', irods_types.RodsObjStat()))
    callback.writeLine('stdout', 'relative: ' + outcome('msiRenameCollection', coll + '/col.b', 'col.a'))
    callback.writeLine('stdout', 'data object: ' + outcome('msiRenameCollection', coll + '/a.txt', coll + '/b.txt'))
    callback.writeLine('stdout', 'onto data object: ' + outcome('msiRenameCollection', coll + '/col.b', coll + '/a.txt'))
    callback.writeLine('stdout', 'zone collection: ' + outcome('msiRenameLocalZoneCollection', 'tempZone'))

INPUT *coll="/tempZone/home/rods/msiRemoveUserFromGroup"
OUTPUT ruleExecOut
