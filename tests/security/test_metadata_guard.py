"""b2safe's own attributes (PID, EUDAT/*, eudat_*) cannot be changed through the metadata API by
anyone but a rodsadmin of the zone: not the object's owner, not a user of another zone, not a
federated zone's rodsadmin. The guard fires in the sandbox as imeta fires it on a server.
"""

from __future__ import annotations

import pytest
from attack_helpers import avu_rows, user_file
from b2safe_sandbox.errors import IrodsCallError

from b2safe import errors

PATH = "/zoneA/home/alice/f.dat"


@pytest.fixture
def owned(world):
    """alice's object with a PID (so it carries PID and EUDAT/* attributes); carol#zoneB and
    rods#zoneB own it too (ACLs), to show that rights on the object are not enough."""
    user_file(world, PATH)
    world.call("EUDATCreatePID", "None", PATH, "None", "None", "true", "")
    alice = world.client("alice#zoneA")
    alice.ichmod("own", "carol#zoneB", PATH)
    alice.ichmod("own", "rods#zoneB", PATH)
    return world


REQUESTS = [
    ("set", "PID", "21.T90001/STOLEN", ""),
    ("add", "PID", "21.T90001/SECOND", ""),
    ("rm", "PID", None, ""),
    ("set", "EUDAT/FIXED_CONTENT", "False", ""),
    ("rm", "EUDAT/FIXED_CONTENT", None, ""),
    ("set", "eudat_fail_log:0123456789ab", "/a::/b::false::x", "v2;user=rods%23zoneA"),
    ("set", "eudat_sweep:destination", "/zoneB/private", ""),
    ("add", "eudat_pending:replica", "otherResc", ""),
]


@pytest.mark.parametrize("user", ["alice#zoneA", "carol#zoneB", "rods#zoneB"])
@pytest.mark.parametrize("op,name,value,units", REQUESTS)
def test_imeta_on_b2safe_attributes_is_refused(owned, user, op, name, value, units):
    before = avu_rows(owned, PATH)
    if value is None:
        value = next(v for n, v, _ in before if n == name)
    with pytest.raises(IrodsCallError) as caught:
        owned.client(user).imeta(op, "-d", PATH, name, value, units)
    assert caught.value.code == errors.CAT_NO_ACCESS_PERMISSION
    assert avu_rows(owned, PATH) == before


@pytest.mark.parametrize("op,args", [
    ("rmw", ("%", "%")),            # wildcard removal of everything
    ("rmw", ("EUDAT/%", "%")),
    ("mod", ("OTHER", "v", "", "n:PID")),  # renaming one's own attribute into b2safe's
])
def test_wildcard_and_renaming_requests_are_refused(owned, op, args):
    alice = owned.client("alice#zoneA")
    alice.imeta("set", "-d", PATH, "OTHER", "v")
    before = avu_rows(owned, PATH)
    with pytest.raises(IrodsCallError) as caught:
        alice._api("zoneA", "mod_avu_metadata",
                   [{"arg0": op, "arg1": "-d", "arg2": PATH,
                     **{f"arg{i + 3}": a for i, a in enumerate(args)}}],
                   lambda ctx: None)
    assert caught.value.code == errors.CAT_NO_ACCESS_PERMISSION
    assert avu_rows(owned, PATH) == before


def test_users_still_manage_their_own_attributes(owned):
    alice = owned.client("alice#zoneA")
    alice.imeta("set", "-d", PATH, "project", "x")
    alice.imeta("rm", "-d", PATH, "project", "x")
    alice.imeta("set", "-d", PATH, "PIDlike", "not ours")  # only the exact name PID is guarded


def test_the_zones_rodsadmin_may_repair_them(owned):
    rods = owned.client("rods#zoneA")
    rods.imeta("set", "-d", PATH, "EUDAT/FIXED_CONTENT", "True")
    assert ("EUDAT/FIXED_CONTENT", "True", "") in avu_rows(owned, PATH)


def test_b2safe_rules_still_write_them_for_users(owned):
    """The rules write through msiModAVUMetadata, which fires no API PEP."""
    other = user_file(owned, "/zoneA/home/alice/g.dat")
    owned.call("EUDATCreatePID", "None", other, "None", "None", "false", "")
    assert any(n == "PID" for n, _, _ in avu_rows(owned, other))


def _bytes_buf(text):
    """The request as PREP hands it to the PEP: an irods_types.BytesBuf (the sandbox's)."""
    from b2safe_sandbox.runtime.irods_types import BytesBuf

    buf = BytesBuf()
    buf.set_buffer(text.encode("utf-8"))
    return buf


def test_an_atomic_metadata_request_is_refused(owned):
    import json

    request = {"entity_name": PATH, "entity_type": "data_object",
               "operations": [{"operation": "add", "attribute": "PID", "value": "x"}]}
    result = owned.sb.exec_rule("zoneA", "pep_api_atomic_apply_metadata_operations_pre",
                                ["instance", None, _bytes_buf(json.dumps(request)), None],
                                "alice#zoneA")
    assert result.code == errors.CAT_NO_ACCESS_PERMISSION
    harmless = dict(request, operations=[{"operation": "add", "attribute": "x", "value": "1"}])
    result = owned.sb.exec_rule("zoneA", "pep_api_atomic_apply_metadata_operations_pre",
                                ["instance", None, _bytes_buf(json.dumps(harmless)), None],
                                "alice#zoneA")
    assert result.code >= 0


def _request(world, user, *args):
    """Send a mod_avu_metadata request (``arg0..``) as ``user``; the body changes nothing."""
    world.client(user)._api("zoneA", "mod_avu_metadata",
                            [{f"arg{i}": a for i, a in enumerate(args)}], lambda ctx: None)


def test_removing_or_copying_them_by_id_or_object_is_refused(owned):
    """``imeta rmi`` names an AVU by id and ``imeta cp`` copies every attribute of an object:
    the guard looks the names up in the catalog (PrepCatalog.attribute_names)."""
    alice = owned.client("alice#zoneA")
    alice.imeta("set", "-d", PATH, "project", "x")
    ids = dict(alice.iquest("SELECT META_DATA_ATTR_NAME, META_DATA_ATTR_ID WHERE "
                            "COLL_NAME = '/zoneA/home/alice' AND DATA_NAME = 'f.dat'"))
    other = user_file(owned, "/zoneA/home/alice/g.dat")
    for args in (("rmi", "-d", PATH, ids["PID"]), ("cp", "-d", "-d", PATH, other),
                 ("rmi", "-d", PATH, "12x")):
        with pytest.raises(IrodsCallError) as caught:
            _request(owned, "alice#zoneA", *args)
        assert caught.value.code in (errors.CAT_NO_ACCESS_PERMISSION, errors.SYS_NOT_ALLOWED)
    _request(owned, "alice#zoneA", "rmi", "-d", PATH, ids["project"])  # her own attribute


@pytest.mark.parametrize("pep,unreadable", [
    ("pep_api_atomic_apply_metadata_operations_pre", "not json"),
    ("pep_api_atomic_apply_metadata_operations_pre", None),
    ("pep_api_mod_avu_metadata_pre", None)])
def test_a_request_the_guard_cannot_read_is_refused(owned, pep, unreadable):
    """Fail closed: an input the guard cannot judge is refused for an ordinary user."""
    arg = _bytes_buf(unreadable) if isinstance(unreadable, str) else unreadable
    result = owned.sb.exec_rule("zoneA", pep, ["instance", None, arg, None], "alice#zoneA")
    assert result.code < 0
