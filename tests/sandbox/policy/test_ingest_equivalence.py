"""Every route in turn uploads the same objects and ends in the state ``iput`` leaves: catalogs
(objects, replicas, AVUs) and Handle records, PIDs compared by the path that carries them, on
the iRODS version of the test run (``--irods-version``).

A few objects per route here; ``scripts/check_ingest_equivalence.py`` runs the same comparison
with 500 objects per route.
"""

from __future__ import annotations

from ingest_equivalence import all_routes, build, differences

COUNT = 10  # sizes 1-7 times the text, all five sub-collections, twice each


def test_every_route_in_turn_ends_in_the_state_of_iput(tmp_path):
    routes = all_routes()
    world = build(tmp_path / "sandbox", routes, COUNT)
    try:
        assert differences(world, routes, COUNT) == {route: [] for route in routes[1:]}
    finally:
        world.close()
