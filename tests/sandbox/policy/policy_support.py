"""Helpers shared by the policy tests (constants, queries, policy dictionaries)."""

from __future__ import annotations

ARCHIVE = "/zoneA/home/alice/archive"
REPLICAS_B = "/zoneB/replicas"


def archive_policy(**overrides):
    """The policy most tests use: PID now, one registered replica in zoneB."""
    policy = {"name": "archive", "collection": ARCHIVE, "pid": "now",
              "replicate": [{"destination": REPLICAS_B, "registered": True}],
              "fixed_content": True, "ror": "pid", "fio": "pid"}
    policy.update(overrides)
    return policy


def fail_log_rows(world, zone="zoneA"):
    """Fail-log records of a zone (GenQuery over data-object AVUs)."""
    return world.client(f"rods#{zone}").iquest(
        "SELECT COLL_NAME, DATA_NAME, META_DATA_ATTR_VALUE WHERE "
        "META_DATA_ATTR_NAME like 'eudat_fail_log:%'")


def pending_pid_rows(world, zone="zoneA"):
    """Pending policy-PID marks of a zone."""
    return world.client(f"rods#{zone}").iquest(
        "SELECT COLL_NAME, DATA_NAME WHERE META_DATA_ATTR_NAME = 'eudat_pending:pid'")


def run_pending_work(world, zone="zoneA", rounds=20):
    """Run the delay queue (30 s steps) until ``zone`` holds no ``EUDATPolicyPending`` rule;
    fails after ``rounds`` runs (a run that keeps failing waits its retry period)."""
    for _ in range(rounds):
        world.sb.run_delayed(advance=31)
        if not any("EUDATPolicyPending(" in row.name
                   for row in world.sb.zone(zone).catalog.delay_list()):
            return
    raise AssertionError(f"EUDATPolicyPending still queued in {zone} after {rounds} runs")


ZONES = ("zoneA", "zoneB", "zoneC")


def snapshot(world):
    """Catalog rows that rules may change in every zone, plus every Handle record."""
    state = {}
    queries = {
        "data": (["COLL_NAME", "DATA_NAME", "DATA_REPL_NUM", "DATA_SIZE", "DATA_CHECKSUM",
                  "DATA_OWNER_NAME"], ""),
        "coll": (["COLL_NAME", "COLL_OWNER_NAME"], ""),
        "data_avu": (["COLL_NAME", "DATA_NAME", "META_DATA_ATTR_NAME", "META_DATA_ATTR_VALUE",
                      "META_DATA_ATTR_UNITS"], ""),
        "coll_avu": (["COLL_NAME", "META_COLL_ATTR_NAME", "META_COLL_ATTR_VALUE",
                      "META_COLL_ATTR_UNITS"], ""),
        "acl": (["COLL_NAME", "DATA_NAME", "DATA_ACCESS_NAME", "DATA_ACCESS_USER_ID"], ""),
    }
    for zone in ZONES:
        catalog = world.sb.zone(zone).catalog
        for key, (columns, conditions) in queries.items():
            rows, offset = [], 0
            while True:
                page = catalog.genquery(columns, conditions, None, offset=offset)
                rows += [tuple(r) for r in page.rows]
                if not page.has_more:
                    break
                offset += len(page.rows)
            state[(zone, key)] = sorted(rows)
        state[(zone, "delay")] = sorted((r.name, r.user_name) for r in catalog.delay_list())
        server = world.sb.handle_server(zone)
        state[(zone, "handles")] = sorted(
            (h, repr(server.store.get(h))) for h in server.store.list_handles(server.prefix))
    return state


def diff(before, after):
    return {k: (before.get(k), after.get(k)) for k in set(before) | set(after)
            if before.get(k) != after.get(k)}
