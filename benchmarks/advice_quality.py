"""Staffing advice on simulated days: the demo branch with every piece of live advice accepted, against the same day
(same seed, same customers) with the fixed demo roster only.

    .venv/bin/python benchmarks/advice_quality.py [--days 10] [--first 2026-11-02] [--seed 1] [--quick]

--quick plays 2 weekdays (a smoke run of a few seconds).

Each arm plays the day in one-minute steps. The advised arm evaluates ``console.domain.advice.advise`` every
minute, as the console's scheduled job does, and carries out every proposal at once (a manager who accepts all
advice). Printed per day and as means: average wait and longest wait of called tickets (minutes), service level
(share called within 10 minutes among called and abandoned), customers who gave up, and staff-hours at counters
(counter-minutes with someone logged in, sampled each minute). Both arms see identical arrivals: the simulator
draws every customer before the day starts.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import fmean
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.domain.advice import AdviceSettings, advise  # noqa: E402
from console.domain.queue_metrics import wait_s  # noqa: E402
from console.domain.vocabulary import CounterState, TicketStatus  # noqa: E402
from console.sim.engine import BranchSimulation  # noqa: E402
from console.sim.profile import demo_profile  # noqa: E402
from console.staffing.demand import fallback_counter_time_s  # noqa: E402


@dataclass
class DayFigures:
    avg_wait_min: float
    longest_wait_min: float
    service_level: float
    abandoned: int
    staff_hours: float
    advice: int = 0


def play(day: date, seed: int, advised: bool) -> DayFigures:
    profile = demo_profile()
    sim = BranchSimulation(profile, day, seed)
    tz = ZoneInfo(profile.branch.timezone)
    closes_at = datetime.combine(day, profile.branch.closes, tzinfo=tz)
    settings = AdviceSettings(opens_at=datetime.combine(day, profile.branch.opens, tzinfo=tz), closes_at=closes_at)
    fallback = fallback_counter_time_s()
    staffed_minutes = 0
    accepted = 0
    t = sim.start_time
    while not sim.finished:
        t += timedelta(minutes=1)
        sim.advance_to(t)
        counters = sim.counters()
        staffed_minutes += sum(1 for c in counters if c.staff_id is not None and c.state is not CounterState.CLOSED)
        if advised and not sim.finished:
            _, proposals = advise(t, counters, sim.tickets(), profile.staff, sim.roster(), fallback, settings)
            for a in proposals:
                for command in a.commands:
                    sim.apply_command(command)
                accepted += 1
    tickets = sim.tickets()
    waits = [w for tk in tickets if (w := wait_s(tk)) is not None]
    within = sum(1 for w in waits if w <= 600)
    abandoned = sum(1 for tk in tickets if tk.status is TicketStatus.ABANDONED)
    return DayFigures(fmean(waits) / 60, max(waits) / 60, within / (len(waits) + abandoned), abandoned,
                      staffed_minutes / 60, accepted)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=None, help="weekdays to play (default 10; --quick 2)")
    parser.add_argument("--first", type=date.fromisoformat, default=date(2026, 11, 2))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="a short run: 2 weekdays")
    args = parser.parse_args()
    wanted = args.days if args.days is not None else (2 if args.quick else 10)
    days: list[date] = []
    d = args.first
    while len(days) < wanted:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    began = time.perf_counter()
    rows: list[tuple[DayFigures, DayFigures]] = []
    print(f"{'day':<12}{'arm':<8}{'avg wait':>9}{'longest':>9}{'SL 10min':>9}{'gave up':>8}{'staff h':>9}{'advice':>7}")
    for i, day in enumerate(days):
        fixed = play(day, args.seed + i, advised=False)
        advised = play(day, args.seed + i, advised=True)
        rows.append((fixed, advised))
        for name, f in (("fixed", fixed), ("advised", advised)):
            print(f"{day.isoformat():<12}{name:<8}{f.avg_wait_min:>9.2f}{f.longest_wait_min:>9.1f}"
                  f"{f.service_level:>9.1%}{f.abandoned:>8d}{f.staff_hours:>9.1f}{f.advice if name == 'advised' else '':>7}")
    print()
    for name, k in (("fixed", 0), ("advised", 1)):
        sel = [r[k] for r in rows]
        print(f"mean {name:<8} avg wait {fmean(f.avg_wait_min for f in sel):.2f} min, longest "
              f"{fmean(f.longest_wait_min for f in sel):.1f} min, service level {fmean(f.service_level for f in sel):.1%},"
              f" gave up {fmean(f.abandoned for f in sel):.1f}, staff-hours {fmean(f.staff_hours for f in sel):.1f}"
              + (f", advice accepted {fmean(f.advice for f in sel):.1f}/day" if k else ""))
    print(f"({len(days)} weekdays from {days[0]}, seed {args.seed}+i; {time.perf_counter() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
