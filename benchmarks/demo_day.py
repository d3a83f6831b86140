"""How fast the demo branch runs: a whole simulated day, occupancy counting and camera frames.

    .venv/bin/python benchmarks/demo_day.py [--days 5] [--quick]

--quick runs 2 days.

Prints, per day and as medians: seconds to simulate the day with occupancy sampled every 30 simulated seconds (as
the window and `main.py simulate` do), the ratio of simulated to wall time, and milliseconds per drawn camera frame.
The window at 600x real time needs 10 simulated minutes per second, i.e. a ratio far above 600.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from camera.synthetic import SyntheticLobbyCamera  # noqa: E402
from camera.zones import count_in_zones, lobby_count  # noqa: E402
from console.sim.engine import BranchSimulation  # noqa: E402
from console.sim.profile import demo_profile  # noqa: E402


def one_day(day: date, seed: int) -> tuple[float, float, float, int]:
    profile = demo_profile()
    camera = SyntheticLobbyCamera(profile.floor)
    zones = camera.zones_px()
    sim = BranchSimulation(profile, day, seed)
    start_sim = sim.now
    t0 = time.perf_counter()
    step = timedelta(seconds=30)
    while not sim.finished:
        sim.advance_to(sim.now + step)
        points = camera.points_px(sim.people())
        lobby_count(points, zones)
        count_in_zones(points, zones)
    wall = time.perf_counter() - t0
    simulated = (sim.now - start_sim).total_seconds()
    frames = 200
    sim2 = BranchSimulation(profile, day, seed)
    sim2.advance_to(sim2.now + timedelta(hours=3))
    people = sim2.people()
    t1 = time.perf_counter()
    for _ in range(frames):
        camera.render(people, sim2.now, sim2.counters())
    frame_ms = (time.perf_counter() - t1) / frames * 1000
    return wall, simulated / wall, frame_ms, len(sim.tickets())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=None, help="days to simulate (default 5; --quick 2)")
    parser.add_argument("--quick", action="store_true", help="a short run: 2 days")
    args = parser.parse_args()
    days = args.days if args.days is not None else (2 if args.quick else 5)
    first = date(2026, 11, 23)
    rows = []
    print("day         tickets  wall s  sim/wall  ms/frame")
    for i in range(days):
        day = first + timedelta(days=i)
        wall, ratio, frame_ms, tickets = one_day(day, 1 + i)
        rows.append((wall, ratio, frame_ms))
        print(f"{day}  {tickets:7d}  {wall:6.2f}  {ratio:8.0f}  {frame_ms:8.2f}")
    print(f"median      {'':7}  {statistics.median(r[0] for r in rows):6.2f}  "
          f"{statistics.median(r[1] for r in rows):8.0f}  {statistics.median(r[2] for r in rows):8.2f}")


if __name__ == "__main__":
    main()
