"""Ticket feed under load: a local client posts events to the HTTP API while the console window runs offscreen.

    .venv/bin/python benchmarks/ticket_feed.py [--rate 200] [--seconds 300] [--counters 12] [--connections 8]
                                               [--quick]

A real branch (SQLite file in a temporary data directory) with the API enabled. --connections client threads each
send one event per request over a keep-alive connection, together paced at --rate events/s (a request is answered
only once stored, so one connection alone is limited by the commit round trip; the writer commits concurrent
requests together): tickets are issued, called to a counter, started
and finished, and 1 % of the requests resend an earlier event (which must come back as a duplicate). Every second
one "called" event is timed from the moment its POST is sent until the window's view (which the counter board, the
queue panel and the reports are drawn from, in the same slot) holds that ticket as called at that counter. Printed: events sent and achieved rate, answers by status, events stored vs unique events
sent (lost and duplicated must both be 0), POST round-trip median/p99, and POST → board median/p99/max.

--quick: 50 events/s for 5 s over 4 connections.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TOKEN = "benchmark-token-0123456789"
TZ = ZoneInfo("Asia/Shanghai")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=None, help="events/s (default 200; --quick 50)")
    parser.add_argument("--seconds", type=float, default=None, help="length of the run (default 300; --quick 5)")
    parser.add_argument("--counters", type=int, default=12)
    parser.add_argument("--connections", type=int, default=None,
                        help="client connections posting concurrently (default 8; --quick 4)")
    parser.add_argument("--quick", action="store_true", help="a short run: 50 events/s for 5 s, 4 connections")
    args = parser.parse_args()
    if args.rate is None:
        args.rate = 50.0 if args.quick else 200.0
    if args.seconds is None:
        args.seconds = 5.0 if args.quick else 300.0
    if args.connections is None:
        args.connections = 4 if args.quick else 8

    from PySide6.QtWidgets import QApplication

    from console.app.context import AppContext, SourceOptions
    from console.app.main_window import MainWindow
    from console.bootstrap import prepare
    from console.domain.records import BranchInfo, CounterStatus
    from console.domain.vocabulary import CounterState, ServiceType
    from storage import repository
    from storage.tasks import SaveBranchSetup
    from storage.writer import apply_now
    from tests.camera.mjpeg_server import free_port

    app = QApplication.instance() or QApplication([])
    data = Path(tempfile.mkdtemp(prefix="feed-bench-"))
    port = free_port()
    (data / "settings.toml").write_text(f'[api]\nenabled = true\nport = {port}\ntoken = "{TOKEN}"\n', "utf-8")
    env = prepare(argparse.Namespace(data_dir=data, db=None, lang="en", log_level="WARNING"))
    now = datetime.now(TZ)
    counters = tuple(CounterStatus(str(i + 1), f"Counter {i + 1}", (ServiceType.CASH,), CounterState.IDLE, now)
                     for i in range(args.counters))
    apply_now(env.db, SaveBranchSetup(branch=BranchInfo("BENCH", "Benchmark branch", "Asia/Shanghai", clock_time(0),
                                                        clock_time(23, 59), 100), counters=counters, staff=()))
    context = AppContext(env, SourceOptions())
    context.start()
    window = MainWindow(context)
    window.show()

    # timed "called" events: (counter id, ticket number) → POST send time; the board hook stamps when it shows it
    pending: dict[tuple[str, str], float] = {}
    latencies: list[float] = []
    lock = threading.Lock()

    def on_view(view) -> None:
        shown = {(t.counter_id, t.number) for t in view.snapshot.tickets if t.called_at is not None}
        now_s = time.perf_counter()
        with lock:
            for key in [k for k in pending if k in shown]:
                latencies.append(now_s - pending.pop(key))

    context.controller.sig_view.connect(on_view)  # after the panels: the board has been updated when this runs

    statuses: dict[int, int] = {}
    round_trips: list[float] = []
    sent_ids: set[str] = set()
    resent = duplicates_acknowledged = 0
    stop = threading.Event()

    gen_lock = threading.Lock()
    state = {"n": 0, "ticket": 0, "steps": [], "last_timed": 0.0}
    acknowledged: list[dict] = []  # events the console has answered 200 for: resending one must be a duplicate
    started = time.perf_counter()

    def next_event() -> tuple[int, dict, tuple[str, str] | None] | None:
        """The next request's slot, event and (if it is timed) its key; None when the run is over."""
        nonlocal resent
        with gen_lock:
            n = state["n"]
            if n >= args.rate * args.seconds:
                return None
            state["n"] = n + 1
            if n % 100 == 99 and acknowledged:
                resent += 1
                return n, acknowledged[(n * 7919) % len(acknowledged)], None
            if not state["steps"]:
                state["ticket"] += 1
                ticket = state["ticket"]
                tid, number, counter = f"T{ticket}", f"A{ticket:05d}", str(ticket % args.counters + 1)
                state["steps"] = [
                    {"type": "issued", "ticket_id": tid, "number": number, "service_type": "cash"},
                    {"type": "called", "ticket_id": tid, "counter_id": counter, "staff_id": "E1"},
                    {"type": "started", "ticket_id": tid, "counter_id": counter},
                    {"type": "finished", "ticket_id": tid, "counter_id": counter}]
            event = {"event_id": f"ev{n}", **state["steps"].pop(0), "at": datetime.now(TZ).isoformat()}
            timed = None
            if event["type"] == "called" and time.perf_counter() - state["last_timed"] >= 1.0:
                timed = (event["counter_id"], f"A{int(event['ticket_id'][1:]):05d}")
                state["last_timed"] = time.perf_counter()
            return n, event, timed

    def client() -> None:
        nonlocal duplicates_acknowledged
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
        while not stop.is_set():
            item = next_event()
            if item is None:
                break
            n, event, timed = item
            delay = started + n / args.rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            t0 = time.perf_counter()
            if timed is not None:
                with lock:
                    pending[timed] = t0
            conn.request("POST", "/api/v1/events", body=json.dumps(event), headers=headers)
            response = conn.getresponse()
            answer = json.loads(response.read())
            with gen_lock:
                round_trips.append(time.perf_counter() - t0)
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if event["event_id"] in sent_ids and answer.get("duplicates") == 1:
                    duplicates_acknowledged += 1
                sent_ids.add(event["event_id"])
                if response.status == 200:
                    acknowledged.append(event)
        conn.close()

    threads = [threading.Thread(target=client, name=f"feed-client-{i}") for i in range(args.connections)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        app.processEvents()
        time.sleep(0.002)
    elapsed = time.perf_counter() - began
    for _ in range(300):  # let the last timed events reach the board
        app.processEvents()
        time.sleep(0.01)
    context.writer.flush(30)
    stored = repository.count_rows(env.db, "ticket_event")
    requests = sum(statuses.values())
    print(f"ticket feed: {requests} requests in {elapsed:.0f} s ({requests / elapsed:.0f}/s, target {args.rate:.0f}/s), "
          f"answers {dict(sorted(statuses.items()))}")
    print(f"  unique events sent {len(sent_ids)}, stored {stored}: lost {len(sent_ids) - stored}, "
          f"duplicated {max(0, stored - len(sent_ids))}; resent {resent}, acknowledged as duplicates "
          f"{duplicates_acknowledged}")
    print(f"  POST round trip: median {statistics.median(round_trips) * 1000:.1f} ms, "
          f"p99 {percentile(round_trips, 0.99) * 1000:.1f} ms")
    print(f"  POST -> window shows the ticket called ({len(latencies)} timed, {len(pending)} never shown): "
          f"median {statistics.median(latencies) * 1000:.0f} ms, p99 {percentile(latencies, 0.99) * 1000:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms")
    window.close()
    context.stop()
    env.close()


if __name__ == "__main__":
    main()
