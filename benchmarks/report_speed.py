"""Day report on a 10,000-ticket day: loading the day's tickets from SQLite and computing every figure.

    .venv/bin/python benchmarks/report_speed.py [--tickets 10000] [--repeat 5] [--quick]

Writes a day of --tickets tickets (random service types, counters, waits and outcomes; seed 7) straight into the
ticket table of a temporary SQLite file, then times, --repeat times each: loading the day (``load_tickets``), the
figures (``build_day_report``), and ``main.py report --date ... --json`` as a user runs it (a new process, so
Python's start-up is included). The branch is a real one, so the report needs a login: the script adds an
administrator and each run logs in with ``--user NAME --password-stdin``, the password on standard input (the
Argon2 check of the password is part of the timed run, as it is of a user's). Prints medians in seconds; the
target is under a second.

--quick writes 2,000 tickets and times each step twice.
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
from console.domain.permissions import Role  # noqa: E402
from console.domain.records import BranchInfo  # noqa: E402
from console.security.users import UserStore  # noqa: E402
from storage import models as m  # noqa: E402
from storage import repository  # noqa: E402
from storage.database import open_database  # noqa: E402
from storage.tasks import SaveBranchSetup, branch_id  # noqa: E402
from storage.writer import apply_now  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 27)
#: The console user the report runs log in as (a real branch's commands need a login).
USER, PASSWORD = "bench-admin", "Report2026bench"


def random_ticket(rng: random.Random, bid: int, day: date, issued: datetime, ticket_id: str, number: str,
                  outcomes: dict[str, int], counters: int) -> dict:
    """One ticket row for the ticket table: a random service type, priority in one case of ten, an outcome drawn with
    the ``outcomes`` weights, waits of about 400 s (exponential), transactions of about 300 s, a counter 1…counters."""
    outcome = rng.choices(list(outcomes), list(outcomes.values()))[0]
    row = {"branch_id": bid, "business_day": day, "ticket_id": ticket_id, "number": number,
           "service_type": rng.choice(["cash", "non_cash", "corporate", "vip"]), "priority": rng.random() < 0.1,
           "status": outcome, "issued_at": issued, "called_at": None, "started_at": None, "finished_at": None,
           "counter_id": None, "staff_id": None, "transfers": 0}
    if outcome in ("served", "no_show"):
        row["called_at"] = issued + timedelta(seconds=rng.expovariate(1 / 400))
        row["counter_id"] = str(rng.randint(1, counters))
    if outcome == "served":
        row["started_at"] = row["called_at"] + timedelta(seconds=rng.uniform(20, 90))
        row["finished_at"] = row["started_at"] + timedelta(seconds=rng.expovariate(1 / 300))
    elif outcome == "no_show":
        row["finished_at"] = row["called_at"] + timedelta(minutes=3)
    elif outcome == "abandoned":
        row["finished_at"] = issued + timedelta(seconds=rng.uniform(300, 1800))
    return row


def fill(db, n: int) -> None:
    rng = random.Random(7)
    opens = datetime.combine(DAY, clock_time(9), tzinfo=TZ)
    with db.session() as session:
        bid = branch_id(session, "BIG")
    rows = [random_ticket(rng, bid, DAY, opens + timedelta(seconds=rng.uniform(0, 8 * 3600)), f"T{i:05d}",
                          f"A{i:05d}", {"served": 90, "no_show": 4, "abandoned": 4, "waiting": 2}, 20)
            for i in range(n)]
    with db.session() as session:
        session.execute(m.Ticket.__table__.insert(), rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=None, help="tickets in the day (default 10000; --quick 2000)")
    parser.add_argument("--repeat", type=int, default=None, help="times each step is timed (default 5; --quick 2)")
    parser.add_argument("--quick", action="store_true", help="a short run: 2000 tickets, each step timed twice")
    args = parser.parse_args()
    if args.tickets is None:
        args.tickets = 2_000 if args.quick else 10_000
    if args.repeat is None:
        args.repeat = 2 if args.quick else 5
    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        return run(args, Path(tmp))


def run(args: argparse.Namespace, data: Path) -> int:
    url = f"sqlite:///{data / 'console.db'}"
    db = open_database(url)
    apply_now(db, SaveBranchSetup(branch=BranchInfo("BIG", "Big branch", "Asia/Shanghai", clock_time(9),
                                                    clock_time(17), 300), counters=(), staff=()))
    UserStore(db).add(USER, "Benchmark", Role.ADMINISTRATOR, PASSWORD, by="benchmark")
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
    env = {k: v for k, v in os.environ.items() if k not in ("BRANCH_CONSOLE_DB", "BRANCH_CONSOLE_USER")}
    command = [sys.executable, str(ROOT / "main.py"), "--db", url, "--data-dir", str(data), "--user", USER,
               "--password-stdin", "report", "--date", DAY.isoformat(), "--json"]
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = subprocess.run(command, input=PASSWORD + "\n", capture_output=True, text=True, env=env, cwd=ROOT,
                                check=False)
        cli.append(time.perf_counter() - t0)
        if result.returncode != 0:
            print(f"error: main.py report exited with {result.returncode}:\n{result.stderr}", file=sys.stderr)
            return 1
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    python_start = time.perf_counter() - t0
    print(f"day report, {args.tickets} tickets (median of {args.repeat}):")
    print(f"  load the day from SQLite {statistics.median(loads):.3f} s + figures {statistics.median(figures):.3f} s "
          f"= {statistics.median(loads) + statistics.median(figures):.3f} s (target < 1 s)")
    print(f"  main.py report --json as a new process: {statistics.median(cli):.2f} s "
          f"(of which a bare Python start-up {python_start:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
