"""Log volume: what a running console writes to ``console.log`` at the default level (INFO), per logger, and the
bytes a day that makes — the budget is 1 MB a day in normal operation.

    .venv/bin/python benchmarks/log_volume.py [--seconds 120] [--what both|service|window] [--every-s 1] [--quick]

Two consoles, each in a new temporary data directory, as processes of their own:
- service: ``main.py serve`` on a real branch (resources/examples/branch.toml, a SQLite file, the ticket API on a
  free port of 127.0.0.1, an administrator's login), fed through its API: every --every-s seconds a request with a
  ticket issued and the previous one called at a counter (each makes the alert engine run); stopped with SIGTERM;
- window: the console window on the demo branch (offscreen, clock at 1x), closed by ``--quit-after``.
Each is measured --seconds long from 2 s after it said it started (the service's "started" line, the window's
first paint). Printed per console: lines and bytes per level and logger written while starting and stopping
(once per start), in the steady part, and the lines of the once-a-day jobs (retention purge, closing report),
which are counted once a day; then bytes a day = start and stop + once-a-day lines + the steady rate × 86400 s, and
whether that is under 1 MB. The measurement itself is ``tests/test_quiet_logs.py``'s (its slow tests run it for 20
s and fail above the budget). Exit status 0 once measured, whatever the verdict; 1 when a console does not start
or stop cleanly; 77 when Qt (PySide6), which both need, cannot be loaded here.

--quick: 15 s per console.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: Exit status when something the consoles need is missing here (the run is skipped, not failed).
MISSING = 77


def print_lines(title: str, rows: list[tuple[str, int, int]]) -> None:
    print(f"  {title}: {sum(r[1] for r in rows)} lines, {sum(r[2] for r in rows)} bytes")
    for key, lines, size in rows:
        print(f"    {lines:6d} lines {size:9d} bytes  {key}")


def report(volume, budget_per_day: int) -> None:
    """The figures of one console's run (a ``tests.test_quiet_logs.LogVolume``)."""
    print(f"{volume.what} ({'; '.join(volume.notes)}):")
    print_lines("start and stop (once per start)", volume.per_logger(volume.startup + volume.shutdown))
    print_lines(f"steady, {volume.seconds:.1f} s", volume.per_logger([x for x in volume.steady if not x.once_a_day]))
    once = [x for x in volume.steady if x.once_a_day]
    if once:
        print_lines("once-a-day jobs (counted once a day)", volume.per_logger(once))
    rate = volume.steady_bytes / volume.seconds
    per_day = volume.bytes_per_day()
    print(f"  steady rate: {rate:.1f} bytes/s ({rate * 86400 / 1e6:.3f} MB a day)")
    print(f"  bytes a day: {per_day:,.0f} ({per_day / 1e6:.3f} MB): "
          f"{'under' if per_day < budget_per_day else 'OVER'} the {budget_per_day / 1e6:g} MB a day budget")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=None,
                        help="steady operation measured per console, seconds (default 120; --quick 15)")
    parser.add_argument("--what", choices=("both", "service", "window"), default="both",
                        help="the consoles to run (default both)")
    parser.add_argument("--every-s", type=float, default=1.0,
                        help="seconds between requests to the service's ticket API (default 1)")
    parser.add_argument("--quick", action="store_true", help="a short run: 15 s per console")
    args = parser.parse_args()
    if args.seconds is None:
        args.seconds = 15.0 if args.quick else 120.0
    try:
        import PySide6.QtGui  # noqa: F401  (the service and the window both run a Qt event loop)
    except ImportError as exc:
        print(f"skipped: Qt (PySide6) cannot be loaded here: {exc}", file=sys.stderr)
        return MISSING
    from tests.test_quiet_logs import BYTES_PER_DAY, measure_service, measure_window

    def interrupt(*_args) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # the consoles are stopped and the data directories removed
    tmp = Path(tempfile.mkdtemp(prefix="log-volume-bench-"))
    try:
        for what in ("service", "window"):
            if args.what not in ("both", what):
                continue
            try:
                if what == "service":
                    volume = measure_service(tmp / what, args.seconds, args.every_s)
                else:
                    volume = measure_window(tmp / what, args.seconds)
            except AssertionError as exc:  # it did not start, or did not stop with exit 0: the reason is in it
                print(f"error: the {what} did not run cleanly: {exc}", file=sys.stderr)
                return 1
            report(volume, BYTES_PER_DAY)
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
