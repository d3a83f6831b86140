"""``simulate --date D [--days N]``: whole demo-branch days run into the database without a window, as the demo
window would store them. No Qt."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from typing import TYPE_CHECKING, TextIO

from console.cli.common import days, iso_date
from console.sim.scenarios import SCENARIOS

if TYPE_CHECKING:
    from console.bootstrap import Environment


def register(sub: argparse._SubParsersAction) -> None:
    simulate = sub.add_parser("simulate", help="run simulated demo days into the database, without a window",
                              description="Simulate whole demo-branch days and store their tickets, counter "
                              "states and occupancy, as the demo window would.")
    simulate.add_argument("--date", type=iso_date, required=True, metavar="YYYY-MM-DD", help="first day")
    simulate.add_argument("--days", type=days, default=1, metavar="N", help="number of consecutive days (default 1)")
    simulate.add_argument("--seed", dest="first_seed", type=int, default=1, metavar="N",
                          help="random seed of the first day (default 1)")
    simulate.add_argument("--scenario", choices=sorted(SCENARIOS), metavar="NAME",
                          help=f"a demo scenario: {', '.join(sorted(SCENARIOS))} (see console/sim/scenarios.py)")
    simulate.set_defaults(handler=run_simulate)


def run_simulate(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from console.sim.profile import demo_profile
    from console.sim.scenarios import scenario_named, with_scenario
    from console.sources.demo_day import DemoDay, DemoRecorder, seed_for_day
    from storage.writer import apply_now

    first: date = args.date
    profile = with_scenario(demo_profile(), scenario_named(args.scenario) if args.scenario else None)
    for offset in range(args.days):
        day = first + timedelta(days=offset)
        demo = DemoDay(day, seed_for_day(args.first_seed, first, day), profile)
        recorder = DemoRecorder(lambda task: apply_now(env.db, task))
        recorder.begin_day(demo)
        events = samples = 0
        for result in demo.run_to_end():
            recorder.record(demo, result)
            events += len(result.events)
            samples += len(result.samples)
        tickets = demo.sim.tickets()
        out.write(f"{day.isoformat()}: {len(tickets)} tickets, {events} events, {samples} occupancy samples "
                  f"stored in {env.db.describe()}\n")
    return 0
