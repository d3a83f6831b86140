"""Start-up time of the console: from launching the process to its main window's first paint, from source and,
with --bundle, from the bundle (installer/build.py) in the same run so the two see the same machine.

    .venv/bin/python benchmarks/startup_time.py [--bundle dist/branch-lobby-console/branch-lobby-console]
                                                [--runs 5] [--quick]

Each run starts the demo offscreen (``--demo --quit-after 2 --screenshot PATH``) with
``BRANCH_CONSOLE_REPORT_FIRST_PAINT=1`` and times the line "first paint" on stderr; a run counts only when the
process exits 0 having written its screenshot (the window was drawn to the end). Without --bundle only the source
checkout (``main.py``) is measured; with it the arms alternate run by run. Two conditions:
- warm: the files are in the page cache (as for a console restarted during the day); a first run of each arm
  creates its data directory (and the source's __pycache__ folders) and is not counted;
- cold: the page cache is dropped before every run (``/proc/sys/vm/drop_caches``, needs root on Linux; skipped with
  a note otherwise), as after a reboot of the supervisor PC.
Prints the median and the spread of each arm and, with --bundle, the bundle/source ratio of the medians.

--quick: 2 warm runs per arm after the uncounted first one, each closing after 1 s; no cold runs (dropping the
page cache slows every other program on the machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
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


def first_paint_s(command: list[str], data_dir: Path, quit_after_s: float, timeout_s: float = 120.0) -> float:
    """Seconds from launching ``command`` (the demo, offscreen) to its window's first paint."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BRANCH_CONSOLE_REPORT_FIRST_PAINT": "1",
           "BRANCH_CONSOLE_DATA_DIR": str(data_dir)}
    env.pop("BRANCH_CONSOLE_DB", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the source arm keeps its compiled modules, as an installed one does
    screenshot = data_dir.parent / f"{data_dir.name}.png"
    screenshot.unlink(missing_ok=True)
    started = time.perf_counter()
    process = subprocess.Popen([*command, "--demo", "--quit-after", f"{quit_after_s:g}", "--screenshot",
                                str(screenshot)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(timeout_s, process.kill)  # a console that never quits ends the run, not the benchmark
    watchdog.start()
    painted = None
    output: list[str] = []
    assert process.stderr is not None
    try:
        for line in process.stderr:
            if line.strip() == "first paint" and painted is None:
                painted = time.perf_counter() - started
            else:
                output.append(line)
        process.wait()
    finally:
        watchdog.cancel()
    if painted is None or process.returncode != 0 or not screenshot.is_file():
        raise SystemExit(f"error: {' '.join(command)} did not start and quit cleanly (exit {process.returncode}, "
                         f"painted: {painted is not None}, screenshot written: {screenshot.is_file()}); "
                         f"its stderr:\n{''.join(output[-30:])}")
    return painted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, help="the bundled executable to compare with the source checkout")
    parser.add_argument("--runs", type=int, default=None, help="runs per arm and condition (default 5; --quick 2)")
    parser.add_argument("--quick", action="store_true", help="a short run: 2 warm runs per arm, no cold ones")
    args = parser.parse_args()
    runs = args.runs if args.runs is not None else (2 if args.quick else 5)
    quit_after_s = 1.0 if args.quick else 2.0
    arms = {"source": [sys.executable, str(ROOT / "main.py")]}
    if args.bundle is not None:
        if not args.bundle.is_file():
            print(f"error: --bundle {args.bundle} is not a file (build it with installer/build.py)", file=sys.stderr)
            return 2
        arms["bundle"] = [str(args.bundle.resolve())]
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as tmp:
        dirs = {name: Path(tmp) / name for name in arms}
        for name, command in arms.items():  # creates each data directory (database, demo branch): not counted
            first_paint_s(command, dirs[name], quit_after_s)
        results: dict[tuple[str, str], list[float]] = {}
        for condition in ("warm", "cold"):
            if condition == "cold":
                if args.quick:
                    print("cold: skipped (--quick)")
                    continue
                if not drop_caches():
                    print("cold: skipped (the page cache cannot be dropped here: needs root on Linux)")
                    continue
            for _ in range(runs):
                for name, command in arms.items():
                    if condition == "cold":
                        drop_caches()
                    results.setdefault((condition, name), []).append(first_paint_s(command, dirs[name],
                                                                                   quit_after_s))
        for condition in ("warm", "cold"):
            if (condition, "source") not in results:
                continue
            medians = {}
            for name in arms:
                times = sorted(results[(condition, name)])
                medians[name] = statistics.median(times)
                print(f"{condition} {name:<7} launch -> first paint: median {medians[name]:.2f} s  "
                      f"(min {times[0]:.2f}, max {times[-1]:.2f}, {len(times)} runs)")
            if "bundle" in medians:
                print(f"{condition} bundle / source: {medians['bundle'] / medians['source']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
