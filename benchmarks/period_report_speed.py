"""Period reports of a busy branch: a quarter (90 days × 1,500 tickets) and a year, read from SQLite and computed.

    .venv/bin/python benchmarks/period_report_speed.py [--per-day 1500] [--repeat 3] [--quick]

Writes --per-day tickets a day (random service types, counters, waits and outcomes; seed 11) for 365 days straight
into the ticket table of a temporary SQLite file, then for the last quarter (90 days) and the whole year times the
report as the console makes it (``load_period_report``: grouped by week, the figures over all tickets, each week's
and each day's):
- first: no day summarised yet — every ticket read, each closed day summarised and the summaries stored (what the
  first report after an upgrade or a long import costs);
- then: the closed days' summaries read back (every later report; the writer drops a day's summary only when a
  ticket of that day is written) — median of --repeat runs, against the targets: a quarter in at most 2 s, a year in
  at most 5 s;
- and what the Periods window computes for the last quarter (``compare_periods``: the quarter, the 90 days before
  it and a year earlier, with each counter's and person's figures, alerts and incidents).

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

from sqlalchemy import delete

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report_speed import random_ticket  # noqa: E402
from console.domain.records import BranchInfo  # noqa: E402
from console.reports.period_figures import compare_periods, load_period_report  # noqa: E402
from storage import models as m  # noqa: E402
from storage.database import open_database  # noqa: E402
from storage.tasks import (  # noqa: E402
    SaveBranchSetup,
    StoreDaySummaries,  # noqa: E402
    branch_id,
)
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
        today = LAST + timedelta(days=1)
        for span in (90, days):
            first = LAST - timedelta(days=span - 1)
            with db.session() as session:
                session.execute(delete(m.TicketDaySummary))
                session.execute(delete(m.CameraDaySummary))
            t0 = time.perf_counter()
            report, tasks = load_period_report(db, "BUSY", TZ, first, LAST, today=today, target_wait_min=10.0,
                                               group_by="week")
            apply_now(db, *tasks)
            store = next(t for t in tasks if isinstance(t, StoreDaySummaries))
            cold = time.perf_counter() - t0
            runs = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                again, nothing = load_period_report(db, "BUSY", TZ, first, LAST, today=today, target_wait_min=10.0,
                                                    group_by="week")
                runs.append(time.perf_counter() - t0)
                assert nothing == [] and again == report
            assert report.figures.arrived == span * per_day
            warm = statistics.median(runs)
            target = TARGETS_S.get(span)
            verdict = "" if target is None or args.quick else (
                f" (target <= {target:g} s) {'ok' if warm <= target else 'TOO SLOW'}")
            print(f"{span} days, {report.figures.arrived} tickets: first report {cold:.2f} s (summarising "
                  f"{store.stored} days); then {warm:.2f} s (median of {repeat}){verdict}")
        # what the Periods window computes for a quarter: the quarter, the quarter before and a year earlier, with
        # each counter's and person's figures, alerts and incidents (summaries stored by the runs above)
        first = LAST - timedelta(days=89)
        runs = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            compare_periods(db, "BUSY", TZ, "range", first, LAST, today=today, target_wait_min=10.0,
                            with_work=True)
            runs.append(time.perf_counter() - t0)
        print(f"Periods window, a quarter beside the one before and a year earlier, with counters and people: "
              f"{statistics.median(runs):.2f} s (median of {repeat})")
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
