"""CPU cost of one alert evaluation (every rule's measurements plus the engine step) with 8 cameras and a busy queue.

    .venv/bin/python benchmarks/alert_cpu.py [--repeat 300] [--scale 5] [--quick]

--quick times 50 evaluations instead of 300.

The state: 8 cameras with 4 zones each (all with a capacity), the lobby, a busy queue (the demo's month-end Monday
at 12:00, its tickets copied ``--scale`` times: a branch five times as busy), 7 counters, the demo roster, logins.
One evaluation = ``measure_all`` + ``AlertEngine.evaluate`` with the default rules, on one core. The live service
evaluates on every branch view (2 a second at most) and every 5 s; the share of one core at 2.2 evaluations a
second is printed too. The busiest part is the staffing rule (Erlang C per service type); it is timed alone.
Then the console itself starts on the demo (offscreen, 10x speed) and the wall time of each run of its alert job is
printed: a run must end well inside its 5 s interval, or the scheduler skips the next one with a warning.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from console.domain.alert_engine import AlertEngine, default_rules
    from console.domain.alert_measures import BranchState, CameraState, measure_all, staffing
    from console.domain.records import ZoneSpec
    from console.domain.vocabulary import ZoneKind
    from console.sim.engine import BranchSimulation
    from console.sim.profile import demo_profile
    from console.staffing.demand import fallback_counter_time_s

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=None, help="evaluations to time (default 300; --quick 50)")
    parser.add_argument("--scale", type=int, default=5, help="copies of the day's tickets (a branch this many "
                        "times as busy; default 5)")
    parser.add_argument("--quick", action="store_true", help="a short run: 50 evaluations")
    args = parser.parse_args()
    repeat = args.repeat if args.repeat is not None else (50 if args.quick else 300)
    profile = demo_profile()
    day = date(2026, 11, 30)
    sim = BranchSimulation(profile, day, 3)
    tz = ZoneInfo(profile.branch.timezone)
    at = datetime.combine(day, datetime.min.time(), tzinfo=tz).replace(hour=12)
    sim.advance_to(at)
    from dataclasses import replace

    tickets = [replace(t, ticket_id=f"{t.ticket_id}-{k}", number=f"{t.number}-{k}")
               for k in range(args.scale) for t in sim.tickets()]
    zones = [ZoneSpec(f"cam{c}-zone{z}", ZoneKind.WAITING, ((0, 0), (1, 0), (1, 1)), capacity=20)
             for c in range(8) for z in range(4)]
    state = BranchState(
        at=at, tickets=tickets, counters=sim.counters(), roster=sim.roster(), lobby_count=45, lobby_capacity=60,
        zones=zones, zone_counts={z.name: 12 + i % 9 for i, z in enumerate(zones)},
        cameras=tuple(CameraState(f"cam{c}", c != 3, at - timedelta(seconds=90) if c == 3 else None)
                      for c in range(8)),
        logins={p.staff_id: [at - timedelta(hours=3)] for p in profile.staff},
        counter_time_fallback_s=fallback_counter_time_s())
    waiting = sum(1 for t in tickets if t.called_at is None and not t.status.is_final)
    engine = AlertEngine(default_rules())
    times, staffing_times = [], []
    for i in range(repeat):
        now = at + timedelta(seconds=i)
        s = BranchState(**{**state.__dict__, "at": now})
        t0 = time.process_time()
        engine.evaluate(now, measure_all(s))
        times.append(time.process_time() - t0)
        t0 = time.process_time()
        staffing(s)
        staffing_times.append(time.process_time() - t0)
    median = statistics.median(times) * 1000
    p99 = sorted(times)[int(0.99 * (len(times) - 1))] * 1000
    print(f"{len(tickets)} tickets ({waiting} waiting), {len(state.counters)} counters, 8 cameras, "
          f"{len(zones)} zones with a capacity, {len(engine.rules)} rules, {len(engine.open)} alerts open at the end")
    print(f"one evaluation: median {median:.2f} ms CPU, p99 {p99:.2f} ms (staffing rule alone: median "
          f"{statistics.median(staffing_times) * 1000:.2f} ms)")
    print(f"at 2.2 evaluations a second: {median * 2.2 / 10:.2f}% of one core")
    startup(seconds=3.0 if args.quick else 30.0)
    return 0


def startup(seconds: float) -> None:
    """The console's own alert runs while the demo window starts (its morning is simulated at once and views
    stream in): the wall time of each run of the alert job, which must end well inside its 5 s interval."""
    import argparse as _argparse
    import os
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from console.app.alert_service import EVERY_S, AlertService
    from console.app.context import AppContext, SourceOptions
    from console.app.main_window import MainWindow
    from console.bootstrap import prepare

    app = QApplication.instance() or QApplication([])
    data = Path(tempfile.mkdtemp(prefix="bench-alerts-"))
    env = prepare(_argparse.Namespace(data_dir=data, db=None, lang="en", log_level="WARNING"))
    context = AppContext(env, SourceOptions(force_demo=True, speed=10.0))
    runs: list[float] = []
    plain_run = AlertService.run

    def timed_run(service):
        t0 = time.perf_counter()
        try:
            return plain_run(service)
        finally:
            runs.append(time.perf_counter() - t0)

    AlertService.run = timed_run  # the job the service schedules at start (this process only measures)
    started = time.perf_counter()
    context.start()
    window = MainWindow(context)
    window.show()
    while time.perf_counter() - started < seconds:
        app.processEvents()
        time.sleep(0.005)
    window.close()
    context.stop()
    env.close()
    print(f"console start-up, demo at 10x for {seconds:.0f} s: {len(runs)} alert runs, longest "
          f"{max(runs, default=0) * 1000:.0f} ms, median {statistics.median(runs) * 1000 if runs else 0:.0f} ms "
          f"(interval {EVERY_S:g} s)")


if __name__ == "__main__":
    raise SystemExit(main())
