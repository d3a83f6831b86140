"""Forecast error on simulated history: store several weeks of demo-branch days, then forecast each of the last
two weeks from the days before it only, and compare with what happened.

    .venv/bin/python benchmarks/forecast_error.py [--weeks 6] [--first 2026-10-12] [--quick]

--quick stores the first day of three consecutive weeks and forecasts the last week's from the same weekday
before it (the fewest days the history forecast uses; about 3 s a stored day).

Printed: per day the forecast and actual tickets; the mean absolute error per half-hour (all service types
together) of the history forecast and, as a baseline, of the demo profile's expected arrivals (what a branch
without history gets); the error of the day totals. The simulator draws its arrivals from that same profile, so
the profile baseline is the best possible forecast here; the history forecast should come close to it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import fmean
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from console.domain.forecast import backtest, daily_counts
    from console.sim.profile import demo_profile
    from console.sources.demo_day import DemoDay, DemoRecorder, seed_for_day
    from console.staffing.calendar_cn import day_info
    from console.staffing.demand import profile_counts, slots_of
    from storage import repository
    from storage.database import open_database
    from storage.writer import apply_now

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=None, help="weeks to store (default 6)")
    parser.add_argument("--first", type=date.fromisoformat, default=date(2026, 10, 12))
    parser.add_argument("--quick", action="store_true",
                        help="a short run: one weekday of three weeks stored, the last week's forecast")
    args = parser.parse_args()
    if args.quick and args.weeks is None:
        days = [args.first + timedelta(days=7 * week) for week in range(3)]
        tested_days = 1
    else:
        days = [args.first + timedelta(days=i) for i in range(7 * (args.weeks or 6))]
        tested_days = 14

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'history.db'}")
        for day in days:
            demo = DemoDay(day, seed_for_day(1, args.first, day))
            recorder = DemoRecorder(lambda task: apply_now(db, task))
            recorder.begin_day(demo)
            for result in demo.run_to_end():
                recorder.record(demo, result)
        branch = repository.load_branch(db, "DEMO")
        tz = ZoneInfo(branch.timezone)
        start = datetime.combine(days[0], datetime.min.time(), tzinfo=tz)
        end = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        tickets = repository.load_tickets(db, "DEMO", start, end)
        db.close()
    print(f"simulated {len(days)} days from {days[0]} ({len(tickets)} tickets) in {time.perf_counter() - started:.0f} s")
    counts = daily_counts(tickets, tz, branch.opens)
    infos = [day_info(d) for d in sorted(counts)]
    slots = slots_of(branch)
    tested = sorted(counts)[-tested_days:]
    factor = demo_profile().demand.payday
    history = backtest(counts, infos, tested, slots, profile_counts, factor)
    assert history is not None
    # the baseline: the profile's expected arrivals on each day (what a branch without history gets)
    base_errors: list[float] = []
    base_totals = {}
    for d in tested:
        expected = profile_counts(day_info(d))
        base_totals[d] = sum(expected.values())
        for s in range(slots):
            predicted = sum(v for (_, i), v in expected.items() if i == s)
            actual = sum(v for (_, i), v in counts[d].items() if i == s)
            base_errors.append(abs(predicted - actual))
    print(f"{'day':<12}{'kind':<17}{'forecast':>9}{'actual':>8}{'profile':>9}")
    for d, predicted, actual in history.day_errors:
        info = day_info(d)
        kind = info.kind.value + (" payday" if info.payday else "")
        print(f"{d.isoformat():<12}{kind:<17}{predicted:>9.1f}{actual:>8.0f}{base_totals[d]:>9.1f}")
    day_err = fmean(abs(p - a) for _, p, a in history.day_errors)
    base_day_err = fmean(abs(base_totals[d] - a) for d, _, a in history.day_errors)
    mean_day = fmean(a for _, _, a in history.day_errors)
    print(f"tickets per half-hour: mean {history.actual_mean:.2f}; mean absolute error: history forecast "
          f"{history.mae:.2f}, profile baseline {fmean(base_errors):.2f}")
    print(f"day totals: mean {mean_day:.0f}; mean absolute error: history forecast {day_err:.1f} "
          f"({day_err / mean_day:.1%}), profile baseline {base_day_err:.1f} ({base_day_err / mean_day:.1%})")
    worst = max(range(slots), key=lambda s: history.mae_per_interval[s])
    print(f"largest error per half-hour: interval {worst} from opening, {history.mae_per_interval[worst]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
