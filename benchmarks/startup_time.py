"""Start-up time of the console: from launching the process to its main window's first paint, from source and from
the bundle (installer/build.py), in one run so the two see the same machine.

    .venv/bin/python benchmarks/startup_time.py --bundle dist/branch-lobby-console/branch-lobby-console [--runs 5]

Each run starts the demo (``--demo --quit-after 2``, offscreen) with ``BRANCH_CONSOLE_REPORT_FIRST_PAINT=1`` and
times the line "first paint" on stderr. The arms alternate run by run. Two conditions:
- warm: the files are in the page cache (as for a console restarted during the day); a first run of each arm
  creates its data directory (and the source's __pycache__ folders) and is not counted;
- cold: the page cache is dropped before every run (``/proc/sys/vm/drop_caches``, needs root on Linux; skipped with
  a note otherwise), as after a reboot of the supervisor PC.
Prints the median and the spread of each arm and the bundle/source ratio of the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def first_paint_s(command: list[str], data_dir: Path, timeout_s: float = 120.0) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BRANCH_CONSOLE_REPORT_FIRST_PAINT": "1",
           "BRANCH_CONSOLE_DATA_DIR": str(data_dir)}
    env.pop("BRANCH_CONSOLE_DB", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the source arm keeps its compiled modules, as an installed one does
    started = time.perf_counter()
    process = subprocess.Popen([*command, "--demo", "--quit-after", "2"], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    painted = None
    assert process.stderr is not None
    for line in process.stderr:
        if line.strip() == "first paint" and painted is None:
            painted = time.perf_counter() - started
    process.wait(timeout_s)
    if painted is None:
        raise SystemExit(f"error: {' '.join(command)} never painted its window (exit {process.returncode})")
    return painted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, required=True, help="the bundled executable")
    parser.add_argument("--runs", type=int, default=5, help="runs per arm and condition (default 5)")
    args = parser.parse_args()
    if not args.bundle.is_file():
        print(f"error: --bundle {args.bundle} is not a file (build it with installer/build.py)", file=sys.stderr)
        return 2
    arms = {"source": [sys.executable, str(ROOT / "main.py")], "bundle": [str(args.bundle.resolve())]}
    with tempfile.TemporaryDirectory() as tmp:
        dirs = {name: Path(tmp) / name for name in arms}
        for name, command in arms.items():  # creates each data directory (database, demo branch): not counted
            first_paint_s(command, dirs[name])
        results: dict[tuple[str, str], list[float]] = {}
        can_drop = drop_caches()
        for condition in ("warm", "cold"):
            if condition == "cold" and not can_drop:
                print("cold: skipped (the page cache cannot be dropped here: needs root on Linux)")
                continue
            for _ in range(args.runs):
                for name, command in arms.items():
                    if condition == "cold":
                        drop_caches()
                    results.setdefault((condition, name), []).append(first_paint_s(command, dirs[name]))
        for condition in ("warm", "cold"):
            if (condition, "source") not in results:
                continue
            medians = {}
            for name in arms:
                times = sorted(results[(condition, name)])
                medians[name] = statistics.median(times)
                print(f"{condition} {name:<7} median {medians[name]:.2f} s  (min {times[0]:.2f}, max {times[-1]:.2f},"
                      f" {len(times)} runs)")
            print(f"{condition} bundle / source: {medians['bundle'] / medians['source']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
