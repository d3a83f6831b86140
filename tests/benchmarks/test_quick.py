"""Every benchmark runs in quick mode (small sizes, short runs) and prints its figures, so none can rot unnoticed.

A benchmark exits with status 77 when what it measures on is missing here (the footage or models of ../shared, a
PostgreSQL server) and says which on stderr: that test is skipped with its words. As in tests/pg.py, a missing
PostgreSQL server fails instead under CI (``CI=true``), where the test command starts one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = sorted((ROOT / "benchmarks").glob("*.py"))
#: The exit status of a benchmark that cannot run here for want of data or a server.
MISSING = 77
TIMEOUT_S = 240


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


@pytest.mark.slow
@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda p: p.stem)
def test_quick_run(path: Path, tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)}  # its temporary files go too
    process = subprocess.Popen([sys.executable, str(path), "--quick"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        stop_group(process, signal.SIGTERM)  # benchmarks clean up on SIGTERM (region.py drops its database)
        try:
            stdout, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            stop_group(process, signal.SIGKILL)
            stdout, stderr = process.communicate()
        pytest.fail(f"{path.name} --quick still running after {TIMEOUT_S} s; stdout:\n{stdout[-3000:]}\n"
                    f"stderr:\n{stderr[-3000:]}")
    assert not left_running(process), f"{path.name} --quick left processes running (killed now)"
    if process.returncode == MISSING:
        reasons = [line for line in stderr.splitlines() if line.startswith("skipped: ")]
        assert reasons, f"{path.name} exited {MISSING} without saying what is missing; stderr:\n{stderr[-5000:]}"
        reason = f"{path.name}: {reasons[-1].removeprefix('skipped: ')}"
        if os.environ.get("CI") == "true" and "PostgreSQL" in reason:
            pytest.fail(f"the test command starts PostgreSQL, but it is not reachable: {reason}")
        pytest.skip(reason)
    assert process.returncode == 0, f"{path.name} --quick exited {process.returncode}; stderr:\n{stderr[-5000:]}"
    assert stdout.strip(), f"{path.name} --quick printed nothing; stderr:\n{stderr[-5000:]}"
