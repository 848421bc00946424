"""Shared measuring for the ``bench_*.py`` scripts: sizes, per-layer CPU, counters, floor, output.

Each benchmark defines ``measure(n, tmp) -> (sandbox, objects, run)`` pieces through
:func:`bench_main`, which runs every size in fresh child processes (so peak RSS is per size):

* a *plain* child: builds the tree, runs the workflow once and reports wall time, process CPU,
  Handle requests (the sandbox's Handle servers' request counters), microservice calls and
  GenQuery round trips (``b2safe_sandbox/runtime/counters.py``, via ``sb.stats()``) and memory;
  then the *floor* in the same process:
  stdlib ``http.client`` PUTs of a three-value handle record to the same Handle server over one
  kept-alive connection, plus raw ``sqlite3`` AVU inserts (one committed transaction each);
  The plain child also runs :class:`bench_layers.BoundaryClock`, which measures b2safe's own
  CPU where the ruleset and the server meet (``engine.call_rule_code`` and ``engine.dispatch``):
  the ``b2safe CPU`` column (``b2safe_cpu_ms_per_object``; the median of the plain runs with
  ``--repeat``), what an agent would spend in b2safe's Python with the server's work for every
  microservice and PEP taken out;
* a *split* child (the cross-check, ``*_profiled`` columns): the same build and run under
  :class:`bench_layers.LayerProfiler`, which attributes CPU to the layer whose code is running
  (b2safe, emulator, Handle server, other) by the file of each Python function, corrected for
  the profiler's own dispatch cost (:func:`bench_layers.attribute`); b2safe's profiled figure is
  the plain run's process CPU times b2safe's share
  (``b2safe_cpu_ms_per_object_profiled``; uncorrected: ``..._profiled_uncorrected``). The two
  methods disagree by the profiler's error (docs/performance.md gives both);
* the rule engine's *start*: both children first run the same rule on a tree of a few objects,
  timed on its own (:func:`start_cost`, ``start_cpu_ms`` per run and b2safe's part), so the
  per-object figures are what each further object costs; a split run's profiler is installed
  from that first call on, so that it sees the threads it starts (the PID worker pool).

Memory, three figures of the child process (the Handle servers' process is not in them):
``peak RSS`` is ``getrusage``'s maximum resident set size over the whole child (loading the
tree straight into the catalog, the run, the floor); ``RSS at run`` is its resident set when
the workflow starts (tree built) and ``run peak RSS`` the high-water mark during the workflow
alone (reset at its start through ``/proc/self/clear_refs``), so ``run peak RSS - RSS at run``
is what the run adds: modules it imports first (the same at every N), the PEP event log and
the server log kept in memory (``RecentList``, at most ``EVENTS_MAXLEN`` and ``LOG_MAXLEN``
entries), SQLite's page caches (catalog and temporary tables, ``Db.CACHE_KIB`` each per
connection), its sorts (1 MB at most in memory) and statement cache (``Db.CACHED_STATEMENTS``
per connection) filling up to their caps, and what b2safe holds. Neither
tracemalloc nor a profiler runs in the plain child (the boundary clock's two readings per
crossing, a few crossings per object, are all it adds).

The zones' Handle servers run in a process of their own by default (:class:`RemoteHandles`;
``--handle-in-process`` keeps them in the benchmark's process as before), so they do not share
the agent's GIL and their CPU is not the agent's: the ``HS CPU`` column is that process's CPU.
The floor's CPU (``floor CPU``: the calling process's CPU for the stdlib PUTs and raw SQLite
writes) is the least an agent spends per object; ``b2safe/floor`` divides b2safe-only CPU by it.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
# This checkout's packages, ahead of any installed copy; the scripts import the sandbox from
# here (``from bench_common import Sandbox, site``) so that they get this checkout's too.
sys.path[:0] = [str(ROOT), str(ROOT / "b2safe-sandbox")]

from b2safe_sandbox import site  # noqa: E402
from b2safe_sandbox.sandbox import Sandbox  # noqa: E402
from bench_layers import LAYERS, BoundaryClock, LayerProfiler, attribute  # noqa: E402

__all__ = ["LayerProfiler", "Sandbox", "bench_main", "close_sandbox", "floor_seconds",
           "open_handles", "run_once", "site", "start_cost"]
#: b2safe's CPU at the ruleset's boundary, installed in plain children (not with the Handle
#: servers in this process: their threads' CPU could not be told from b2safe's PID workers').
CLOCK = BoundaryClock()

#: Settings of this run (``--latency``, ``--workers``, ``--handle-in-process``), forwarded to
#: the child processes.
SETTINGS: dict[str, Any] = {"latency_ms": 0, "workers": None, "handle_in_process": False,
                            "http_engine": None}


class LocalHandles:
    """The zones' Handle servers in this process (``--handle-in-process``)."""

    def __init__(self, sb: Any) -> None:
        self._sb = sb

    def requests(self, zones: tuple[str, ...]) -> int:
        """Requests the servers of ``zones`` answered since :meth:`reset`."""
        return sum(self._sb.handle_server(z).stats.total for z in zones)

    def reset(self, zones: tuple[str, ...], latency_ms: int) -> None:
        """Zero the request counts of ``zones``' servers and set their latency."""
        for zone in zones:
            server = self._sb.handle_server(zone)
            server.stats.reset()
            server.faults.latency_ms = latency_ms

    def cpu_seconds(self) -> Optional[float]:
        """CPU of the servers' process, when it is not this one (else None)."""
        return None

    def close(self) -> None:
        """Nothing to stop (the sandbox stops its servers)."""


class RemoteHandles(LocalHandles):
    """The zones' Handle servers in a child process (``bench_common.py --serve-handles DIR``),
    started before this process opens them: this process's sandbox then finds each port served
    by a live process of the sandbox and uses it (``handle_sites.attach``). The child answers
    one JSON line per command on its stdin (see :func:`serve_handles`)."""

    def __init__(self, directory: Path) -> None:
        self._child = subprocess.Popen([sys.executable, __file__, "--serve-handles",
                                        str(directory)], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True)
        self._ask("ready")

    def _ask(self, command: str) -> Any:
        assert self._child.stdin is not None and self._child.stdout is not None
        self._child.stdin.write(command + "\n")
        self._child.stdin.flush()
        line = self._child.stdout.readline()
        if not line:
            raise SystemExit(f"the Handle server process ended (asked {command!r})")
        return json.loads(line)

    def requests(self, zones: tuple[str, ...]) -> int:
        return int(self._ask("requests " + " ".join(zones)))

    def reset(self, zones: tuple[str, ...], latency_ms: int) -> None:
        self._ask(f"reset {latency_ms} " + " ".join(zones))

    def cpu_seconds(self) -> Optional[float]:
        return float(self._ask("cpu"))

    def close(self) -> None:
        if self._child.stdin is not None:
            self._child.stdin.close()
        self._child.wait(timeout=60)


def serve_handles(directory: str) -> int:
    """The child of :class:`RemoteHandles`: serve the sandbox's Handle servers; answer
    ``ready``, ``requests ZONE...``, ``reset MS ZONE...`` and ``cpu`` (one JSON line each)
    until stdin closes."""
    sb = site.open(directory)
    sb.start_services()
    try:
        for line in sys.stdin:
            command, *args = line.split()
            answer: Any = "ok"
            if command == "requests":
                answer = sum(sb.handle_server(z).stats.total for z in args)
            elif command == "reset":
                LocalHandles(sb).reset(tuple(args[1:]), int(args[0]))
            elif command == "cpu":
                answer = time.process_time()
            print(json.dumps(answer), flush=True)
    finally:
        sb.close()
    return 0


def open_handles(sb: Any) -> LocalHandles:
    """The Handle servers of a sandbox just created: in a child process unless
    ``--handle-in-process``. Call before anything in this process starts the sandbox's
    services."""
    if SETTINGS["handle_in_process"]:
        return LocalHandles(sb)
    return RemoteHandles(sb.directory)


def close_sandbox(sb: Any, handles: LocalHandles) -> None:
    """Close this process's PID clients, the sandbox, then the Handle servers' process."""
    from b2safe.adapters.handle import rest

    rest.clear_cache()
    sb.close()
    handles.close()


def counters(sb: Any, handles: LocalHandles, zones: tuple[str, ...]) -> dict[str, Any]:
    """Handle requests, microservice calls (in all and per microservice) and GenQuery round
    trips since :func:`reset_counters`, summed over ``zones``."""
    stats = sb.stats()
    by_name: dict[str, int] = {}
    for zone in zones:
        for name, count in stats[zone]["msi"].items():
            by_name[name] = by_name.get(name, 0) + count
    return {
        "handle_requests": handles.requests(zones),
        "msi_calls": sum(by_name.values()),
        "msi_by_name": by_name,
        "genquery_round_trips": sum(stats[z]["genquery_round_trips"] for z in zones),
    }


def reset_counters(sb: Any, handles: LocalHandles, zones: tuple[str, ...],
                   latency_ms: Optional[int] = None) -> None:
    """Zero the sandbox's counters and the Handle servers' request counts; set their latency
    (default: ``--latency``), the zones' log level to the example configuration's (1, info;
    the sandbox logs debug lines, one ``writeLine`` each) and, with ``--workers``, their PID
    worker pool size."""
    latency = SETTINGS["latency_ms"] if latency_ms is None else latency_ms
    handles.reset(zones, latency)
    for zone in zones:
        path = sb.zone(zone).config_dir / "b2safe.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data.setdefault("logging", {})["level"] = 1
        if SETTINGS["workers"]:
            data.setdefault("pid", {})["workers"] = SETTINGS["workers"]
        path.write_text(json.dumps(data), encoding="utf-8")
    sb.reset_stats()


def floor_seconds(sb: Any, zone: str, tmp: Path, n: int, puts: int, avus: int
                  ) -> dict[str, float]:
    """Wall and process CPU seconds (``floor_seconds``, ``floor_cpu_seconds``) of ``n`` x
    (``puts`` stdlib PUTs to ``zone``'s Handle server + ``avus`` raw SQLite AVU inserts, each its
    own transaction): the floor a PID workflow cannot beat."""
    creds = json.loads((sb.zone(zone).config_dir / "pid-credentials.json").read_text())
    url = creds["handle_server_url"].split("//", 1)[1].split("/", 1)[0]
    host, port = url.rsplit(":", 1)
    token = base64.b64encode(f"{quote(creds['username'])}:{creds['password']}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
    prefix = creds["prefix"]
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    db = sqlite3.connect(str(tmp / "floor.db"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE avu (object_id INTEGER, name TEXT, value TEXT, units TEXT)")
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        for k in range(puts):
            handle = f"{prefix}/FLOOR-{i}-{k}"
            values = [
                {"index": 100, "type": "HS_ADMIN", "data": {"format": "admin", "value": {
                    "handle": f"0.NA/{prefix}", "index": 200, "permissions": "011111110011"}}},
                {"index": 1, "type": "URL", "data": {"format": "string",
                                                     "value": f"irods://zone/floor/{i}"}},
                {"index": 2, "type": "CHECKSUM", "data": {"format": "string",
                                                          "value": f"sha2:{i:040d}"}},
            ]
            conn.request("PUT", f"/api/handles/{handle}?overwrite=false",
                         json.dumps({"values": values}), headers)
            answer = conn.getresponse()
            answer.read()
            if answer.status not in (200, 201):
                raise SystemExit(f"floor PUT {handle} answered {answer.status}")
        for k in range(avus):
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO avu VALUES (?, ?, ?, ?)", (i, f"A{k}", f"v{i}", ""))
            db.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    conn.close()
    db.close()
    return {"floor_seconds": elapsed, "floor_cpu_seconds": cpu}


#: A workload: (n, tmp dir, profiler or None) -> dict with "objects" (N), optionally "units"
#: (what the per-object figures divide by, e.g. PIDs created; default N), "wall_seconds",
#: "cpu_seconds", the counters, and "floor_seconds" (plain runs only).
Workload = Callable[[int, Path, Optional[LayerProfiler]], dict[str, Any]]


def _status_mb(field: str) -> Optional[float]:
    """``VmRSS``/``VmHWM`` of this process in MB (Linux ``/proc/self/status``), else None."""
    try:
        text = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def _reset_peak_rss() -> bool:
    """Set this process's RSS high-water mark (VmHWM) to its current RSS (Linux: ``5`` to
    ``/proc/self/clear_refs``); False where that cannot be done."""
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        return False
    return True


def timed(profiler: Optional[LayerProfiler], run: Callable[[], Any],
          handles: Optional[LocalHandles] = None) -> dict[str, Any]:
    """Wall and process CPU seconds of ``run()``, under ``profiler`` when given (installed
    if it is not yet, left installed; what it charged during ``run`` per layer is
    ``layer_cpu_seconds_uncorrected`` and ``layer_events``), b2safe's and the server's CPU by
    the boundary clock when it is installed (``side_cpu_seconds``), the CPU
    seconds of the Handle servers' process (``handle_cpu_seconds``) when it is another one,
    and this process's RSS when the run starts (``run_start_rss_mb``: the tree is built, the
    modules loaded so far are in) and its high-water mark during the run (``run_peak_rss_mb``,
    the mark reset at the start; both absent off Linux)."""
    served = handles.cpu_seconds() if handles is not None else None
    start_rss = _status_mb("VmRSS") if _reset_peak_rss() else None
    if profiler is not None:
        profiler.install()
        before = profiler.snapshot()
    sides = CLOCK.snapshot() if CLOCK.installed else None
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    row: dict[str, Any] = {"wall_seconds": time.perf_counter() - wall,
                           "cpu_seconds": time.process_time() - cpu}
    if sides is not None:
        row["side_cpu_seconds"] = {side: spent - sides[side]
                                   for side, spent in CLOCK.snapshot().items()}
    if profiler is not None:
        after = profiler.snapshot()
        row["layer_cpu_seconds_uncorrected"] = {k: after[0][k] - before[0][k] for k in LAYERS}
        row["layer_events"] = {k: after[1][k] - before[1][k] for k in LAYERS}
    peak_rss = _status_mb("VmHWM") if start_rss is not None else None
    if start_rss is not None and peak_rss is not None:
        row.update(run_start_rss_mb=start_rss, run_peak_rss_mb=peak_rss)
    if served is not None and handles is not None:
        row["handle_cpu_seconds"] = float(handles.cpu_seconds() or 0.0) - served
    return row


def run_once(sb: Sandbox, handles: LocalHandles, profiler: Optional[LayerProfiler],
             zones: tuple[str, ...], zone: str, rule: str, args: list[str], user: str
             ) -> tuple[dict[str, Any], Any]:
    """Zero the counters of ``zones``, run ``rule`` once in ``zone`` as ``user`` (timed, under
    ``profiler`` when given) and count. Returns (row: times and counters, the rule's outcome);
    exits when the rule fails."""
    reset_counters(sb, handles, zones)
    outcome: list[Any] = []
    row: dict[str, Any] = timed(profiler, lambda: outcome.append(
        sb.exec_rule(zone, rule, args, user)), handles)
    if outcome[0].code != 0:
        raise SystemExit(f"{rule} failed ({outcome[0].code}): {outcome[0].traceback}")
    row.update(counters(sb, handles, zones))
    return row, outcome[0]


def start_cost(sb: Sandbox, profiler: Optional[LayerProfiler], zone: str, rule: str,
               args: list[str], user: str) -> dict[str, Any]:
    """The rule engine's start in this process, timed on its own: ``rule`` run once (on a tree
    of its own, a few objects) before the measured run. This first call imports core.py and
    b2safe, loads and validates the configuration, imports the workflow and the PID client and
    connects it, as an agent's first call does; the measured run then shows what each object
    costs, and the start is reported per run (``start_cpu_seconds``; in a split run also its
    layers, ``start_layer_cpu_seconds``), not hidden: a run of N objects in a fresh agent costs
    both. ``profiler`` (split runs) is installed here and stays installed for the measured run,
    so that it sees the threads this call starts (the PID worker pool)."""
    outcome: list[Any] = []
    row = timed(profiler, lambda: outcome.append(sb.exec_rule(zone, rule, args, user)))
    if outcome[0].code != 0:
        raise SystemExit(f"warm-up {rule} failed ({outcome[0].code}): {outcome[0].traceback}")
    start = {"start_cpu_seconds": row["cpu_seconds"], "start_wall_seconds": row["wall_seconds"]}
    if "side_cpu_seconds" in row:
        start["start_side_cpu_seconds"] = row["side_cpu_seconds"]
    if profiler is not None:
        start["start_layer_cpu_seconds_uncorrected"] = row["layer_cpu_seconds_uncorrected"]
        start["start_layer_events"] = row["layer_events"]
    return start


def _child(workload: Workload, n: int, mode: str) -> dict[str, Any]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="b2safe-bench-") as tmp:
        profiler = LayerProfiler() if mode == "split" else None
        if profiler is None and not SETTINGS["handle_in_process"]:
            CLOCK.install()  # before the first rule call (the start)
        row = workload(n, Path(tmp), profiler)
        CLOCK.uninstall()
    row["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if profiler is not None:
        profiler.uninstall()
    return row


def _spawn(script: Path, n: int, mode: str, extra: list[str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, str(script), "--child", str(n), "--mode", mode,
                          *extra], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{script.name} N={n} ({mode}) failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def summarize(plain: dict[str, Any], split: Optional[dict[str, Any]]) -> dict[str, Any]:
    """Per-object figures of one size from its plain and (optional) split run."""
    n = plain.get("units", plain["objects"])
    per = 1000.0 / n
    row = {
        "objects": plain["objects"],
        "latency_ms": SETTINGS["latency_ms"],
        "workers": SETTINGS["workers"] or "default",
        "wall_ms_per_object": round(plain["wall_seconds"] * per, 3),
        "cpu_ms_per_object": round(plain["cpu_seconds"] * per, 3),
        "handle_requests_per_object": round(plain["handle_requests"] / n, 3),
        "msi_calls_per_object": round(plain["msi_calls"] / n, 3),
        "genquery_per_object": round(plain["genquery_round_trips"] / n, 4),
        "max_rss_mb": plain["max_rss_mb"],
        "run_start_rss_mb": plain.get("run_start_rss_mb"),
        "run_peak_rss_mb": plain.get("run_peak_rss_mb"),
        "floor_ms_per_object": round(plain["floor_seconds"] * per, 3),
        "floor_cpu_ms_per_object": round(plain["floor_cpu_seconds"] * per, 3),
        "ratio_to_floor": round(plain["wall_seconds"] / max(plain["floor_seconds"], 1e-9), 1),
        "handle_process": "in-process" if SETTINGS["handle_in_process"] else "own process",
        "http_engine": SETTINGS["http_engine"],
        "msi_per_object_by_name": {name: round(count / n, 3) for name, count in
                                   sorted(plain.get("msi_by_name", {}).items())},
    }
    if "handle_cpu_seconds" in plain:
        row["handle_server_cpu_ms_per_object"] = round(plain["handle_cpu_seconds"] * per, 3)
    if "start_cpu_seconds" in plain:
        row["start_cpu_ms"] = round(plain["start_cpu_seconds"] * 1000, 1)
    if "side_cpu_seconds" in plain:
        b2safe = plain["side_cpu_seconds"]["b2safe"] * per
        row["b2safe_cpu_ms_per_object"] = round(b2safe, 3)
        row["server_cpu_ms_per_object"] = round(plain["side_cpu_seconds"]["server"] * per, 3)
        row["b2safe_cpu_to_floor_cpu"] = round(
            b2safe / max(plain["floor_cpu_seconds"] * per, 1e-9), 1)
        if "start_side_cpu_seconds" in plain:
            start = plain["start_side_cpu_seconds"]["b2safe"] * 1000
            row["b2safe_start_cpu_ms"] = round(start, 1)
            row["b2safe_cpu_ms_per_object_with_start"] = round(b2safe + start / n, 3)
    if split is not None:
        raw = split["layer_cpu_seconds_uncorrected"]
        layers, leak = attribute(raw, split["layer_events"], plain["cpu_seconds"])
        total = sum(layers.values()) or 1.0
        for layer in LAYERS:
            row[f"{layer}_cpu_share"] = round(layers[layer] / total, 3)
        row["b2safe_cpu_ms_per_object_profiled"] = round(
            plain["cpu_seconds"] * layers["b2safe"] / total * per, 3)
        row["b2safe_cpu_ms_per_object_profiled_uncorrected"] = round(
            plain["cpu_seconds"] * raw["b2safe"] / (sum(raw.values()) or 1.0) * per, 3)
        row["profiler_leak_us_per_event"] = round(leak * 1e6, 3)
    return row


def summarize_runs(plains: list[dict[str, Any]], splits: list[dict[str, Any]]
                   ) -> dict[str, Any]:
    """:func:`summarize` of the run with the median CPU among ``plains`` (runs of one size),
    its wall, CPU and b2safe CPU per object replaced by the medians of all runs, every run's
    kept (``runs_<key>``). Of several ``splits`` (profiled runs of the size) the one whose
    profiled b2safe CPU per object is the median gives the profiled figures, every split's kept
    (``runs_b2safe_cpu_ms_per_object_profiled``). One run of each: its figures."""
    by_cpu = sorted(range(len(plains)), key=lambda i: plains[i]["cpu_seconds"])
    median_plain = plains[by_cpu[len(by_cpu) // 2]]
    profiled = "b2safe_cpu_ms_per_object_profiled"
    if len(splits) > 1:
        by_b2safe = sorted(splits, key=lambda split: summarize(median_plain, split)[profiled])
        row = summarize(median_plain, by_b2safe[len(by_b2safe) // 2])
        row[f"runs_{profiled}"] = [summarize(median_plain, split)[profiled] for split in splits]
    else:
        row = summarize(median_plain, splits[0] if splits else None)
    if len(plains) > 1:
        rows = [summarize(plain, None) for plain in plains]
        for key in ("wall_ms_per_object", "cpu_ms_per_object", "b2safe_cpu_ms_per_object"):
            values = [r[key] for r in rows if key in r]
            if values:
                row[key] = round(statistics.median(values), 3)
                row[f"runs_{key}"] = values
        if "b2safe_cpu_ms_per_object" in row:
            row["b2safe_cpu_to_floor_cpu"] = round(
                row["b2safe_cpu_ms_per_object"] / max(row["floor_cpu_ms_per_object"], 1e-9), 1)
    return row


COLUMNS = (("objects", "N"), ("latency_ms", "lat ms"), ("wall_ms_per_object", "wall ms/obj"),
           ("cpu_ms_per_object", "CPU ms/obj"), ("b2safe_cpu_ms_per_object", "b2safe CPU ms/obj"),
           ("floor_cpu_ms_per_object", "floor CPU ms/obj"),
           ("b2safe_cpu_to_floor_cpu", "b2safe/floor CPU"),
           ("server_cpu_ms_per_object", "server CPU ms/obj"),
           ("b2safe_cpu_ms_per_object_profiled", "b2safe profiled ms/obj"),
           ("start_cpu_ms", "start CPU ms/run"), ("b2safe_start_cpu_ms", "b2safe start ms/run"),
           ("b2safe_cpu_ms_per_object_with_start", "b2safe+start ms/obj"),
           ("emulator_cpu_share", "emu share"), ("handle_server_cpu_share", "HS share"),
           ("other_cpu_share", "other share"),
           ("handle_server_cpu_ms_per_object", "HS CPU ms/obj"),
           ("handle_requests_per_object", "Handle req/obj"), ("msi_calls_per_object", "msi/obj"),
           ("genquery_per_object", "GQ/obj"), ("max_rss_mb", "peak RSS MB"),
           ("run_start_rss_mb", "RSS at run MB"), ("run_peak_rss_mb", "run peak RSS MB"),
           ("floor_ms_per_object", "floor ms/obj"), ("ratio_to_floor", "x floor"))


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a fixed-width text table (missing cells as '-')."""
    heads = [title for _, title in COLUMNS]
    cells = [[str(row.get(key, "-")) for key, _ in COLUMNS] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(heads, widths))]
    lines.append("-" * len(lines[0]))
    lines += ["  ".join(c.rjust(w) for c, w in zip(cell, widths)) for cell in cells]
    return "\n".join(lines)


def bench_main(name: str, script: str, workload: Workload, doc: str,
               argv: Optional[list[str]] = None) -> int:
    """The command line of a benchmark: ``--sizes 1000 5000 20000``, ``--json FILE``,
    ``--no-split`` (skip the per-layer CPU run); ``--child N --mode plain|split`` is internal."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000],
                        help="numbers of objects, one run each (default 1000)")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON to FILE")
    parser.add_argument("--no-split", action="store_true",
                        help="skip the profiled run that splits CPU by layer")
    parser.add_argument("--split-max", type=int, metavar="N",
                        help="split CPU by layer only for sizes up to N (the profiled run "
                             "takes about three times as long)")
    parser.add_argument("--latency", type=int, default=0, metavar="MS",
                        help="Handle server latency per request in ms (default 0)")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="PID worker pool size (pid.workers; default: the configuration's)")
    parser.add_argument("--handle-in-process", action="store_true",
                        help="run the Handle servers in the benchmark's process (default: a "
                             "process of their own)")
    parser.add_argument("--repeat", type=int, default=1, metavar="K",
                        help="runs per size, plain and profiled (default 1); the row gives "
                             "the median wall, CPU and b2safe CPU per object and lists every "
                             "run's")
    parser.add_argument("--http-engine", choices=("curl", "stdlib"),
                        help="b2safe's Handle HTTP engine: curl (pycurl, the fast-http extra) or "
                             "stdlib (http.client); default: curl when pycurl is installed")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=("plain", "split"), default="plain",
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from b2safe.adapters.handle import transport

    transport.ENGINE = args.http_engine
    SETTINGS.update(latency_ms=args.latency, workers=args.workers,
                    handle_in_process=args.handle_in_process,
                    http_engine=transport.default_engine())
    extra = [f"--latency={args.latency}", f"--http-engine={SETTINGS['http_engine']}"]
    extra += [f"--workers={args.workers}"] if args.workers else []
    extra += ["--handle-in-process"] if args.handle_in_process else []
    if args.child is not None:
        print(json.dumps(_child(workload, args.child, args.mode)))
        return 0
    import os

    rows = []
    for n in args.sizes:
        load_before = round(os.getloadavg()[0], 2)
        plains = [_spawn(Path(script), n, "plain", extra) for _ in range(max(1, args.repeat))]
        profiled = not args.no_split and (args.split_max is None or n <= args.split_max)
        splits = [_spawn(Path(script), n, "split", extra)
                  for _ in range(max(1, args.repeat) if profiled else 0)]
        rows.append(summarize_runs(plains, splits))
        rows[-1]["load_average"] = [load_before, round(os.getloadavg()[0], 2)]
        print(f"{name}: N={n} done", file=sys.stderr, flush=True)
        if args.json:  # after every size: a long run that is stopped keeps what it measured
            write_json(args.json, name, rows)
    print(table(rows))
    print("microservice calls per object, by microservice:")
    for row in rows:
        calls = ", ".join(f"{k} {v}" for k, v in row["msi_per_object_by_name"].items())
        print(f"  N={row['objects']}: {calls}")
    return 0


def write_json(path: str, name: str, rows: list[dict[str, Any]]) -> None:
    """The results as ``docs/perf/<name>.json`` expects them: rows, date, machine."""
    document = {"benchmark": name, "measured_at": time.strftime("%Y-%m-%d %H:%M UTC",
                                                                time.gmtime()),
                "machine": machine(), "rows": rows}
    Path(path).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def machine() -> dict[str, Any]:
    """What the numbers were measured on: CPUs, load average, Python."""
    import os
    import platform

    return {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(), "platform": platform.platform()}


if __name__ == "__main__" and sys.argv[1:2] == ["--serve-handles"]:
    sys.exit(serve_handles(sys.argv[2]))
