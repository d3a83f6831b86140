"""Day report on a 10,000-ticket day: loading the day's tickets from SQLite and computing every figure.

    .venv/bin/python benchmarks/report_speed.py [--tickets 10000] [--repeat 5]

Writes a day of --tickets tickets (random service types, counters, waits and outcomes; seed 7) straight into the
ticket table of a temporary SQLite file, then times, --repeat times each: loading the day (``load_tickets``), the
figures (``build_day_report``), and ``main.py report --date ... --json`` as a user runs it (a new process, so
Python's start-up is included). Prints medians in seconds; the target is under a second.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.domain.day_report import build_day_report  # noqa: E402
from console.domain.records import BranchInfo  # noqa: E402
from storage import models as m  # noqa: E402
from storage import repository  # noqa: E402
from storage.database import open_database  # noqa: E402
from storage.tasks import SaveBranchSetup, branch_id  # noqa: E402
from storage.writer import apply_now  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 27)


def fill(db, n: int) -> None:
    rng = random.Random(7)
    opens = datetime.combine(DAY, clock_time(9), tzinfo=TZ)
    rows = []
    with db.session() as session:
        bid = branch_id(session, "BIG")
    for i in range(n):
        issued = opens + timedelta(seconds=rng.uniform(0, 8 * 3600))
        outcome = rng.choices(["served", "no_show", "abandoned", "waiting"], [90, 4, 4, 2])[0]
        row = {"branch_id": bid, "ticket_id": f"T{i:05d}", "number": f"A{i:05d}",
               "service_type": rng.choice(["cash", "non_cash", "corporate", "vip"]), "priority": rng.random() < 0.1,
               "status": outcome, "issued_at": issued, "called_at": None, "started_at": None, "finished_at": None,
               "counter_id": None, "staff_id": None, "transfers": 0}
        if outcome in ("served", "no_show"):
            row["called_at"] = issued + timedelta(seconds=rng.expovariate(1 / 400))
            row["counter_id"] = str(rng.randint(1, 20))
        if outcome == "served":
            row["started_at"] = row["called_at"] + timedelta(seconds=rng.uniform(20, 90))
            row["finished_at"] = row["started_at"] + timedelta(seconds=rng.expovariate(1 / 300))
        elif outcome == "no_show":
            row["finished_at"] = row["called_at"] + timedelta(minutes=3)
        elif outcome == "abandoned":
            row["finished_at"] = issued + timedelta(seconds=rng.uniform(300, 1800))
        rows.append(row)
    with db.session() as session:
        session.execute(m.Ticket.__table__.insert(), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="report-bench-"))
    db = open_database(f"sqlite:///{data / 'console.db'}")
    apply_now(db, SaveBranchSetup(branch=BranchInfo("BIG", "Big branch", "Asia/Shanghai", clock_time(9),
                                                    clock_time(17), 300), counters=(), staff=()))
    fill(db, args.tickets)
    start = datetime.combine(DAY, clock_time(0), tzinfo=TZ)
    loads, figures, cli = [], [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        tickets = repository.load_tickets(db, "BIG", start, start + timedelta(days=1))
        t1 = time.perf_counter()
        report = build_day_report(tickets, DAY, TZ, 10.0)
        t2 = time.perf_counter()
        loads.append(t1 - t0)
        figures.append(t2 - t1)
    assert report.arrived == args.tickets
    db.close()
    env = {**os.environ, "BRANCH_CONSOLE_DATA_DIR": str(data)}
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = subprocess.run([sys.executable, str(ROOT / "main.py"), "report", "--date", DAY.isoformat(), "--json"],
                                capture_output=True, text=True, env=env, cwd=ROOT)
        cli.append(time.perf_counter() - t0)
        assert result.returncode == 0, result.stderr
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    python_start = time.perf_counter() - t0
    print(f"day report, {args.tickets} tickets (median of {args.repeat}):")
    print(f"  load the day from SQLite {statistics.median(loads):.3f} s + figures {statistics.median(figures):.3f} s "
          f"= {statistics.median(loads) + statistics.median(figures):.3f} s (target < 1 s)")
    print(f"  main.py report --json as a new process: {statistics.median(cli):.2f} s "
          f"(of which a bare Python start-up {python_start:.2f} s)")


if __name__ == "__main__":
    main()
