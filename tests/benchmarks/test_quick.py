"""Every benchmark runs in quick mode (small sizes, short runs) and prints its figures, so none can rot unnoticed.

A benchmark exits with status 77 when what it measures on is missing here (the footage or models of ../shared, a
PostgreSQL server) and says which on stderr: that test is skipped with its words. As in tests/pg.py, a missing
PostgreSQL server fails instead under CI (``CI=true``), where the test command starts one.

The quick runs go two at a time (``AT_ONCE``), all started by the first of these tests: many of them mostly wait
(for a timeout to pass, a service to start, footage to play), so the suite is minutes shorter; their figures are
not asserted here, only that each runs, prints them and leaves nothing behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = sorted((ROOT / "benchmarks").glob("*.py"))
#: The exit status of a benchmark that cannot run here for want of data or a server.
MISSING = 77
TIMEOUT_S = 240
#: Quick runs at once.
AT_ONCE = 2


def stop_group(process: subprocess.Popen, sig: int) -> bool:
    """Send ``sig`` to the benchmark and the processes it started (its own session); False when none is left."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return False
    return True


def left_running(process: subprocess.Popen, wait_s: float = 5.0) -> bool:
    """Whether a process the benchmark started outlives it by ``wait_s`` (it is killed then)."""
    deadline = time.monotonic() + wait_s
    while stop_group(process, 0):
        if time.monotonic() > deadline:
            stop_group(process, signal.SIGKILL)
            return True
        time.sleep(0.1)
    return False


@dataclass(frozen=True)
class QuickRun:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool
    left_behind: bool


def run_quick(path: Path, tmp: Path) -> QuickRun:
    """``path --quick`` in its own session and temporary folder; stopped (SIGTERM, then SIGKILL) after TIMEOUT_S."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp)}  # its temporary files go too
    process = subprocess.Popen([sys.executable, str(path), "--quick"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    timed_out = False
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        timed_out = True
        stop_group(process, signal.SIGTERM)  # benchmarks clean up on SIGTERM (region.py drops its database)
        try:
            stdout, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            stop_group(process, signal.SIGKILL)
            stdout, stderr = process.communicate()
    return QuickRun(process.returncode, stdout, stderr, timed_out, left_running(process))


_runs: dict[Path, Future[QuickRun]] = {}


@pytest.fixture(scope="module")
def quick_runs(request):
    """The quick run of every benchmark this session selected, all started at once, ``AT_ONCE`` at a time."""
    chosen = [item.callspec.params["path"] for item in request.session.items
              if getattr(item, "originalname", None) == "test_quick_run" and hasattr(item, "callspec")]
    with tempfile.TemporaryDirectory(prefix="quick-benchmarks-") as root, \
            ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        for path in chosen:
            tmp = Path(root) / path.stem
            tmp.mkdir()
            _runs[path] = pool.submit(run_quick, path, tmp)
        yield _runs
        for run in _runs.values():
            run.result()  # every run ends before its folder goes
        _runs.clear()


@pytest.mark.slow
@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda p: p.stem)
def test_quick_run(path: Path, quick_runs) -> None:
    run = quick_runs[path].result()
    if run.timed_out:
        pytest.fail(f"{path.name} --quick still running after {TIMEOUT_S} s; stdout:\n{run.stdout[-3000:]}\n"
                    f"stderr:\n{run.stderr[-3000:]}")
    assert not run.left_behind, f"{path.name} --quick left processes running (killed now)"
    if run.returncode == MISSING:
        reasons = [line for line in run.stderr.splitlines() if line.startswith("skipped: ")]
        assert reasons, f"{path.name} exited {MISSING} without saying what is missing; stderr:\n{run.stderr[-5000:]}"
        reason = f"{path.name}: {reasons[-1].removeprefix('skipped: ')}"
        if os.environ.get("CI") == "true" and "PostgreSQL" in reason:
            pytest.fail(f"the test command starts PostgreSQL, but it is not reachable: {reason}")
        pytest.skip(reason)
    assert run.returncode == 0, f"{path.name} --quick exited {run.returncode}; stderr:\n{run.stderr[-5000:]}"
    assert run.stdout.strip(), f"{path.name} --quick printed nothing; stderr:\n{run.stderr[-5000:]}"
