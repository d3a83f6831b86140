"""Period reports of a busy branch: a quarter (90 days × 1,500 tickets) and a year, loaded from SQLite and computed.

    .venv/bin/python benchmarks/period_report_speed.py [--per-day 1500] [--repeat 3] [--quick]

Writes --per-day tickets a day (random service types, counters, waits and outcomes; seed 11) for 365 days straight
into the ticket table of a temporary SQLite file, then times, --repeat times each, for the last quarter (90 days)
and the whole year: loading the period's tickets (``load_tickets``) and computing the report grouped by week
(``build_period_report``: the figures over all tickets, each week's and each day's). Prints medians in seconds
against the targets: a quarter in at most 2 s, a year in at most 5 s.

--quick: 200 tickets a day over 120 days, each step timed once (a quarter and the 120 days).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report_speed import random_ticket  # noqa: E402
from console.domain.period_report import build_period_report  # noqa: E402
from console.domain.records import BranchInfo  # noqa: E402
from storage import models as m  # noqa: E402
from storage import repository  # noqa: E402
from storage.database import open_database  # noqa: E402
from storage.tasks import SaveBranchSetup, branch_id  # noqa: E402
from storage.writer import apply_now  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
LAST = date(2026, 11, 30)
TARGETS_S = {90: 2.0, 365: 5.0}


def fill(db, per_day: int, days: int) -> int:
    """``per_day`` tickets on each of the ``days`` days up to LAST; the number written."""
    rng = random.Random(11)
    with db.session() as session:
        bid = branch_id(session, "BUSY")
    written = 0
    for n in range(days):
        day = LAST - timedelta(days=days - 1 - n)
        opens = datetime.combine(day, clock_time(9), tzinfo=TZ)
        rows = [random_ticket(rng, bid, day, opens + timedelta(seconds=rng.uniform(0, 8 * 3600)), f"A{i:04d}",
                              f"A{i:04d}", {"served": 92, "no_show": 4, "abandoned": 4}, 12)
                for i in range(per_day)]
        with db.session() as session:
            session.execute(m.Ticket.__table__.insert(), rows)
        written += len(rows)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=None, help="tickets a day (default 1500; --quick 200)")
    parser.add_argument("--repeat", type=int, default=None, help="times each step is timed (default 3; --quick 1)")
    parser.add_argument("--quick", action="store_true", help="a short run: 200 tickets a day over 120 days")
    args = parser.parse_args()
    per_day = args.per_day or (200 if args.quick else 1500)
    repeat = args.repeat or (1 if args.quick else 3)
    days = 120 if args.quick else 365
    with tempfile.TemporaryDirectory(prefix="period-bench-") as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'console.db'}")
        apply_now(db, SaveBranchSetup(branch=BranchInfo("BUSY", "Busy branch", "Asia/Shanghai", clock_time(9),
                                                        clock_time(17), 300), counters=(), staff=()))
        t0 = time.perf_counter()
        written = fill(db, per_day, days)
        print(f"{written} tickets written over {days} days ({per_day} a day) in {time.perf_counter() - t0:.1f} s")
        for span in (90, days):
            first = LAST - timedelta(days=span - 1)
            start = datetime.combine(first, clock_time(0), tzinfo=TZ)
            end = datetime.combine(LAST + timedelta(days=1), clock_time(0), tzinfo=TZ)
            loads, builds = [], []
            for _ in range(repeat):
                t0 = time.perf_counter()
                tickets = repository.load_tickets(db, "BUSY", start, end)
                t1 = time.perf_counter()
                report = build_period_report(tickets, first, LAST, TZ, 10.0, group_by="week")
                t2 = time.perf_counter()
                loads.append(t1 - t0)
                builds.append(t2 - t1)
            assert report.figures.arrived == span * per_day == len(tickets)
            total = statistics.median(loads) + statistics.median(builds)
            target = TARGETS_S.get(span)
            verdict = "" if target is None or args.quick else (
                f" (target <= {target:g} s) {'ok' if total <= target else 'TOO SLOW'}")
            print(f"{span} days, {len(tickets)} tickets (median of {repeat}): load {statistics.median(loads):.2f} s "
                  f"+ report {statistics.median(builds):.2f} s = {total:.2f} s{verdict}")
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
