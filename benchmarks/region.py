"""A region on one shared PostgreSQL: camera workers, ticket feeds and the regional view, with a database outage.

50 branches at once, the database cut off in the middle. Measured: samples lost (must be 0), write latency, sample →
regional view latency, and the CPU the database server needs.

    .venv/bin/python benchmarks/region.py [--minutes 10] [--branches 50] [--cameras 2] [--workers 5]
                                          [--ticket-rate 200] [--feed-processes 2] [--outage-s 60]
                                          [--admin-url URL] [--keep]
    .venv/bin/python benchmarks/region.py --quick      # a smoke run of about 20 s, see below

--quick: 6 branches in 2 worker processes, 40 ticket events/s in 1 feed process, 8 s of load with a 3 s outage
(each option given explicitly still wins). Without a reachable server the script says so and exits with status 77.

Set-up: a fresh database on the server of ``--admin-url`` (default: tests/pg.py's ``BRANCH_CONSOLE_TEST_PG`` or
console_test@127.0.0.1:5432), dropped at the end; ``--branches`` branches B01, B02, … (Asia/Shanghai, 8 counters)
each with ``--cameras`` cameras assigned to workers (``analysed_by = "worker"``, ``SaveCamera``). Every connection of
the load goes through a TCP relay owned by this process (tests/tcp_proxy.py), cut for ``--outage-s`` seconds in the
middle of the run (new connections refused, open ones closed: a database server that is down).

Processes (this script again, with a hidden ``--role``):
- ``--workers`` camera workers, each serving an equal share of the branches' cameras with a real ``SpoolWriter`` over
  a real ``Spool`` file (console/cameras/worker.py, storage/spool.py; one spool per process, where a deployed worker has one
  per branch). The camera pipelines are replaced by a synthetic producer: each camera submits one
  ``RecordOccupancy`` per second (the lobby total and one zone, ``at`` = the tick's wall-clock time in UTC, the
  cameras' ticks spread over the second) after one ``RecordCameraHealth`` "online". ``on_commit`` stamps each
  sample's commit time.
- ``--feed-processes`` ticket feed processes sharing the branches: ``--ticket-rate`` events/s in total, spread
  evenly over the branches, from a queue simulation per branch (staff log in; tickets issued → called → started →
  finished; 4 % of calls find the customer gone: abandoned; 3 % no-shows). Each branch's ticketing system posts the
  events of the last second as one JSON list; it is parsed and validated as the HTTP API does
  (``console.feed.events.parse_body``) and stored as ``StoreFeedEvents`` through a ``DatabaseWriter.submit_and_wait``
  and a database connection of the branch's own, as each branch's console does (console/app/context.py's API
  handler). A refused post (the API's 503, also after its 10 s timeout) is sent again every 2 s, the oldest events
  first, at most 200 events a post. Storing costs about 4 ms of CPU per event here: 200 events/s in one process
  make its interpreter lock the bottleneck, hence 2 processes by default, run at nice 10 (``--feed-nice``): their
  CPU stands for the consoles' own PCs and is not to be taken from what is measured.
- one regional view, run as console/app/region_window.py's ``RegionFeed`` runs it without the window: a
  ``RegionalReader`` (console/sources/regional.py) stepped by a ``console.sources.notices.NoticedPoller`` that listens to every
  branch's change notices (``LISTEN branch_console``): a read every 2 s, and at once on a notice but at most every
  0.5 s. Each read's wall time and each branch's ``sample_at`` are recorded.

Figures (printed at the end, with the command line): samples produced / stored / lost / duplicated / left in the
spools, for the whole run and for the samples produced during the outage; write latency (spool put → commit)
median/p99/max overall and outside the outage and its backlog; sample → regional view latency (the first read whose
``sample_at`` for the branch is at or after the sample's ``at``, minus the sample's commit time, and minus its
creation time) median/p95/p99/max; ticket events generated / stored / lost, refused posts and resent events; the
regional view's read time and last figures; CPU of the PostgreSQL server (every process named ``postgres``: utime
+ stime from /proc, reaped backends through the postmaster's cutime + cstime) as the average % of one core over the
load and the peak 10-s interval, the share of it spent by the benchmark database's own backends (the server is
shared: other databases' clients count in the total), and the benchmark's own processes' CPU; the machine's cores.
Exit status 1 when a sample or a ticket event was lost.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import os
import random
import re
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.sources.regional import MIN_GAP_S, PERIOD_S  # noqa: E402
from tests.pg import unreachable  # noqa: E402

TZ_NAME = "Asia/Shanghai"
COUNTERS = 8
ZONE = "Counter area"
#: Seconds between two posts of one branch's ticketing system, and before it sends a refused post again.
POST_EVERY_S = 1.0
POST_RETRY_S = 2.0
#: Most events in one post: a backlog (after an outage) is sent oldest first in posts of this many (the API takes up
#: to 1000; a post of 1000 takes several seconds to store, near the API's 10 s timeout on a busy machine).
POST_MAX = 200
#: Seconds a stopping worker (or the ticket feed) may take to write what it still holds.
DRAIN_S = 300.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
#: The regional view reads every 2 s, and at once on a change notice but at most every 0.5 s.
VIEW_PERIOD_S, VIEW_MIN_GAP_S = PERIOD_S, MIN_GAP_S


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def spread(values: list[float], unit: float = 1000.0, suffix: str = "ms", digits: int = 0) -> str:
    """n, min, median, p95, p99 and max of ``values`` (seconds) in ``suffix``."""
    if not values:
        return "n=0"
    f = f"{{:.{digits}f}}"
    return (f"n={len(values)}  min {f.format(min(values) * unit)}  "
            f"median {f.format(statistics.median(values) * unit)}  "
            f"p95 {f.format(percentile(values, 0.95) * unit)}  p99 {f.format(percentile(values, 0.99) * unit)}  "
            f"max {f.format(max(values) * unit)} {suffix}")


# --- child processes: start-up handshake and stop -------------------------------------------------------------


#: Set in a child when the main process went away (end of its stdin) or sent SIGTERM: stop without waiting long
#: for a database that nobody will look at.
ORPHANED = threading.Event()


def child_control(ready_file: Path, stop: threading.Event) -> float:
    """Tell the main process this child is ready, wait for its "go <t_start>", then watch stdin for "stop" (or
    end of file: the main process is gone) in the background. SIGTERM stops too."""

    def orphaned(*_args) -> None:
        ORPHANED.set()
        stop.set()

    signal.signal(signal.SIGTERM, orphaned)
    ready_file.write_text("ready")
    line = sys.stdin.readline()
    if not line.startswith("go "):
        orphaned()
        return time.time()

    def watch() -> None:
        if not sys.stdin.readline().startswith("stop"):
            ORPHANED.set()
        stop.set()

    threading.Thread(target=watch, name="stop-watch", daemon=True).start()
    return float(line.split()[1])


def track_length(length, stop: threading.Event, every_s: float = 0.5) -> list[tuple[float, int]]:
    """(wall time, ``length()``) every ``every_s`` seconds until ``stop``, in a list filled in the background."""
    series: list[tuple[float, int]] = []

    def run() -> None:
        while not stop.wait(every_s):
            series.append((time.time(), length()))

    threading.Thread(target=run, name="backlog", daemon=True).start()
    return series


def own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_worker(cfg: dict) -> None:
    """One headless camera worker process: synthetic cameras → real Spool + SpoolWriter → the database."""
    from console.cameras.worker import SpoolWriter, choose_cameras
    from console.domain.records import CameraHealthEvent, OccupancyPoint
    from storage import repository
    from storage.database import open_database
    from storage.spool import Spool
    from storage.tasks import RecordCameraHealth, RecordOccupancy

    url = cfg["url"]
    stop = threading.Event()
    db = open_database(url)  # as main.py worker does: the branch's cameras assigned to workers
    try:
        cameras = [(code, s.camera.camera_id) for code in cfg["branches"]
                   for s in choose_cameras(repository.load_cameras(db, code), [], code)]
    finally:
        db.close()
    phases = cfg["phases"]
    assert len(phases) == len(cameras), (phases, cameras)
    order = sorted(range(len(cameras)), key=lambda i: phases[i])
    spool = Spool(Path(cfg["spool"]))
    lock = threading.Lock()
    pending: dict[tuple[str, str, str], int] = {}  # (branch, camera, at) → index in produced
    produced: list[list] = []  # [branch, camera, at ISO, lobby count, zone count, put wall time, tick wall time]
    commits: dict[int, float] = {}  # index in produced → commit wall time
    health_committed = [0]
    rewritten = [0]  # samples committed again (an acknowledgement lost with the connection)

    def on_commit(tasks: list) -> None:
        now = time.time()
        with lock:
            for task in tasks:
                if isinstance(task, RecordOccupancy):
                    p = task.points[0]
                    i = pending.pop((task.branch_code, p.camera_id, p.at.isoformat()), None)
                    if i is None:
                        rewritten[0] += 1
                    else:
                        commits[i] = now
                else:
                    health_committed[0] += 1

    writer = SpoolWriter(spool, lambda: open_database(url), url=url, on_commit=on_commit)
    writer.start()
    t_start = child_control(Path(cfg["ready"]), stop)
    backlog = track_length(lambda: len(spool), stop)
    rng = random.Random(cfg["seed"])
    lobby = {cam: rng.randint(0, 20) for _, cam in cameras}
    now = datetime.now(UTC)
    for code, cam in cameras:
        writer.submit(RecordCameraHealth(code, CameraHealthEvent(cam, now, "online", "benchmark producer")))
    second = math.ceil(t_start)
    while not stop.is_set():
        for i in order:
            code, cam = cameras[i]
            tick = second + phases[i]
            delay = tick - time.time()
            if delay > 0 and stop.wait(delay):
                break
            count = lobby[cam] = max(0, min(40, lobby[cam] + rng.choice((-1, 0, 0, 1))))
            zone_count = min(count, rng.randint(0, 8))
            at = datetime.fromtimestamp(round(tick, 3), UTC)
            task = RecordOccupancy(code, (OccupancyPoint(at, count, None, cam),
                                          OccupancyPoint(at, zone_count, ZONE, cam)))
            with lock:
                pending[(code, cam, at.isoformat())] = len(produced)
                produced.append([code, cam, at.isoformat(), count, zone_count, time.time(), tick])
            writer.submit(task)
        second += 1
    stopped = time.time()
    writer.stop(drain_s=5.0 if ORPHANED.is_set() else DRAIN_S)
    left = len(spool)
    in_spool = [[t.branch_code, t.points[0].camera_id, t.points[0].at.isoformat()]
                for _, _, t in spool.take(left) if isinstance(t, RecordOccupancy)]  # kept for the next start
    spool.close()
    stats = writer.stats
    result = {"produced": produced, "commits": {str(k): v for k, v in commits.items()}, "spool_left": left,
              "in_spool": in_spool, "written": stats.written, "batches": stats.batches, "failures": stats.failures,
              "stats_latencies": list(stats.latencies), "rewritten": rewritten[0], "cameras": len(cameras),
              "health_committed": health_committed[0], "backlog": backlog, "drain_s": time.time() - stopped,
              "cpu_s": own_cpu_s()}
    Path(cfg["out"]).write_text(json.dumps(result))


class BranchQueue:
    """One branch's ticketing system, as a stream of events: each call of ``next_event`` is the branch's next
    event. Steps are picked at random among those possible (issue; call the oldest waiting ticket to a free
    counter; start a called ticket; finish a served one), the issue weight pulling the queue towards ``target``
    waiting tickets, so the waiting count, waits and service level are those of a live queue."""

    def __init__(self, code: str, rng: random.Random, target: int = 12) -> None:
        self.code = code
        self.rng = rng
        self.target = target
        self.waiting: deque[str] = deque()
        self.free = [str(c + 1) for c in range(COUNTERS)]
        self.called: dict[str, str] = {}  # counter → ticket
        self.serving: dict[str, str] = {}
        self.seq = 0
        self.events = 0
        self.start_up = [e for c in self.free for e in (
            {"type": "staff_login", "counter_id": c, "staff_id": f"{code}-E{c}"},
            {"type": "counter_state", "counter_id": c, "staff_id": f"{code}-E{c}", "state": "idle"})]

    def next_event(self, at: datetime) -> dict:
        self.events += 1
        body = self.start_up.pop(0) if self.start_up else self._step()
        return {"event_id": f"{self.code}-{self.events:07d}", **body, "at": at.isoformat()}

    def _step(self) -> dict:
        rng = self.rng
        steps = [("issue", min(2.0, max(0.2, 1.0 + (self.target - len(self.waiting)) / self.target)))]
        if self.free and self.waiting:
            steps.append(("call", 1.0))
        if self.called:
            steps.append(("start", 1.0))
        if self.serving:
            steps.append(("finish", 1.0))
        step = rng.choices([s for s, _ in steps], [w for _, w in steps])[0]
        if step == "issue":
            self.seq += 1
            ticket = f"{self.code}-T{self.seq:06d}"
            kind = rng.choices(("cash", "non_cash", "corporate", "vip"), (50, 30, 10, 10))[0]
            self.waiting.append(ticket)
            return {"type": "issued", "ticket_id": ticket, "number": f"{kind[0].upper()}{self.seq % 1000:03d}",
                    "service_type": kind, "priority": kind == "vip"}
        if step == "call":
            ticket = self.waiting.popleft()
            if rng.random() < 0.04:  # the customer left before being called
                return {"type": "abandoned", "ticket_id": ticket}
            counter = self.free.pop(rng.randrange(len(self.free)))
            self.called[counter] = ticket
            return {"type": "called", "ticket_id": ticket, "counter_id": counter, "staff_id": f"{self.code}-E{counter}"}
        if step == "start":
            counter = rng.choice(list(self.called))
            ticket = self.called.pop(counter)
            if rng.random() < 0.03:
                self.free.append(counter)
                return {"type": "no_show", "ticket_id": ticket, "counter_id": counter}
            self.serving[counter] = ticket
            return {"type": "started", "ticket_id": ticket, "counter_id": counter}
        counter = rng.choice(list(self.serving))
        ticket = self.serving.pop(counter)
        self.free.append(counter)
        return {"type": "finished", "ticket_id": ticket, "counter_id": counter}


def run_tickets(cfg: dict) -> None:
    """The ticketing systems of every branch posting to their consoles' feed; see the module docstring."""
    from console.feed.events import FeedError, parse_body
    from storage.database import open_database
    from storage.tasks import StoreFeedEvents
    from storage.writer import DatabaseWriter

    url, codes, rate = cfg["url"], cfg["branches"], cfg["rate"]
    os.nice(cfg["nice"])
    tz = ZoneInfo(TZ_NAME)
    stop = threading.Event()
    # a database (connection pool) per branch, as each branch's console has its own; shared, 25 writers wait for
    # the pool's 15 connections when a backlog is written (migrated already: a console checks that at its start)
    dbs = {code: open_database(url, migrate=False) for code in codes}
    writers = {code: DatabaseWriter(dbs[code]) for code in codes}
    for w in writers.values():
        w.start()
    rng = random.Random(cfg["seed"])
    sims = {code: BranchQueue(code, random.Random(rng.random())) for code in codes}
    outbox: dict[str, deque[tuple[float, dict]]] = {code: deque() for code in codes}
    lock = threading.Lock()
    figures = Counter()
    round_trips: list[tuple[float, float]] = []  # (post start, seconds) of accepted posts
    delays: list[tuple[float, float]] = []  # (generated, seconds until its post was answered 200) per event
    t_start = child_control(Path(cfg["ready"]), stop)
    done_generating = threading.Event()
    backlog = track_length(lambda: sum(len(q) for q in outbox.values()), done_generating)

    def generate() -> None:
        n = 0
        while not stop.is_set():
            delay = t_start + n / rate - time.time()
            if delay > 0 and stop.wait(delay):
                break
            code = codes[n % len(codes)]
            event = sims[code].next_event(datetime.now(tz))
            with lock:
                outbox[code].append((time.time(), event))
            n += 1
        figures["generated"] = n
        done_generating.set()

    def post(index: int, code: str) -> None:
        next_post = t_start + POST_EVERY_S * (1 + index / len(codes))
        writer = writers[code]
        deadline = None
        while True:
            if done_generating.is_set():
                deadline = deadline or time.time() + (5.0 if ORPHANED.is_set() else DRAIN_S)
                with lock:
                    empty = not outbox[code]
                if empty or time.time() > deadline:
                    return
            delay = next_post - time.time()
            if delay > 0:
                time.sleep(min(delay, 0.5))
                continue
            with lock:
                batch = [outbox[code][i] for i in range(min(len(outbox[code]), POST_MAX))]
            if not batch:
                next_post += POST_EVERY_S
                continue
            body = json.dumps([event for _, event in batch])  # what the ticketing system sends over HTTP
            t0 = time.time()
            try:
                events = parse_body(json.loads(body), tz)
                task = StoreFeedEvents(code, tuple(events))
                writer.submit_and_wait(task, timeout_s=10.0)
            except FeedError:
                raise
            except Exception:  # the API answers 503: the ticketing system sends the same events again later
                with lock:
                    figures["posts_refused"] += 1
                    figures["events_in_refused_posts"] += len(batch)
                next_post = time.time() + POST_RETRY_S
                continue
            t1 = time.time()
            with lock:
                for _ in batch:
                    outbox[code].popleft()
                figures["posts_ok"] += 1
                figures["acknowledged_stored"] += task.stored
                figures["acknowledged_duplicates"] += task.duplicates
                round_trips.append((t0, t1 - t0))
                delays.extend((generated, t1 - generated) for generated, _ in batch)
            # a backlog goes on at once; otherwise the events of the next second
            next_post = time.time() if len(batch) == POST_MAX else max(next_post + POST_EVERY_S, time.time())

    threads = [threading.Thread(target=generate, name="feed-generator")]
    threads += [threading.Thread(target=post, args=(i, code), name=f"feed-{code}") for i, code in enumerate(codes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w in writers.values():
        w.stop()
    for db in dbs.values():
        db.close()
    result = {**figures, "left": sum(len(q) for q in outbox.values()), "round_trips": round_trips,
              "unsent": [event["event_id"] for q in outbox.values() for _, event in q],
              "per_branch": {code: sim.events for code, sim in sims.items()}, "backlog": backlog,
              "delays": delays, "cpu_s": own_cpu_s()}
    Path(cfg["out"]).write_text(json.dumps(result))


def run_view(cfg: dict) -> None:
    """The regional view as console/app/region_window.py's ``RegionFeed`` runs it, without the window: a
    ``RegionalReader`` stepped by a ``NoticedPoller`` listening to every branch's change notices."""
    import logging

    from console.sources.notices import NoticedPoller
    from console.sources.regional import RegionalReader
    from storage.database import open_database

    log = logging.getLogger("region.view")
    stop = threading.Event()
    db = open_database(cfg["url"])
    reader = RegionalReader(db)
    reads: list[tuple[float, float]] = []  # (start, end) of each successful read
    failed: list[float] = []
    changes: dict[str, list[tuple[float, float]]] = {}  # branch → (read end, sample_at) when sample_at moved on
    waiting_means: list[float] = []
    figures: list[list] = []  # per read: end, branches, with a lobby count, mean count, waiting mean/max, ...
    failing = [False]

    def step() -> None:
        t0 = time.time()
        try:
            summaries = reader.read(datetime.now(UTC))
        except Exception as exc:  # the database is away: RegionFeed says so and reads again at the next period
            failed.append(t0)
            if not failing[0]:
                log.warning("regional view read failed: %s", str(exc).splitlines()[0] if str(exc) else exc)
                failing[0] = True
            return
        t1 = time.time()
        failing[0] = False
        reads.append((t0, t1))
        for s in summaries:
            if s.sample_at is None:
                continue
            at = s.sample_at.timestamp()
            seen = changes.setdefault(s.code, [])
            if not seen or at > seen[-1][1]:
                seen.append((t1, at))
        waiting_means.append(statistics.fmean(s.waiting for s in summaries) if summaries else 0.0)
        known = [s.occupancy for s in summaries if s.occupancy is not None]
        levels = [s.service_level for s in summaries if s.service_level is not None]
        figures.append([t1, len(summaries), len(known), statistics.fmean(known) if known else None,
                        waiting_means[-1], max((s.waiting for s in summaries), default=0),
                        max((s.longest_wait_s for s in summaries), default=0.0),
                        statistics.fmean(levels) if levels else None, sum(s.alerts for s in summaries)])

    poller = NoticedPoller(db, None, step, name="region-feed", period_s=cfg["period_s"], min_gap_s=cfg["min_gap_s"])
    child_control(Path(cfg["ready"]), stop)
    poller.start()
    stop.wait()
    poller.stop()
    heard = poller.listener.heard if poller.listener is not None else 0
    db.close()
    result = {"reads": reads, "failed": failed, "changes": changes, "heard": heard, "figures": figures,
              "waiting_means": waiting_means, "cpu_s": own_cpu_s()}
    Path(cfg["out"]).write_text(json.dumps(result))


# --- the main process -----------------------------------------------------------------------------------------


def proc_stat(pid: int) -> tuple[int, int, int] | None:
    """(ppid, utime + stime, cutime + cstime) of a process in clock ticks; None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            text = f.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def postgres_pids() -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == "postgres":
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


class CpuSampler:
    """Every second: the PostgreSQL server's CPU (all ``postgres`` processes; backends that ended count through
    the postmaster's cutime + cstime), the part of it spent by backends serving ``dbname`` (each one's last value
    seen, so one that ended is still counted), the CPU of the benchmark's own processes, and the whole machine's
    busy time (/proc/stat)."""

    def __init__(self, dbname: str, own: dict[str, list[int]]) -> None:
        self.dbname = dbname
        self.own = own  # role → pids
        #: wall time, then CPU seconds so far: server, its backends for our database, per role, the whole machine
        self.samples: list[tuple[float, float, float, dict[str, float], float]] = []
        self._ours: dict[int, int] = {}
        self._roles: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def sample(self) -> None:
        total = 0
        pids = set(postgres_pids())
        for pid in pids:
            stat = proc_stat(pid)
            if stat is None:
                continue
            ppid, cpu, children = stat
            total += cpu
            if ppid not in pids:  # the postmaster: its reaped children's time too
                total += children
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    title = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if f" {self.dbname} " in f"{title} ":
                self._ours[pid] = cpu
        for role, role_pids in self.own.items():
            for pid in role_pids:
                stat = proc_stat(pid)
                if stat is not None:
                    self._roles[pid] = stat[1]
        roles = {role: sum(self._roles.get(pid, 0) for pid in role_pids) / CLK_TCK
                 for role, role_pids in self.own.items()}
        with open("/proc/stat") as f:  # the machine: user nice system idle iowait irq softirq steal ...
            ticks = [int(x) for x in f.readline().split()[1:9]]
        busy = sum(ticks) - ticks[3] - ticks[4]
        self.samples.append((time.time(), total / CLK_TCK, sum(self._ours.values()) / CLK_TCK, roles,
                             busy / CLK_TCK))

    def _run(self) -> None:
        while not self._stop.wait(1.0 - time.time() % 1.0):
            self.sample()

    def window(self, start: float, end: float) -> tuple[tuple, tuple]:
        """The samples nearest to ``start`` and ``end``."""
        first = min(self.samples, key=lambda s: abs(s[0] - start))
        last = min(self.samples, key=lambda s: abs(s[0] - end))
        return first, last

    def peak(self, start: float, end: float, width: float = 10.0) -> tuple[float, float]:
        """The highest server CPU (share of one core) over ``width``-second intervals in [start, end], and when
        that interval began (seconds after ``start``)."""
        inside = [s for s in self.samples if start - 0.5 <= s[0] <= end + 0.5]
        best, when = 0.0, 0.0
        for i, a in enumerate(inside):
            j = next((k for k in range(i + 1, len(inside)) if inside[k][0] - a[0] >= width - 0.5), None)
            if j is None:
                break
            b = inside[j]
            share = (b[1] - a[1]) / (b[0] - a[0])
            if share > best:
                best, when = share, a[0] - start
        return best, when


def caught_up(series: list[list[tuple[float, int]]], t_start: float, t_cut: float, t_restore: float,
              t_end: float) -> tuple[int, int, float]:
    """From each process's backlog lengths over time: the longest before the cut, the longest after it, and when
    every process's backlog was back to at most its own longest before the cut (``t_end`` if it never was)."""
    before = peak = 0
    back = t_restore
    for points in series:
        mine = max((n for t, n in points if t_start <= t < t_cut), default=0)
        before, peak = max(before, mine), max(peak, max((n for t, n in points if t >= t_cut), default=0))
        back = max(back, next((t for t, n in points if t >= t_restore and n <= mine), t_end))
    return before, peak, min(back, t_end)


def log_summary(path: Path) -> tuple[Counter, Counter]:
    """Lines per level in a child's log, and its ERROR/WARNING messages with numbers masked (to group them)."""
    levels: Counter = Counter()
    messages: Counter = Counter()
    if not path.exists():
        return levels, messages
    for line in path.read_text(errors="replace").splitlines():
        m = re.match(r"\S+ \S+ (ERROR|WARNING|INFO|DEBUG|CRITICAL) (.*)", line)
        if m is None:
            if line.startswith("Traceback"):
                levels["TRACEBACK"] += 1
            continue
        levels[m.group(1)] += 1
        if m.group(1) in ("ERROR", "WARNING", "CRITICAL"):
            messages[f"{m.group(1)} " + re.sub(r"\d+(\.\d+)?", "N", m.group(2))[:170]] += 1
    return levels, messages


#: Exit status when no PostgreSQL server answers (the run is skipped, not failed).
SERVER_MISSING = 77


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=None, help="length of the load (default 10; --quick 8 s)")
    parser.add_argument("--branches", type=int, default=None, help="branches (default 50; --quick 6)")
    parser.add_argument("--cameras", type=int, default=2, help="cameras per branch, 1 sample/s each")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes sharing the cameras (default 5; --quick 2)")
    parser.add_argument("--ticket-rate", type=float, default=None,
                        help="ticket events/s over all branches (default 200; --quick 40)")
    parser.add_argument("--feed-processes", type=int, default=None,
                        help="processes sharing the branches' ticket feeds (default 2; --quick 1; one Python "
                             "process storing 200 events/s is held back by its own interpreter lock)")
    parser.add_argument("--feed-nice", type=int, default=10,
                        help="niceness of the feed processes: their CPU stands for the consoles' own PCs and should "
                             "not be taken from the workers, the view and the database server (0: same as the rest)")
    parser.add_argument("--outage-s", type=float, default=None, help="database outage in the middle (default 60; "
                                                                     "--quick 3; 0: none)")
    parser.add_argument("--admin-url", default=None, help="administrative URL of the PostgreSQL server "
                                                          "(default: BRANCH_CONSOLE_TEST_PG or tests/pg.py's)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 10 branches, 20 s of load with a 6 s outage")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, spools, results)")
    parser.add_argument("--role", choices=("worker", "tickets", "view"), help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.role is not None:
        import logging

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the main process's: it stops the children in order
        logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic").setLevel(logging.WARNING)
        cfg = json.loads(Path(args.config).read_text())
        {"worker": run_worker, "tickets": run_tickets, "view": run_view}[args.role](cfg)
        return 0

    for name, full, quick in (("branches", 50, 6), ("workers", 5, 2), ("ticket_rate", 200.0, 40.0),
                              ("feed_processes", 2, 1)):
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    run_s = args.minutes * 60.0 if args.minutes is not None else (8.0 if args.quick else 600.0)
    outage_s = args.outage_s if args.outage_s is not None else (3.0 if args.quick else 60.0)
    if outage_s >= run_s:
        parser.error("the outage must be shorter than the run")
    if args.admin_url is None:
        args.admin_url = os.environ.get("BRANCH_CONSOLE_TEST_PG",
                                        "postgresql+psycopg://console_test:console_test@127.0.0.1:5432/postgres")
    why = unreachable(args.admin_url)
    if why:
        print(f"skipped: {why}", file=sys.stderr)
        return SERVER_MISSING
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "benchmarks/region.py", *sys.argv[1:]])
    return Benchmark(args, run_s, outage_s, command).run()


class Benchmark:
    def __init__(self, args: argparse.Namespace, run_s: float, outage_s: float, command: str) -> None:
        self.args = args
        self.run_s = run_s
        self.outage_s = outage_s
        self.command = command
        self.dir = Path(tempfile.mkdtemp(prefix="region-bench-"))
        self.procs: dict[str, subprocess.Popen] = {}
        self.relay = None
        self.dbname = f"region_bench_{uuid.uuid4().hex[:10]}"
        self.admin = None
        self.codes: list[str] = []

    def run(self) -> int:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        def interrupt(*_args) -> None:
            raise KeyboardInterrupt

        # Ctrl+C and SIGTERM end the run in order (children stopped, relay closed, database dropped), also when
        # started from a shell that ignores SIGINT in background jobs
        signal.signal(signal.SIGINT, interrupt)
        signal.signal(signal.SIGTERM, interrupt)
        self.admin = create_engine(self.args.admin_url, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text(f'create database "{self.dbname}"'))
        direct = make_url(self.args.admin_url).set(database=self.dbname)
        try:
            return self._run(direct.render_as_string(hide_password=False))
        except KeyboardInterrupt:
            print("\ninterrupted: stopping the benchmark's processes", file=sys.stderr)
            return 130
        finally:
            self._cleanup(text)

    def _cleanup(self, text) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the clean-up finish (it kills what does not stop)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for name, proc in self.procs.items():
            if proc.poll() is None:  # interrupted: end of stdin tells a child to stop at once
                try:
                    proc.stdin.close()
                except (OSError, ValueError):
                    pass
        deadline = time.time() + 15
        for name, proc in self.procs.items():
            try:
                proc.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                print(f"{name} (pid {proc.pid}) did not stop: killed", file=sys.stderr)
                proc.kill()
                proc.wait()
        if self.relay is not None:
            self.relay.cut()
        for attempt in range(10):
            try:
                with self.admin.connect() as conn:
                    conn.execute(text(f'drop database if exists "{self.dbname}" with (force)'))
                break
            except Exception as exc:
                if attempt == 9:
                    print(f"database {self.dbname} not dropped: {exc}", file=sys.stderr)
                time.sleep(0.5)
        self.admin.dispose()
        if self.args.keep:
            print(f"logs, spools and results kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _setup(self, url: str) -> None:
        from console.domain.records import BranchInfo, CounterStatus, ZoneSpec
        from console.domain.vocabulary import QUEUED_SERVICE_TYPES, CounterState, ZoneKind
        from storage.database import open_database
        from storage.records import CameraSetup, CameraSpec
        from storage.tasks import SaveBranchSetup, SaveCamera
        from storage.writer import apply_now

        a = self.args
        width = max(2, len(str(a.branches)))
        self.codes = [f"B{i + 1:0{width}d}" for i in range(a.branches)]
        db = open_database(url)
        now = datetime.now(UTC)
        square = ((0.0, 0.0), (320.0, 0.0), (320.0, 240.0), (0.0, 240.0))
        try:
            for i, code in enumerate(self.codes):
                counters = tuple(CounterStatus(str(c + 1), f"Counter {c + 1}", QUEUED_SERVICE_TYPES,
                                               CounterState.CLOSED, now) for c in range(COUNTERS))
                tasks: list = [SaveBranchSetup(branch=BranchInfo(code, f"Branch {code}", TZ_NAME, clock_time(0),
                                                                 clock_time(23, 59), 60 + 10 * (i % 5)),
                                               counters=counters)]
                tasks += [SaveCamera(code, CameraSetup(
                    CameraSpec(f"{code}-C{c + 1}", f"Camera {c + 1}", f"rtsp://10.0.{i}.{c + 1}/stream", "rtsp",
                               analysed_by="worker"),
                    zones=(ZoneSpec(ZONE, ZoneKind.COUNTER, square),)), user="benchmark")
                          for c in range(a.cameras)]
                apply_now(db, *tasks)
        finally:
            db.close()

    def _spawn(self, name: str, role: str, cfg: dict) -> subprocess.Popen:
        cfg = {**cfg, "ready": str(self.dir / f"{name}.ready"), "out": str(self.dir / f"{name}.json")}
        path = self.dir / f"{name}.config.json"
        path.write_text(json.dumps(cfg))
        log = (self.dir / f"{name}.log").open("w")
        proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--role", role, "--config", str(path)],
                                stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
        log.close()
        self.procs[name] = proc
        return proc

    def _send(self, names: list[str], line: str) -> None:
        for name in names:
            proc = self.procs[name]
            try:
                proc.stdin.write(line + "\n")
                proc.stdin.flush()
            except (OSError, ValueError):
                pass

    def _run(self, direct_url: str) -> int:
        from sqlalchemy.engine import make_url

        from tests.tcp_proxy import TcpRelay

        a = self.args
        started_setup = time.time()
        self._setup(direct_url)
        target = make_url(direct_url)
        self.relay = TcpRelay(target.host or "127.0.0.1", target.port or 5432).start()
        relay_url = target.set(port=self.relay.port).render_as_string(hide_password=False)

        total_cams = a.branches * a.cameras
        workers = [self.codes[w::a.workers] for w in range(a.workers)]
        workers = [w for w in workers if w]
        index = 0
        for w, codes in enumerate(workers):
            phases = [(index + k) / total_cams for k in range(len(codes) * a.cameras)]
            index += len(phases)
            self._spawn(f"worker{w + 1}", "worker", {"url": relay_url, "branches": codes, "phases": phases,
                                                     "spool": str(self.dir / f"worker{w + 1}-spool.db"),
                                                     "seed": a.seed + w})
        feeds = [self.codes[f::a.feed_processes] for f in range(a.feed_processes)]
        for f, codes in enumerate(c for c in feeds if c):
            self._spawn(f"feed{f + 1}", "tickets", {"url": relay_url, "branches": codes, "seed": a.seed + 100 + f,
                                                    "rate": a.ticket_rate * len(codes) / len(self.codes),
                                                    "nice": a.feed_nice})
        self._spawn("view", "view", {"url": relay_url, "period_s": VIEW_PERIOD_S, "min_gap_s": VIEW_MIN_GAP_S})
        print(f"region benchmark: {a.branches} branches x {a.cameras} cameras at 1 sample/s in {len(workers)} worker "
              f"processes, {a.ticket_rate:g} ticket events/s in {len(feeds)} feed processes, regional view; "
              f"{self.run_s / 60:.3g} min with a "
              f"{self.outage_s:g} s outage in the middle; database {self.dbname} via relay port {self.relay.port}",
              flush=True)
        deadline = time.time() + 180
        while not all((self.dir / f"{n}.ready").exists() for n in self.procs):
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise SystemExit(f"{name} ended at start-up (exit {proc.returncode}); its log:\n"
                                     + (self.dir / f"{name}.log").read_text()[-3000:])
            if time.time() > deadline:
                raise SystemExit("the benchmark's processes did not start within 180 s")
            time.sleep(0.2)
        sampler = CpuSampler(self.dbname, {
            "workers": [proc.pid for name, proc in self.procs.items() if name.startswith("worker")],
            "ticket feeds": [proc.pid for name, proc in self.procs.items() if name.startswith("feed")],
            "view": [self.procs["view"].pid],
            "main (relay)": [os.getpid()]})
        sampler.sample()
        sampler.start()
        t_start = math.ceil(time.time()) + 1.0
        self._send(list(self.procs), f"go {t_start}")
        t_cut = t_start + (self.run_s - self.outage_s) / 2
        t_restore = t_cut + self.outage_s
        t_end = t_start + self.run_s
        print(f"set-up {t_start - started_setup:.0f} s; load from {datetime.fromtimestamp(t_start):%H:%M:%S}"
              + (f", outage t+{t_cut - t_start:.0f}..{t_restore - t_start:.0f} s" if self.outage_s else "")
              + f", end t+{self.run_s:.0f} s", flush=True)
        self._sleep_until(t_cut)
        if self.outage_s:
            self.relay.cut()
            print(f"t+{time.time() - t_start:.0f} s: relay cut (database unreachable)", flush=True)
            self._sleep_until(t_restore)
            self.relay.restore()
            print(f"t+{time.time() - t_start:.0f} s: relay restored", flush=True)
        self._sleep_until(t_end)
        loaders = [n for n in self.procs if n != "view"]
        self._send(loaders, "stop")
        for name in loaders:
            try:
                self.procs[name].wait(DRAIN_S + 60)
            except subprocess.TimeoutExpired:
                print(f"{name} still draining after {DRAIN_S + 60:.0f} s", flush=True)
        drained = time.time()
        time.sleep(5.0)  # the view's next reads show the last samples
        self._send(["view"], "stop")
        self.procs["view"].wait(60)
        sampler.stop()
        print(f"t+{drained - t_start:.0f} s: workers and ticket feeds stopped and drained", flush=True)
        return self._report(direct_url, sampler, t_start, t_cut, t_restore, t_end)

    @staticmethod
    def _sleep_until(t: float) -> None:
        while (delay := t - time.time()) > 0:
            time.sleep(min(delay, 1.0))

    def _load(self, name: str) -> dict | None:
        path = self.dir / f"{name}.json"
        if not path.exists():
            print(f"{name}: no result (exit {self.procs[name].returncode}); last lines of its log:")
            print("\n".join((self.dir / f"{name}.log").read_text(errors="replace").splitlines()[-15:]))
            return None
        return json.loads(path.read_text())

    def _report(self, direct_url: str, sampler: CpuSampler, t_start: float, t_cut: float, t_restore: float,
                t_end: float) -> int:
        from sqlalchemy import func, select, text

        from storage import models as m
        from storage.database import open_database

        a = self.args
        outage = self.outage_s > 0
        worker_names = sorted(n for n in self.procs if n.startswith("worker"))
        feed_names = sorted(n for n in self.procs if n.startswith("feed"))
        results = {n: self._load(n) for n in [*worker_names, *feed_names, "view"]}
        failed = [n for n, r in results.items() if r is None]

        def outside(begin: float, end: float, quiet_from: float) -> bool:
            """Whether [begin, end] misses the outage and the writing of its backlog (until ``quiet_from``)."""
            return not outage or end < t_cut or begin >= quiet_from

        # --- what the workers produced and committed, against what the database holds
        samples = []  # (branch, camera, at ISO, lobby, zone count, put, tick, commit or None)
        spool_left = rewritten = health = cams = written = batches = failures = 0
        stats_latencies: list[float] = []
        drains = []
        spool_series = []  # per worker: (wall time, spool length) every 0.5 s
        in_spool: set[tuple] = set()  # samples still in a spool at the stop (not lost: written at the next start)
        for n in worker_names:
            r = results[n]
            if r is None:
                continue
            commits = r["commits"]
            samples += [(*p, commits.get(str(i))) for i, p in enumerate(r["produced"])]
            spool_left += r["spool_left"]
            rewritten += r["rewritten"]
            health += r["health_committed"]
            cams += r["cameras"]
            written += r["written"]
            batches += r["batches"]
            failures += r["failures"]
            stats_latencies += r["stats_latencies"]
            drains.append(r["drain_s"])
            spool_series.append(r["backlog"])
            in_spool.update(tuple(k) for k in r["in_spool"])
        db = open_database(direct_url, migrate=False)
        try:
            with db.session() as s:
                o = m.OccupancySample
                rows = s.execute(select(m.Branch.code, o.camera_id, o.zone, o.at, o.count)
                                 .join(m.Branch, m.Branch.id == o.branch_id)).all()
                health_rows = s.scalar(select(func.count()).select_from(m.CameraHealth))
                ticket_rows = s.scalar(select(func.count()).select_from(m.TicketEventRow))
                event_ids = set(s.scalars(select(m.TicketEventRow.event_id)))
                tickets_stored = s.scalar(select(func.count()).select_from(m.Ticket))
                size = s.scalar(text("select pg_database_size(current_database())"))
        finally:
            db.close()
        stored: dict[tuple, int] = {}
        for code, camera, zone, at, count in rows:
            stored[(code, camera, zone, at.isoformat())] = count
        expected: dict[tuple, int] = {}
        for code, camera, at, lobby, zone_count, *_ in samples:
            expected[(code, camera, "", at)] = lobby
            expected[(code, camera, ZONE, at)] = zone_count
        lost = [k for k in expected if k not in stored]
        extra = [k for k in stored if k not in expected]
        wrong = [k for k, v in expected.items() if k in stored and stored[k] != v]
        duplicates = len(rows) - len(stored)
        lost_samples = {(k[0], k[1], k[3]) for k in lost} - in_spool

        in_outage = [smp for smp in samples if outage and t_cut <= smp[5] < t_restore]
        outage_lost = sum(1 for smp in in_outage if (smp[0], smp[1], smp[2]) in lost_samples)
        last_outage_commit = max((smp[7] for smp in in_outage if smp[7] is not None), default=t_restore)
        spool_before, spool_peak, quiet = caught_up(spool_series, t_start, t_cut, t_restore, t_end)

        committed = [smp for smp in samples if smp[7] is not None]
        write = [smp[7] - smp[5] for smp in committed]
        write_steady = [smp[7] - smp[5] for smp in committed if outside(smp[5], smp[7], quiet)]
        lateness = [smp[5] - smp[6] for smp in samples]

        # --- regional view: the first read showing each lobby sample
        view = results["view"] or {"reads": [], "failed": [], "changes": {}, "heard": 0, "figures": [],
                                   "waiting_means": [], "cpu_s": 0.0}
        shown_at: dict[str, tuple[list[float], list[float]]] = {}
        for code, seen in view["changes"].items():
            times, ats, top = [], [], float("-inf")
            for t, at in seen:
                top = max(top, at)
                times.append(t)
                ats.append(top)
            shown_at[code] = (times, ats)
        from_commit, from_creation, from_commit_steady, from_creation_steady = [], [], [], []
        never_shown = early = 0
        for code, camera, at, _l, _z, put, _tick, commit in committed:
            times, ats = shown_at.get(code, ([], []))
            i = bisect.bisect_left(ats, datetime.fromisoformat(at).timestamp() - 1e-6)
            if i == len(ats):
                never_shown += 1
                continue
            shown = times[i]
            early += shown < commit
            from_commit.append(shown - commit)
            from_creation.append(shown - put)
            if outside(commit, shown, quiet):
                from_commit_steady.append(shown - commit)
            if outside(put, shown, quiet):
                from_creation_steady.append(shown - put)
        reads = view["reads"]
        read_s = [t1 - t0 for t0, t1 in reads]
        load_reads = [r for r in reads if t_start <= r[0] <= t_end]

        # --- ticket feeds
        tk: Counter = Counter()
        trips_all, ev_delays, feed_series = [], [], []
        left = 0
        sent_ids: set[str] = set()
        unsent: set[str] = set()
        for n in feed_names:
            r = results[n] or {}
            tk.update({k: v for k, v in r.items() if isinstance(v, int)})
            trips_all += r.get("round_trips", [])
            ev_delays += r.get("delays", [])
            feed_series.append(r.get("backlog", []))
            left += r.get("left", 0)
            unsent.update(r.get("unsent", []))
            sent_ids.update(f"{code}-{n:07d}" for code, count in r.get("per_branch", {}).items()
                            for n in range(1, count + 1))
        generated = tk["generated"]
        events_lost = len(sent_ids - event_ids - unsent)
        feed_before, feed_peak, feed_quiet = caught_up(feed_series, t_start, t_cut, t_restore, t_end)
        trips = [d for t0, d in trips_all if outside(t0, t0 + d, feed_quiet)]
        ev_outage = [d for g, d in ev_delays if outage and t_cut <= g < t_restore]
        ev_steady = [d for g, d in ev_delays if outside(g, g + d, feed_quiet)]

        # --- CPU
        first, last = sampler.window(t_start, t_end)
        span = last[0] - first[0]
        pg_share = (last[1] - first[1]) / span
        ours_share = (last[2] - first[2]) / span
        peak, peak_at = sampler.peak(t_start, t_end)
        role_share = {role: (last[3][role] - first[3][role]) / span for role in first[3]}
        machine_share = (last[4] - first[4]) / span

        print()
        print("=" * 100)
        print(f"command: {self.command}")
        print(f"machine: {os.cpu_count()} cores, load average at the end {os.getloadavg()[0]:.2f}; PostgreSQL via "
              f"TCP relay; {a.branches} branches x {a.cameras} cameras ({cams} cameras) at 1 sample/s in "
              f"{len(worker_names)} worker processes; ticket feeds {a.ticket_rate:g} events/s in "
              f"{len(feed_names)} processes")
        print(f"load {self.run_s:.0f} s; outage " + (f"{self.outage_s:.0f} s from t+{t_cut - t_start:.0f} s "
                                                     f"(relay cut: connections closed and refused)" if outage
                                                     else "none"))
        if failed:
            print(f"!! no result from {', '.join(failed)}: their figures below are missing")
        print()
        print("samples (each = lobby total + 1 zone row)")
        print(f"  produced {len(samples)} ({len(expected)} rows), committed {len(committed)}; "
              f"rows in occupancy_sample {len(rows)}")
        print(f"  LOST {len(lost_samples)} samples (neither in the database nor left in a spool); duplicated rows "
              f"{duplicates}; rows not produced {len(extra)}; wrong counts {len(wrong)}; spool entries left "
              f"{spool_left}; commits acknowledged twice {rewritten}")
        print(f"  camera state rows {health_rows} (committed {health} of {cams} 'online' events)")
        if outage:
            print(f"  produced during the outage: {len(in_outage)}, lost {outage_lost}; the last of them committed "
                  f"{last_outage_commit - t_restore:.1f} s after the relay was restored")
            print(f"  spool length (every 0.5 s): at most {spool_before} before the cut, peak {spool_peak}; back to "
                  f"<= {spool_before} in every worker " + (f"{quiet - t_restore:.1f} s after the restore" if
                                                            quiet < t_end else "only when the load ended"))
        print(f"  worker writes: {written} tasks in {batches} batches, {failures} failed batch attempts; stop -> "
              f"spool empty {max(drains, default=0):.1f} s (slowest worker)")
        print(f"  producer lateness (put - tick): median {statistics.median(lateness) * 1000:.1f} ms, "
              f"p99 {percentile(lateness, 0.99) * 1000:.1f} ms, max {max(lateness) * 1000:.0f} ms"
              if lateness else "  no samples")
        print()
        print("write latency, spool put -> commit")
        print(f"  all samples              {spread(write)}")
        if outage:
            print(f"  outside outage+backlog   {spread(write_steady)}")
            print(f"    (left out: samples waiting in a spool between the cut at t+{t_cut - t_start:.0f} s and the "
                  f"backlog written at t+{quiet - t_start:.0f} s)")
        print(f"  SpoolWriter.stats.latencies (every task): median {statistics.median(stats_latencies) * 1000:.0f} ms, "
              f"p99 {percentile(stats_latencies, 0.99) * 1000:.0f} ms" if stats_latencies
              else "  SpoolWriter.stats.latencies: none")
        print()
        print("regional view, sample -> first read showing it (the branch's sample_at >= the sample's at)")
        print(f"  from commit              {spread(from_commit)}")
        if outage:
            print(f"    outside outage+backlog {spread(from_commit_steady)}")
        print(f"  from creation            {spread(from_creation)}")
        if outage:
            print(f"    outside outage+backlog {spread(from_creation_steady)}")
        if early:
            print(f"  shown before the worker saw them committed: {early} (the commit went through but its "
                  f"acknowledgement was lost in the cut; written again, as a no-op, after the restore)")
        print(f"  never shown {never_shown}; reads {len(reads)} ({len(load_reads) / self.run_s:.2f}/s during the "
              f"load), failed reads {len(view['failed'])}, change notices heard {view['heard']}")
        print(f"  read time                {spread(read_s)}")
        during = [f for f in view["figures"] if f[0] <= t_end]
        if during:
            at, n, known, occupancy, waiting, most, longest, level, alerts = during[-1]
            print(f"  last read of the load (t+{at - t_start:.0f} s): {n} branches, lobby count known for {known}"
                  + (f" (mean {occupancy:.1f} people)" if occupancy is not None else "")
                  + f"; waiting per branch mean {waiting:.1f}, max {most}; longest wait {longest:.0f} s; service "
                  f"level mean " + (f"{level * 100:.1f} %" if level is not None else "-") + f"; open alerts {alerts}")
        if view["waiting_means"]:
            print(f"  waiting tickets per branch, mean over all reads: {statistics.fmean(view['waiting_means']):.1f}")
        print()
        print("ticket feeds")
        print(f"  events generated {generated} ({generated / self.run_s:.1f}/s), rows in ticket_event {ticket_rows}: "
              f"LOST {events_lost}; rows not generated {len(event_ids - sent_ids)}; still queued at the ticketing "
              f"systems when the feeds stopped {left}; tickets {tickets_stored}")
        print(f"  posts accepted {tk['posts_ok']}, refused {tk['posts_refused']} (events in them "
              f"{tk['events_in_refused_posts']}, all sent again); acknowledged stored {tk['acknowledged_stored']}, "
              f"as duplicates {tk['acknowledged_duplicates']}")
        if outage:
            print(f"  events waiting to be posted (every 0.5 s): at most {feed_before} before the cut, peak "
                  f"{feed_peak}; back to <= {feed_before} in every feed process "
                  + (f"{feed_quiet - t_restore:.1f} s after the restore" if feed_quiet < t_end
                     else "only when the load ended"))
        print(f"  post round trip (parse + StoreFeedEvents commit), outside outage+backlog: {spread(trips)}")
        print(f"  event -> stored (incl. waiting for its post), outside outage+backlog: {spread(ev_steady)}")
        if outage:
            print(f"    generated during the outage: {spread(ev_outage, 1.0, 's', 1)}")
        print()
        print(f"CPU over the load ({span:.0f} s), % of one core (the machine has {os.cpu_count()} cores)")
        print(f"  PostgreSQL server: average {pg_share * 100:.1f} %, peak 10-s interval {peak * 100:.1f} % "
              f"(from t+{peak_at:.0f} s); of the average, this benchmark's database's backends "
              f"{ours_share * 100:.1f} % (the rest: background processes and other databases' clients)")
        print("  benchmark: " + ", ".join(f"{role} {share * 100:.1f} %" for role, share in role_share.items())
              + f"; total {sum(role_share.values()) * 100:.1f} %")
        print(f"  whole machine busy {machine_share * 100:.1f} % of {os.cpu_count() * 100} % (the rest of it: "
              f"{(machine_share - pg_share - sum(role_share.values())) * 100:.1f} %, other users' processes)")
        whole = sum((r or {}).get("cpu_s", 0.0) for r in results.values()) + own_cpu_s()
        print(f"  benchmark processes over their whole life (start-up and drain included): {whole:.0f} s CPU")
        print(f"database: {len(rows)} occupancy rows, {ticket_rows} ticket events, {size / 1e6:.0f} MB")
        print()
        print("logged by the benchmark's processes (ERROR/WARNING messages, numbers masked)")
        for name in [*worker_names, *feed_names, "view"]:
            levels, messages = log_summary(self.dir / f"{name}.log")
            print(f"  {name}: " + (", ".join(f"{k} {v}" for k, v in sorted(levels.items())) or "nothing"))
            for message, count in messages.most_common(3):
                print(f"    {count} x {message}")
        print("=" * 100)
        ok = not lost_samples and not failed and not events_lost and len(sent_ids) == generated
        print("RESULT: " + ("nothing lost" if ok else "LOSS OR FAILURE (see above)"))
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
