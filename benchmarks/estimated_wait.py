"""Estimated wait against what happened: the queue panel's estimate for each new ticket on simulated days.

    .venv/bin/python benchmarks/estimated_wait.py [--days 5] [--date 2026-11-23] [--quick]

--quick plays 1 day.

For each simulated day (the demo branch, consecutive days from --date) the day is
stepped 15 s at a time; every normal (non-priority) ticket issued in a step gets the estimate the queue panel shows
at that moment for its service type (``estimate_wait_s``, with the ticket itself not yet in the queue), and the
previous, simpler estimate (tickets waiting × today's mean handling time ÷ working counters) in the same run. Once
the day is over both are compared with the ticket's real wait (called − issued; tickets never called are left
out). Printed per day and overall: tickets, mean real wait, mean absolute error of each estimate in minutes, and
the error of always predicting the day's mean wait so far (a baseline).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.domain.queue_metrics import (  # noqa: E402
    DEFAULT_HANDLING_S,
    WORKING_STATES,
    estimate_wait_s,
    handling_s,
    is_waiting,
)
from console.sources.demo_day import DemoDay, seed_for_day  # noqa: E402


def simple_estimate(tickets, counters, service_type, at) -> float | None:
    working = sum(1 for c in counters if service_type in c.service_types and c.state in WORKING_STATES
                  and c.staff_id is not None)
    if not working:
        return None
    handled = [h for t in tickets if t.service_type is service_type and (h := handling_s(t)) is not None]
    mean = statistics.fmean(handled) if handled else DEFAULT_HANDLING_S
    return sum(1 for t in tickets if t.service_type is service_type and is_waiting(t, at)) * mean / working


def one_day(day: date, seed: int) -> tuple[list[float], list[float], list[float], list[float]]:
    demo = DemoDay(day, seed)
    estimates: dict[str, tuple[float, float, float]] = {}  # ticket → (new, simple, baseline) in seconds
    seen: set[str] = set()
    while not demo.sim.finished:
        demo.step_to(demo.sim.now + timedelta(seconds=15))
        at = demo.sim.now
        tickets = demo.sim.tickets()
        counters = demo.sim.counters()
        called_waits = [(t.called_at - t.issued_at).total_seconds() for t in tickets
                        if t.called_at is not None and t.called_at <= at]
        baseline = statistics.fmean(called_waits) if called_waits else 0.0
        for t in tickets:
            if t.ticket_id in seen:
                continue
            seen.add(t.ticket_id)
            if t.priority:
                continue
            others = [o for o in tickets if o.ticket_id != t.ticket_id]
            new = estimate_wait_s(others, counters, t.service_type, at)
            simple = simple_estimate(others, counters, t.service_type, at)
            if new is not None and simple is not None:
                estimates[t.ticket_id] = (new, simple, baseline)
    actual, new_e, simple_e, base_e = [], [], [], []
    for t in demo.sim.tickets():
        if t.ticket_id in estimates and t.called_at is not None:
            real = (t.called_at - t.issued_at).total_seconds()
            new, simple, baseline = estimates[t.ticket_id]
            actual.append(real / 60)
            new_e.append(abs(new - real) / 60)
            simple_e.append(abs(simple - real) / 60)
            base_e.append(abs(baseline - real) / 60)
    return actual, new_e, simple_e, base_e


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=None, help="days to simulate (default 5; --quick 1)")
    parser.add_argument("--date", type=date.fromisoformat, default=date(2026, 11, 23))
    parser.add_argument("--quick", action="store_true", help="a short run: 1 day")
    args = parser.parse_args()
    days = args.days if args.days is not None else (1 if args.quick else 5)
    print(f"{'day':<12}{'tickets':>8}{'mean wait':>11}{'MAE estimate':>14}{'MAE simple':>12}{'MAE baseline':>14}  (min)")
    totals: list[list[float]] = [[], [], [], []]
    for i in range(days):
        day = args.date + timedelta(days=i)
        parts = one_day(day, seed_for_day(1, args.date, day))
        for total, part in zip(totals, parts, strict=True):
            total.extend(part)
        actual, new_e, simple_e, base_e = parts
        print(f"{day.isoformat():<12}{len(actual):>8}{statistics.fmean(actual):>11.2f}{statistics.fmean(new_e):>14.2f}"
              f"{statistics.fmean(simple_e):>12.2f}{statistics.fmean(base_e):>14.2f}", flush=True)
    actual, new_e, simple_e, base_e = totals
    print(f"{'all':<12}{len(actual):>8}{statistics.fmean(actual):>11.2f}{statistics.fmean(new_e):>14.2f}"
          f"{statistics.fmean(simple_e):>12.2f}{statistics.fmean(base_e):>14.2f}")


if __name__ == "__main__":
    main()
