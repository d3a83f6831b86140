"""``console.log`` stays small in normal operation: the scheduler's routine lines are DEBUG lines, every warning and
error is still written, and a running console writes under 1 MB a day (``console.bootstrap.RoutineLines``).

The in-process test runs a real APScheduler ``BackgroundScheduler`` under the console's logging set-up. The slow
tests run the headless service (``main.py serve`` on a real branch, fed through its ticket API) and the demo
window (offscreen) as processes, and compare what they write to ``console.log`` once started with the daily budget
scaled to the measured time; the lines written while starting and stopping are measured apart (they come once per
start, not per second). ``benchmarks/log_volume.py`` runs the same measurements for longer and prints the figures.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from console.bootstrap import LOG_FILE, setup_logging
from console.branches.branch_file import read_branch_file
from console.branches.branch_setup import apply_plan
from console.domain.permissions import Role
from console.feed.token import rotate_token
from console.security.users import UserStore
from tests.cli.test_cli import ROOT
from tests.feed.test_serve import PASSWORD, Stderr, post, start_service
from tests.gui.conftest import make_env

#: The budget of ``console.log`` in normal operation, in bytes a day.
BYTES_PER_DAY = 1_000_000
#: Seconds after a console says it started before the steady part of a run is measured: the one-off lines of
#: threads still starting (the ticket API's "Running on …") land before it.
SETTLE_S = 2.0
#: Loggers whose INFO lines come from jobs that run once a day (and once shortly after a start): the retention purge
#: (``console.security.retention_job``, 30 s after the start and daily at 02:30) and the closing-time report. They
#: are counted once a day, not extrapolated from a run of seconds.
ONCE_A_DAY = ("storage.retention", "console.app.report_service")
#: The start of a record of ``console.log`` (``setup_logging``'s format): time, level, thread name, logger name.
RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) (.*?) ([\w.\-]+): ")


def budget_bytes(seconds: float) -> float:
    """The bytes ``console.log`` may grow by in ``seconds`` of normal operation: ``BYTES_PER_DAY`` scaled."""
    return BYTES_PER_DAY * seconds / 86400


@dataclass(frozen=True)
class LogLine:
    """One record of ``console.log`` with its continuation lines (a traceback, a multi-line message)."""

    level: str
    logger: str
    text: str
    size: int  # bytes in the file, line ends included

    @property
    def once_a_day(self) -> bool:
        return self.level == "INFO" and self.logger in ONCE_A_DAY


def parse_log(data: bytes) -> list[LogLine]:
    """The records of a piece of ``console.log``; text before the first record (a record cut by a measurement's
    start) counts as a record of its own, level "?"."""
    lines: list[LogLine] = []
    level, logger, chunk = "?", "?", b""
    for raw in data.splitlines(keepends=True):
        match = RECORD.match(raw.decode("utf-8", "replace"))
        if match is not None:
            if chunk:
                lines.append(LogLine(level, logger, chunk.decode("utf-8", "replace"), len(chunk)))
            level, logger, chunk = match.group(1), match.group(3), b""
        chunk += raw
    if chunk:
        lines.append(LogLine(level, logger, chunk.decode("utf-8", "replace"), len(chunk)))
    return lines


@dataclass
class LogVolume:
    """What a console wrote to ``console.log`` in one run: while starting, in ``seconds`` of steady operation, and
    while stopping."""

    what: str
    seconds: float
    startup: list[LogLine]
    steady: list[LogLine]
    shutdown: list[LogLine]
    notes: list[str] = field(default_factory=list)  # what the run did meanwhile (events posted …)

    @property
    def steady_bytes(self) -> int:
        """Bytes of the steady part, without the lines of once-a-day jobs."""
        return sum(line.size for line in self.steady if not line.once_a_day)

    @property
    def once_a_day_bytes(self) -> int:
        return sum(line.size for line in self.steady if line.once_a_day)

    @property
    def fixed_bytes(self) -> int:
        """Bytes written once per start and stop."""
        return sum(line.size for line in self.startup + self.shutdown)

    def bytes_per_day(self) -> float:
        """A day of running: one start and stop, the once-a-day jobs' lines once, the steady rate for 86400 s."""
        return self.fixed_bytes + self.once_a_day_bytes + self.steady_bytes * 86400 / self.seconds

    def per_logger(self, lines: list[LogLine]) -> list[tuple[str, int, int]]:
        """(level and logger, lines, bytes) of ``lines``, most bytes first."""
        count: Counter[str] = Counter()
        size: Counter[str] = Counter()
        for line in lines:
            count[f"{line.level} {line.logger}"] += 1
            size[f"{line.level} {line.logger}"] += line.size
        return [(key, count[key], size[key]) for key, _ in size.most_common()]

    def describe(self) -> str:
        """The steady part's lines per logger, for a failing assertion and the benchmark."""
        rows = [f"  {n:5d} lines {b:8d} bytes  {key}" for key, n, b in self.per_logger(self.steady)]
        return f"{self.what}: {self.steady_bytes} bytes in {self.seconds:.1f} s of steady operation\n" + "\n".join(rows)


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _split(path: Path, start: int, end: int) -> tuple[list[LogLine], list[LogLine], list[LogLine]]:
    data = path.read_bytes()
    return parse_log(data[:start]), parse_log(data[start:end]), parse_log(data[end:])


def set_up_branch(data: Path) -> tuple[str, str]:
    """A real branch in a SQLite file in ``data`` (resources/examples/branch.toml), its administrator (the service's
    login: ``tests.feed.test_serve.PASSWORD``) and the ticket API on a free port of 127.0.0.1: (the API token, the
    branch's time zone). What setting up logged is moved to ``setup.log``: ``console.log`` is the service's."""
    data.mkdir(parents=True, exist_ok=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # the file secret store: the token is not left in a desktop keyring of whoever runs the benchmark
    (data / "settings.toml").write_text(f'[api]\nenabled = true\nhost = "127.0.0.1"\nport = {port}\n\n'
                                        '[security]\nsecret_store = "file"\n', encoding="utf-8")
    plan = read_branch_file(ROOT / "resources" / "examples" / "branch.toml")
    env = make_env(data)
    try:
        apply_plan(env.db, plan, "setup")
        UserStore(env.db).add("admin", "Admin", Role.ADMINISTRATOR, PASSWORD, "setup")
        token = rotate_token(env.secrets, env.db, "setup").token
    finally:
        env.close()
    for handler in logging.getLogger().handlers:  # this process's lines go on to setup.log, not into the measurement
        if getattr(handler, "_branch_console", False) and isinstance(handler, logging.FileHandler):
            handler.flush()
    (data / LOG_FILE).rename(data / "setup.log")
    return token, plan.timezone


def measure_service(data: Path, seconds: float, every_s: float = 1.0) -> LogVolume:
    """Run ``main.py serve`` on a new real branch in ``data`` for ``seconds`` after it started (and ``SETTLE_S``),
    posting a ticket event to its API every ``every_s`` seconds (each one makes the alert engine run), then stop it
    with SIGTERM. The service must start, take every event and exit 0."""
    token, timezone = set_up_branch(data)
    zone = ZoneInfo(timezone)
    log_path = data / LOG_FILE
    service = start_service(data)
    output = Stderr(service)
    statuses: Counter[int] = Counter()
    try:
        url = output.wait_for(r"ticket API (http://127\.0\.0\.1:\d+)", 120).group(1)
        time.sleep(SETTLE_S)
        start = _size(log_path)
        began = time.monotonic()
        n = 0
        while (left := began + seconds - time.monotonic()) > 0:
            time.sleep(min(every_s, left))
            if time.monotonic() - began >= seconds:
                break
            n += 1
            now = datetime.now(zone).replace(microsecond=0).isoformat()
            events = [{"event_id": f"q{n}", "type": "issued", "at": now, "ticket_id": f"A{n:03d}",
                       "service_type": "个人现金"}]
            if n > 1:
                events.append({"event_id": f"q{n}c", "type": "called", "at": now, "ticket_id": f"A{n - 1:03d}",
                               "counter_id": "C1"})
            statuses[post(url, token, events)[0]] += 1
        end = _size(log_path)
        elapsed = time.monotonic() - began
        service.send_signal(signal.SIGTERM)
        code = service.wait(timeout=60)
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()
        stderr = output.text()
    assert code == 0, f"the service exited {code}:\n{stderr[-3000:]}"
    assert set(statuses) <= {200}, f"the ticket API answered {dict(statuses)}"
    startup, steady, shutdown = _split(log_path, start, end)
    return LogVolume("main.py serve", elapsed, startup, steady, shutdown,
                     [f"{sum(statuses.values())} requests to the ticket API, an issued and a called event each, "
                      f"every {every_s:g} s"])


def measure_window(data: Path, seconds: float) -> LogVolume:
    """Run the console window on the demo branch (offscreen, real-time clock) for ``seconds`` after its first paint
    (and ``SETTLE_S``); it closes itself with ``--quit-after``, which must end it with exit 0."""
    data.mkdir(parents=True, exist_ok=True)
    log_path = data / LOG_FILE
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BRANCH_CONSOLE_REPORT_FIRST_PAINT": "1",
           "BRANCH_CONSOLE_DATA_DIR": str(data)}
    env.pop("BRANCH_CONSOLE_DB", None)
    quit_after = SETTLE_S + seconds + 5  # counted from the window's start, a little before its first paint
    window = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--demo", "--quit-after", f"{quit_after:g}"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              env=env, cwd=ROOT)
    output = Stderr(window)
    try:
        output.wait_for(r"^first paint$", 120)
        time.sleep(SETTLE_S)
        start = _size(log_path)
        began = time.monotonic()
        time.sleep(seconds)
        end = _size(log_path)
        elapsed = time.monotonic() - began
        code = window.wait(timeout=quit_after + 60)
    finally:
        if window.poll() is None:
            window.kill()
            window.wait()
        stderr = output.text()
    assert code == 0, f"the window exited {code}:\n{stderr[-3000:]}"
    startup, steady, shutdown = _split(log_path, start, end)
    return LogVolume("demo window", elapsed, startup, steady, shutdown, ["demo branch at 1x, offscreen"])


# --- the console's logging set-up with a real scheduler ------------------------------------------------------------


@pytest.fixture
def console_logging() -> Iterator[None]:
    """Root logger's handlers and level put back after the test (``setup_logging`` replaces only its own)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def run_scheduler_for(seconds: float) -> dict[str, int]:
    """A real ``BackgroundScheduler``: a job every 0.05 s; a slow one every 0.05 s that takes 0.3 s (the scheduler
    skips its runs with a WARNING: "maximum number of running instances reached"); a failing one (an ERROR with a
    traceback: 'Job "…" raised an exception'). Runs for ``seconds``, then shuts down and waits for its threads; how
    often each job ran."""
    from apscheduler.schedulers.background import BackgroundScheduler

    runs: Counter[str] = Counter()
    lock = threading.Lock()

    def tick() -> None:
        with lock:
            runs["tick"] += 1

    def slow() -> None:
        with lock:
            runs["slow"] += 1
        time.sleep(0.3)

    def failing() -> None:
        with lock:
            runs["failing"] += 1
        raise RuntimeError("the job failed on purpose")

    scheduler = BackgroundScheduler(daemon=True, job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(tick, "interval", seconds=0.05, id="tick")
    scheduler.add_job(slow, "interval", seconds=0.05, id="slow")
    scheduler.add_job(failing, "date", id="failing")
    scheduler.start()
    try:
        time.sleep(seconds)
    finally:
        scheduler.shutdown(wait=True)
    return dict(runs)


def test_the_schedulers_routine_lines_are_left_out_at_info_and_warnings_and_errors_kept(
        tmp_path: Path, console_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    path = setup_logging(tmp_path, "INFO", stderr_level=logging.INFO)  # stderr as the service sets it
    logging.getLogger("console.app.context").info("branch SH01 started from the database")
    runs = run_scheduler_for(1.0)
    logging.getLogger("console.app.alert_service").error("alert delivery to the webhook failed: timed out")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert runs.get("tick", 0) >= 5 and runs.get("slow", 0) >= 1 and runs.get("failing") == 1, runs

    lines = parse_log(path.read_bytes())
    scheduler = [line for line in lines if line.logger.startswith("apscheduler")]
    assert not [line for line in scheduler if line.level in ("DEBUG", "INFO")], "".join(line.text for line in scheduler)
    assert any(line.level == "WARNING" and "maximum number of running instances reached" in line.text
               for line in scheduler), "".join(line.text for line in lines)
    assert any(line.level == "ERROR" and "raised an exception" in line.text and "the job failed on purpose" in line.text
               for line in scheduler), "".join(line.text for line in lines)
    assert any(line.level == "INFO" and line.logger == "console.app.context" for line in lines)  # product INFO kept
    assert any(line.level == "ERROR" and line.logger == "console.app.alert_service"
               and "webhook failed" in line.text for line in lines)

    err = capsys.readouterr().err  # the service manager's journal: the same choice
    assert "Running job" not in err and "executed successfully" not in err and "Added job" not in err, err[:3000]
    assert "maximum number of running instances reached" in err and "the job failed on purpose" in err
    assert "branch SH01 started from the database" in err


def test_the_schedulers_routine_lines_are_debug_lines_at_debug(tmp_path: Path, console_logging: None,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = setup_logging(tmp_path, "DEBUG")
    run_scheduler_for(0.5)
    for handler in logging.getLogger().handlers:
        handler.flush()

    scheduler = [line for line in parse_log(path.read_bytes()) if line.logger.startswith("apscheduler")]
    text = "".join(line.text for line in scheduler)
    for message in ("Running job", "executed successfully", "Added job", "Scheduler started"):
        found = [line for line in scheduler if message in line.text]
        assert found and all(line.level == "DEBUG" for line in found), (message, text[:3000])
    assert any(line.level == "WARNING" and "maximum number of running instances reached" in line.text
               for line in scheduler), text[:3000]
    assert "Running job" not in capsys.readouterr().err  # stderr stays at WARNING


# --- whole consoles, as processes ------------------------------------------------------------------------------------

#: Seconds of steady operation the slow tests measure; under the retention purge's 30 s after a start
#: (its line is counted once a day in any case).
RUN_S = 20.0


@pytest.mark.slow
def test_the_service_writes_under_a_megabyte_a_day(tmp_path: Path, console_logging: None) -> None:
    volume = measure_service(tmp_path / "data", RUN_S)
    assert volume.steady_bytes < budget_bytes(volume.seconds), volume.describe()
    startup = "".join(line.text for line in volume.startup + volume.shutdown)
    assert "service of branch SH01 started" in startup and "service of branch SH01 stopped" in startup, startup


@pytest.mark.slow
def test_the_demo_window_writes_under_a_megabyte_a_day(tmp_path: Path) -> None:
    volume = measure_window(tmp_path / "data", RUN_S)
    assert volume.steady_bytes < budget_bytes(volume.seconds), volume.describe()
    assert "demo branch started" in "".join(line.text for line in volume.startup)
