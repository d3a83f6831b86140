"""How many alerts a lobby manager gets: the demo day replayed through the default rules, counting the alerts raised
up to an instant, per rule, and those still open then.

    .venv/bin/python benchmarks/alert_flood.py [--date 2026-11-27] [--at 12:45] [--step 5] [--scenario NAME] [--quick]

The day is simulated into a temporary database (``main.py simulate``, seed 4) and replayed from its first record to
``--at`` (branch time) every ``--step`` seconds, as the live service evaluates: the same measurements
(``console/domain/alert_measures.py``) and engine. Prints the alerts raised per rule, how many times a raised alert
changed level, was escalated or fell back, and the alerts open at the end, and the most open at once (what the
Alerts panel held at its fullest). ``--scenario`` simulates a demo scenario's day (``pension_payday``: the busy
morning; try ``--at 10:30``). --quick replays the 30 minutes before ``--at`` at 30 s steps.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--at", type=time.fromisoformat, default=time(12, 45), help="branch time (default 12:45)")
    parser.add_argument("--step", type=float, default=5.0, help="seconds between evaluations (default 5)")
    parser.add_argument("--scenario", metavar="NAME", help="a demo scenario's day (e.g. pension_payday)")
    parser.add_argument("--quick", action="store_true", help="the 30 minutes before --at (default 10:30) at 30 s steps")
    args = parser.parse_args()
    at, step = (args.at if "--at" in sys.argv else time(10, 30), 30.0) if args.quick else (args.at, args.step)

    from console.alerts.replay import DayData
    from console.domain.alert_engine import AlertEngine, ChangeKind, default_rules
    from console.domain.alert_measures import measure_all
    from storage import repository
    from storage.database import open_database

    with tempfile.TemporaryDirectory(prefix="alert-flood-") as folder:
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", folder, "simulate", "--date",
                               args.date.isoformat(), "--seed", "4",
                               *(["--scenario", args.scenario] if args.scenario else [])],
                              capture_output=True, text=True)
        if done.returncode != 0:
            print(f"error: the demo day could not be simulated: {done.stderr.strip()}", file=sys.stderr)
            return 1
        db = open_database(f"sqlite:///{Path(folder) / 'console.db'}")
        try:
            branch = repository.load_branch(db, "DEMO")
            end = datetime.combine(args.date, at, tzinfo=ZoneInfo(branch.timezone))
            data = DayData(db, branch, end, 10.0, 0.8)
            engine = AlertEngine(default_rules())
            kinds: Counter = Counter()
            raised: Counter = Counter()
            t = max(data.first, end - timedelta(minutes=30)) if args.quick else data.first
            evaluations = 0
            most, most_at, most_open = 0, t, []
            while t <= end:
                for change in engine.evaluate(t, measure_all(data.state_at(t))):
                    kinds[change.kind] += 1
                    if change.kind is ChangeKind.RAISED:
                        raised[change.alert.rule_id] += 1
                if len(engine.open) > most:
                    most, most_at, most_open = len(engine.open), t, list(engine.open.values())
                t += timedelta(seconds=step)
                evaluations += 1
        finally:
            db.close()
    start = max(data.first, end - timedelta(minutes=30)) if args.quick else data.first
    print(f"demo day {args.date} replayed {start.astimezone(ZoneInfo(branch.timezone)):%H:%M}–{at:%H:%M} every {step:g} s "
          f"({evaluations} evaluations), default rules:")
    print(f"  alerts raised: {sum(raised.values())} — " + ", ".join(f"{rule} {n}" for rule, n in sorted(raised.items())))
    print(f"  level went up {kinds[ChangeKind.WORSENED]}, down {kinds[ChangeKind.DOWNGRADED]}; escalated "
          f"{kinds[ChangeKind.ESCALATED]}; resolved {kinds[ChangeKind.RESOLVED]}")
    def listed(alerts) -> str:
        return ", ".join(f"{a.rule_id} {a.subject} ({a.severity.value}{', escalated' if a.escalated else ''})"
                         for a in sorted(alerts, key=lambda a: (a.rule_id, a.subject)))

    print(f"  open at {at:%H:%M}: {len(engine.open)} — " + listed(engine.open.values()))
    local = most_at.astimezone(ZoneInfo(branch.timezone))
    print(f"  most open at once: {most} at {local:%H:%M:%S} — " + listed(most_open))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
