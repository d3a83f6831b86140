"""Importing a ticket log with ``main.py tickets import FILE``: wall time, peak memory, rejected rows, a second import.

    .venv/bin/python benchmarks/ticket_import.py [--rows 100000] [--db-url postgresql+psycopg://…] [--seed 7]
                                                 [--quick]

Set-up as an IT department does it, in a fresh data directory (``BRANCH_CONSOLE_DATA_DIR``): ``main.py branch
apply resources/examples/branch.toml``, then ``main.py users add NAME --role administrator --password-stdin``.
Database: a SQLite file in the data directory, or with --db-url a new database on that PostgreSQL server (the URL
is the administrative connection; the new database is dropped at the end; without a reachable server the script
says so and exits with status 77).

The ticket log: --rows rows with the header of console/feed/csv_import.py, spread evenly over the branch's open days
among the last 30 before today (its opening hours, service types, business names and counters are read from the
branch file), sorted by issue time, ticket numbers restarting every day as a ticketing system's do; about 88 %
served, 4 % no-shows, 6 % abandoned, 2 % still waiting; a fifth of the service types given as the branch's business
names. Three rows are bad and must be reported as ``FILE:LINE: reason`` and skipped: a ticket issued at
``0001-01-01T09:00:00``, an unknown service type and an empty ticket id.

The import runs as a user runs it, a new process logging in with ``--user NAME --password-stdin`` (so the Python
start-up and the Argon2 check of the password are part of the time), twice. Printed for each run: rows, seconds
(wall), rows/s, its CPU seconds (user + system), peak memory in MB (``Maximum resident set size`` of
``/usr/bin/time -v``, else the child's ``ru_maxrss`` from ``os.wait4``), the exit code, the number of lines on
stderr of the form ``FILE:LINE: reason`` (and whether each bad row was among them), any other stderr line, and the
importer's summary line with its count of new events (the second run's must be 0: importing the same file again
changes nothing). The verdict is against the targets of 20 s and 200 MB for 100,000 rows; for another row count
(and --quick) the rate is scaled to 100,000 rows.

A non-zero exit code of the import is a figure, not a failure of the script. The script exits 1 when an import
printed a Python traceback on stderr (or the set-up failed), else 0.

--quick: 5,000 rows.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.branches.branch_file import BranchPlan, read_branch_file  # noqa: E402
from console.domain.vocabulary import ServiceType  # noqa: E402
from console.feed.csv_import import COLUMNS  # noqa: E402
from tests.pg import unreachable  # noqa: E402

BRANCH_FILE = ROOT / "resources" / "examples" / "branch.toml"
USER, PASSWORD = "admin", "Import2026bench"
#: Exit status when the PostgreSQL server of --db-url cannot be reached (the run is skipped, not failed).
SERVER_MISSING = 77
TARGET_ROWS, TARGET_S, TARGET_MB = 100_000, 20.0, 200.0
DAYS_BACK = 30
#: Share of each service type among the tickets, and of the outcomes.
SERVICE_WEIGHTS = {ServiceType.CASH: 40, ServiceType.NON_CASH: 35, ServiceType.CORPORATE: 15, ServiceType.VIP: 10}
#: The ticket number's letter of each service type.
LETTERS = {ServiceType.CASH: "A", ServiceType.NON_CASH: "B", ServiceType.CORPORATE: "C", ServiceType.VIP: "V"}
OUTCOMES = {"served": 88, "no_show": 4, "abandoned": 6, "waiting": 2}
TIME_BIN = Path("/usr/bin/time")


@dataclass
class BadRow:
    what: str
    line: int = 0  # in the file (the header is line 1)


def write_log(path: Path, rows: int, plan: BranchPlan, today: date, seed: int) -> list[BadRow]:
    """The ticket log of ``rows`` rows (see the module notes); the bad rows and their lines."""
    rng = random.Random(seed)
    days = [today - timedelta(days=d) for d in range(DAYS_BACK, 0, -1)]
    days = [d for d in days if not plan.hours[d.weekday()].closed]
    counters = {t: [c.counter_id for c in plan.counters if t in c.service_types] for t in SERVICE_WEIGHTS}
    staff = {c.counter_id: f"E{1001 + i}" for i, c in enumerate(plan.counters)}
    names: dict[ServiceType, list[str]] = {}
    for name, kind in plan.service_names:
        names.setdefault(kind, []).append(name)
    kinds = [t for t in SERVICE_WEIGHTS if counters[t]]
    weights = [SERVICE_WEIGHTS[t] for t in kinds]
    outcomes, outcome_weights = list(OUTCOMES), list(OUTCOMES.values())
    numbers: dict[ServiceType, int] = {}

    def stamp(at: datetime) -> str:
        return at.strftime("%Y-%m-%dT%H:%M:%S")  # the branch's local time, no offset

    out: list[list[str]] = []
    for index, day in enumerate(days):
        hours = plan.hours[day.weekday()]
        assert hours.opens is not None and hours.closes is not None
        opens = datetime.combine(day, hours.opens)
        span = (datetime.combine(day, hours.closes) - opens).total_seconds() - 900  # no ticket in the last 15 min
        count = rows // len(days) + (1 if index < rows % len(days) else 0)
        numbers.clear()  # A0001, B0001… again each morning
        for issued in sorted(opens + timedelta(seconds=rng.uniform(0, span)) for _ in range(count)):
            kind = rng.choices(kinds, weights)[0]
            numbers[kind] = numbers.get(kind, 0) + 1
            ticket = f"{LETTERS[kind]}{numbers[kind]:04d}"
            shown = rng.choice(names[kind]) if kind in names and rng.random() < 0.2 else kind.value
            outcome = rng.choices(outcomes, outcome_weights)[0]
            counter = rng.choice(counters[kind])
            called = started = finished = None
            if outcome in ("served", "no_show"):
                called = issued + timedelta(seconds=min(5400.0, rng.expovariate(1 / 600)))
            if outcome == "served":
                started = called + timedelta(seconds=rng.uniform(15, 90))
                finished = started + timedelta(seconds=60 + rng.expovariate(1 / 300))
            elif outcome == "no_show":
                finished = called + timedelta(minutes=3)
            elif outcome == "abandoned":
                finished = issued + timedelta(seconds=rng.uniform(300, 1800))
            out.append([ticket, shown, "1" if kind is ServiceType.VIP else rng.choice(["0", "0", "0", ""]),
                        stamp(issued), stamp(called) if called else "", stamp(started) if started else "",
                        stamp(finished) if finished else "", counter if called else "",
                        staff[counter] if called else "", outcome])
    bad = [BadRow("issued at 0001-01-01T09:00:00"), BadRow("unknown service type 外汇"), BadRow("empty ticket_id")]
    bad = bad[:max(0, min(len(bad), len(out) - 1))]
    for k, row in enumerate(bad):
        i = len(out) * (k + 1) // (len(bad) + 1)
        row.line = i + 2
        cells = out[i]
        if k == 0:
            cells[3:7] = ["0001-01-01T09:00:00", "", "", ""]
            cells[7:10] = ["", "", "waiting"]
        elif k == 1:
            cells[1] = "外汇"
        else:
            cells[0] = ""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(out)
    return bad


@dataclass
class Run:
    seconds: float
    cpu_s: float
    peak_mb: float | None
    code: int
    stdout: str
    stderr: str


def run_measured(command: list[str], stdin_text: str, env: dict[str, str], work: Path, name: str,
                 running: list[subprocess.Popen]) -> Run:
    """Run ``command`` with ``stdin_text`` on its standard input; wall time, peak resident memory, exit code, output
    (written to files: a long stderr never blocks it)."""
    out_path, err_path, time_path = work / f"{name}.out", work / f"{name}.err", work / f"{name}.time"
    use_time = TIME_BIN.exists() and os.access(TIME_BIN, os.X_OK)
    full = [str(TIME_BIN), "-v", "-o", str(time_path), *command] if use_time else command
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        # a process group of its own: stopped whole (``/usr/bin/time`` and the import) when the benchmark is stopped
        process = subprocess.Popen(full, stdin=subprocess.PIPE, stdout=out, stderr=err, env=env, cwd=ROOT,
                                   process_group=0)
        running.append(process)
        assert process.stdin is not None
        try:
            process.stdin.write(stdin_text.encode("utf-8"))
            process.stdin.close()
        except BrokenPipeError:
            pass
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        running.remove(process)
    code = process.returncode
    peak_mb = usage.ru_maxrss / 1024  # kB on Linux: of this child and the children it waited for
    cpu_s = usage.ru_utime + usage.ru_stime
    if use_time:
        report = time_path.read_text("utf-8", "replace") if time_path.exists() else ""
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
        status_line = re.search(r"Exit status: (\d+)", report)
        signalled = re.search(r"Command terminated by signal (\d+)", report)
        peak_mb = int(rss.group(1)) / 1024 if rss else None
        if signalled:
            code = -int(signalled.group(1))
        elif status_line:
            code = int(status_line.group(1))
    return Run(seconds, cpu_s, peak_mb, code, out_path.read_text("utf-8", "replace"),
               err_path.read_text("utf-8", "replace"))


def masked(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=None, help="rows in the ticket log (default 100000; --quick 5000)")
    parser.add_argument("--db-url", default=None,
                        help="a PostgreSQL server (postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB, the "
                             "administrative connection): the import goes into a new database there, dropped at "
                             "the end (default: a SQLite file in the temporary data directory)")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the ticket log")
    parser.add_argument("--quick", action="store_true", help="a short run: 5000 rows")
    args = parser.parse_args()
    if args.rows is None:
        args.rows = 5_000 if args.quick else TARGET_ROWS
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    if args.db_url is not None and not args.db_url.startswith("postgresql"):
        parser.error("--db-url takes a PostgreSQL URL (postgresql+psycopg://…); without it the import goes into a "
                     "SQLite file in the temporary data directory")
    if args.db_url is not None:
        why = unreachable(args.db_url)
        if why:
            print(f"skipped: {why}", file=sys.stderr)
            return SERVER_MISSING

    def interrupt(*_args) -> None:
        raise KeyboardInterrupt

    # Ctrl+C and SIGTERM: the running command is stopped, the database dropped, the data directory removed
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    work = Path(tempfile.mkdtemp(prefix="ticket-import-bench-"))
    running: list[subprocess.Popen] = []
    admin = dbname = None
    try:
        url = None
        if args.db_url is not None:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            admin = create_engine(args.db_url, isolation_level="AUTOCOMMIT")
            dbname = f"ticket_import_bench_{uuid.uuid4().hex[:10]}"
            with admin.connect() as conn:
                conn.execute(text(f'create database "{dbname}"'))
            url = make_url(args.db_url).set(database=dbname).render_as_string(hide_password=False)
        return run(args, work, url, running)
    except KeyboardInterrupt:
        print("interrupted: stopping the import and cleaning up", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for process in running:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if admin is not None:
            from sqlalchemy import text

            for attempt in range(10):
                try:
                    with admin.connect() as conn:
                        conn.execute(text(f'drop database if exists "{dbname}" with (force)'))
                    break
                except Exception as exc:
                    if attempt == 9:
                        print(f"database {dbname} not dropped: {exc}", file=sys.stderr)
                    time.sleep(0.5)
            admin.dispose()
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path, url: str | None, running: list[subprocess.Popen]) -> int:
    data = work / "data"
    data.mkdir()
    # the file secret store: nothing is left in a desktop keyring of whoever runs the benchmark
    (data / "settings.toml").write_text('[security]\nsecret_store = "file"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("BRANCH_CONSOLE_DB", "BRANCH_CONSOLE_USER")}
    env["BRANCH_CONSOLE_DATA_DIR"] = str(data)
    main_py = [sys.executable, str(ROOT / "main.py")] + (["--db", url] if url else [])
    for command, stdin_text in (([*main_py, "branch", "apply", str(BRANCH_FILE)], ""),
                                ([*main_py, "users", "add", USER, "--role", "administrator", "--password-stdin"],
                                 PASSWORD + "\n")):
        done = subprocess.run(command, input=stdin_text, capture_output=True, text=True, env=env, cwd=ROOT,
                              check=False)
        if done.returncode != 0:
            print(f"error: set-up command {shlex.join(command[1:])} exited {done.returncode}:\n{done.stderr}",
                  file=sys.stderr)
            return 1

    plan = read_branch_file(BRANCH_FILE)
    zone = ZoneInfo(plan.timezone)
    log = work / "tickets.csv"
    t0 = time.perf_counter()
    bad = write_log(log, args.rows, plan, datetime.now(zone).date(), args.seed)
    made_s = time.perf_counter() - t0
    command = [*main_py, "--user", USER, "--password-stdin", "tickets", "import", str(log)]
    first = run_measured(command, PASSWORD + "\n", env, work, "first", running)
    second = run_measured(command, PASSWORD + "\n", env, work, "second", running)

    backend = "PostgreSQL" if url else "SQLite"
    print(f"ticket import: {args.rows} rows ({log.stat().st_size / 1e6:.1f} MB CSV, written in {made_s:.1f} s; "
          f"{len(bad)} bad rows) into branch {plan.code} on {backend}; memory from "
          f"{'/usr/bin/time -v' if TIME_BIN.exists() else 'os.wait4 ru_maxrss'}")
    shown = [a if a != url else masked(a) for a in command[2:]]  # the password of a database URL is not printed
    print(f"  command: {shlex.join(['main.py', *shown])}")
    traceback_seen = False
    for name, result in (("first import", first), ("second import (same file)", second)):
        rejected = [m for m in (re.match(rf"^{re.escape(str(log))}:(\d+): (.+)$", line)
                                for line in result.stderr.splitlines()) if m]
        other = [line for line in result.stderr.splitlines() if line.strip()
                 and not line.startswith(f"{log}:")]
        summary = next((line for line in result.stdout.splitlines() if "new events" in line), None)
        new_events = re.search(r"(\d+) new events", summary or "")
        rate = args.rows / result.seconds if result.seconds > 0 else float("nan")
        peak = f"{result.peak_mb:.0f} MB" if result.peak_mb is not None else "unknown"
        print(f"  {name}: {args.rows} rows in {result.seconds:.2f} s ({rate:.0f} rows/s; CPU {result.cpu_s:.1f} s), "
              f"peak memory {peak}, "
              f"exit code {result.code}, rejected lines on stderr {len(rejected)}, new events "
              f"{new_events.group(1) if new_events else 'not reported'}")
        if summary:
            print(f"    summary: {summary.strip().replace(str(log), log.name)}")
        reported = {int(m.group(1)): m.group(2) for m in rejected}
        for row in bad:
            why = reported.get(row.line)
            print(f"    bad row line {row.line} ({row.what}): " + (f"rejected: {why[:110]}" if why
                                                                    else "NOT reported"))
        others = [line for line in rejected if int(line.group(1)) not in {b.line for b in bad}]
        if others:
            print(f"    other rejected lines: {len(others)}, e.g. {others[0].group(0).replace(str(log), log.name)}")
        for line in other[:5]:
            print(f"    stderr: {line.replace(str(log), log.name)[:200]}")
        if len(other) > 5:
            print(f"    stderr: … {len(other) - 5} more lines")
        if "Traceback (most recent call last)" in result.stderr:
            traceback_seen = True
            print(f"    !! a Python traceback on stderr:\n{result.stderr[-3000:]}")

    print(f"  machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end (CPU time below the "
          f"wall time: waiting for a core or the disk)")
    rate = args.rows / first.seconds
    at_target = TARGET_ROWS / rate
    second_new = re.search(r"(\d+) new events", second.stdout)
    print(f"idempotent: second import {second.seconds:.2f} s, new events "
          f"{second_new.group(1) if second_new else 'not reported'} "
          + ("ok" if second_new and second_new.group(1) == "0" else "NOT SHOWN TO BE 0"))
    if args.quick or args.rows != TARGET_ROWS:
        print(f"rate: {rate:.0f} rows/s, i.e. about {at_target:.0f} s for {TARGET_ROWS:,} rows at this rate "
              f"(target <= {TARGET_S:.0f} s and <= {TARGET_MB:.0f} MB for {TARGET_ROWS:,} rows; measured on "
              f"{args.rows:,} rows, peak {first.peak_mb or float('nan'):.0f} MB)")
    else:
        ok_time = first.seconds <= TARGET_S
        ok_memory = first.peak_mb is not None and first.peak_mb <= TARGET_MB
        print(f"verdict: {TARGET_ROWS:,} rows in {first.seconds:.1f} s (target <= {TARGET_S:.0f} s) "
              + ("ok" if ok_time else "TOO SLOW") + f"; peak {first.peak_mb or float('nan'):.0f} MB (target <= "
              f"{TARGET_MB:.0f} MB) " + ("ok" if ok_memory else "TOO MUCH") + f"; import exit code {first.code} "
              f"(1 expected: the bad rows)")
    return 1 if traceback_seen else 0


if __name__ == "__main__":
    raise SystemExit(main())
