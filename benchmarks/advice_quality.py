"""Staffing advice on simulated days: the demo branch with every piece of live advice accepted, against the same day
(same seed, same customers) with the fixed demo roster only — on ordinary days and on a busy scenario's.

    .venv/bin/python benchmarks/advice_quality.py [--days 3] [--seeds 3] [--first 2026-11-02] [--seed 1]
                                                  [--scenario NAME ...] [--quick]

Each weekday is played with ``--seeds`` seeds, for the ordinary demo day and for each ``--scenario`` (default: the
ordinary day and ``pension_payday``, the busy pension-payday morning). --quick plays one weekday with one seed of
each.

Each arm plays the day in one-minute steps. The advised arm evaluates ``console.domain.advice.advise`` every
minute, as the console's scheduled job does, and carries out every proposal at once (a manager who accepts all
advice). Printed per day and as means: average wait and longest wait of called tickets (minutes), service level
(share called within 10 minutes among called and abandoned), customers who gave up, and staff-hours at counters
(counter-minutes with someone logged in, sampled each minute: the advice puts people who are on shift but away
from a counter to work there), the rostered staff-hours (work records minus breaks: the same in both arms, as the
advice only asks for people on the roster), and the 90th percentile of the waits. Then, per
kind of day, the means of both arms and their difference (advised − fixed). Both arms see identical arrivals: the
simulator draws every customer before the day starts.
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
    p90_wait_min: float = 0.0
    rostered_hours: float = 0.0  # work records minus their breaks: what the branch pays for, the same in both arms


def play(day: date, seed: int, advised: bool, scenario: str | None = None) -> DayFigures:
    from console.sim.scenarios import scenario_named, with_scenario

    profile = with_scenario(demo_profile(), scenario_named(scenario) if scenario else None)
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
    ordered = sorted(waits)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] / 60
    from console.domain.vocabulary import ShiftKind

    rostered = sum((r.end - r.start).total_seconds() - sum((b.end - b.start).total_seconds() for b in r.breaks)
                   for r in sim.roster() if r.kind is ShiftKind.WORK) / 3600
    return DayFigures(fmean(waits) / 60, max(waits) / 60, within / (len(waits) + abandoned), abandoned,
                      staffed_minutes / 60, accepted, p90, rostered)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=None, help="weekdays to play (default 3; --quick 1)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per day (default 3; --quick 1)")
    parser.add_argument("--first", type=date.fromisoformat, default=date(2026, 11, 2))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", action="append", metavar="NAME",
                        help="a busy scenario to play beside the ordinary day (default: pension_payday)")
    parser.add_argument("--quick", action="store_true", help="a short run: 1 weekday, 1 seed of each kind of day")
    args = parser.parse_args()
    wanted = args.days if args.days is not None else (1 if args.quick else 3)
    seeds = args.seeds if args.seeds is not None else (1 if args.quick else 3)
    kinds: list[str | None] = [None, *(args.scenario or ["pension_payday"])]
    days: list[date] = []
    d = args.first
    while len(days) < wanted:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    began = time.perf_counter()
    print(f"{'day':<12}{'kind':<16}{'seed':>5} {'arm':<8}{'avg wait':>9}{'p90':>7}{'longest':>9}{'SL 10min':>9}"
          f"{'gave up':>8}{'staff h':>9}{'advice':>7}")
    results: dict[str | None, list[tuple[DayFigures, DayFigures]]] = {k: [] for k in kinds}
    for kind in kinds:
        for i, day in enumerate(days):
            for j in range(seeds):
                seed = args.seed + i * seeds + j
                pair = play(day, seed, False, kind), play(day, seed, True, kind)
                results[kind].append(pair)
                for name, f in zip(("fixed", "advised"), pair, strict=True):
                    print(f"{day.isoformat():<12}{kind or 'ordinary':<16}{seed:>5} {name:<8}{f.avg_wait_min:>9.2f}"
                          f"{f.p90_wait_min:>7.1f}{f.longest_wait_min:>9.1f}{f.service_level:>9.1%}{f.abandoned:>8d}"
                          f"{f.staff_hours:>9.1f}{f.advice if name == 'advised' else '':>7}")
    print()
    for kind in kinds:
        rows = results[kind]
        means = []
        for name, k in (("fixed", 0), ("advised", 1)):
            sel = [r[k] for r in rows]
            m = (fmean(f.avg_wait_min for f in sel), fmean(f.p90_wait_min for f in sel),
                 fmean(f.service_level for f in sel), fmean(f.abandoned for f in sel),
                 fmean(f.staff_hours for f in sel), fmean(f.rostered_hours for f in sel))
            means.append(m)
            print(f"{kind or 'ordinary':<16} mean {name:<8} avg wait {m[0]:.2f} min, p90 {m[1]:.1f} min, service "
                  f"level {m[2]:.1%}, gave up {m[3]:.1f}, hours at counters {m[4]:.1f}, rostered staff-hours "
                  f"{m[5]:.1f}"
                  + (f", advice accepted {fmean(r[1].advice for r in rows):.1f}/day" if k else ""))
        d_ = [b - a for a, b in zip(means[0], means[1], strict=True)]
        print(f"{kind or 'ordinary':<16} advised − fixed: avg wait {d_[0]:+.2f} min, p90 {d_[1]:+.1f} min, service "
              f"level {d_[2] * 100:+.1f} points, gave up {d_[3]:+.1f}, hours at counters {d_[4]:+.1f}, rostered "
              f"staff-hours {d_[5]:+.1f}")
    print(f"({len(days)} weekdays from {days[0]} × {seeds} seeds from {args.seed}, per kind of day; "
          f"{time.perf_counter() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
