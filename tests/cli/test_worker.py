"""``main.py worker`` as a real process against the test PostgreSQL server, through a relay that is cut and restored:
it counts real footage with the real detector, loads no Qt module, keeps counting through the outage, writes every
sample once when the database is back, and stops cleanly on SIGTERM; a worker that cannot start says why."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, timedelta
from datetime import time as clock_time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from camera.model_store import ModelStore
from console.domain.records import BranchInfo
from storage import models as m
from storage.database import open_database
from storage.records import CameraSetup, CameraSpec
from storage.spool import Spool
from storage.tasks import SaveBranchSetup, SaveCamera
from storage.writer import apply_now
from tests.pg import fresh_database
from tests.tcp_proxy import TcpRelay

ROOT = Path(__file__).resolve().parents[2]
BRANCH = BranchInfo("HZ01", "Hangzhou Wulin", "Asia/Shanghai", clock_time(9), clock_time(17), 60)


def worker(url: str, data_dir: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("BRANCH_CONSOLE_DB", None)
    with open(data_dir / "stderr.txt", "w") as stderr:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-X", "importtime", str(ROOT / "main.py"), "--db", url,
                                 "--data-dir", str(data_dir), "worker", "--branch", BRANCH.code, *args],
                                stdout=subprocess.DEVNULL, stderr=stderr, env=env, cwd=ROOT)


def lobby_samples(url: str) -> list:
    db = open_database(url, migrate=False)
    try:
        with db.session() as s:
            return list(s.scalars(sa.select(m.OccupancySample.at).where(m.OccupancySample.zone == "")
                                  .order_by(m.OccupancySample.at)))
    finally:
        db.close()


def wait_until(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def setup_branch(url: str, shared: Path, analysed_by: str = "worker") -> None:
    db = open_database(url)
    video = str(shared / "datasets" / "pets09-s2l1" / "video.avi")
    apply_now(db, SaveBranchSetup(branch=BRANCH),
              SaveCamera(BRANCH.code, CameraSetup(CameraSpec("CAM1", "Plaza", video, "file", analysed_by=analysed_by),
                                                  analysis_fps=3.0)),
              SaveCamera(BRANCH.code, CameraSetup(CameraSpec("CAM2", "Desk", video, "file"))))
    db.close()


def test_a_worker_counts_through_an_outage_and_stops_on_sigterm(tmp_path: Path, shared: Path) -> None:
    data = tmp_path / "worker"
    ModelStore(data).install(str(shared / "models" / "yolox-nano" / "yolox_nano.onnx"))
    with fresh_database() as direct:
        setup_branch(direct, shared)
        target = make_url(direct)
        relay = TcpRelay(target.host, target.port).start()
        url = target.set(port=relay.port).render_as_string(hide_password=False)
        relay.cut()  # the server is unreachable when the worker starts: it waits, saying why
        process = worker(url, data)
        try:
            wait_until(lambda: "Connection refused; trying again every 5 s" in (data / "stderr.txt").read_text(), 60,
                       "the worker to say the database is unreachable")
            relay.restore()
            wait_until(lambda: len(lobby_samples(direct)) >= 2, 90, "the worker's first samples")
            relay.cut()
            cut_at = time.time()
            time.sleep(11)  # two sample periods without a database
            relay.restore()
            restored_at = time.time()
            wait_until(lambda: lobby_samples(direct)[-1].timestamp() > restored_at + 5, 60, "samples after the outage")
            process.send_signal(signal.SIGTERM)
            assert process.wait(40) == 0
        finally:
            if process.poll() is None:
                process.kill()
            relay.stop()
        stderr = (data / "stderr.txt").read_text()
        assert "PySide6" not in stderr  # -X importtime lists every module imported: no Qt at all
        assert "cannot be opened" in stderr or "connection" in stderr  # the outage was noticed and named
        assert "worker stopped" in stderr
        samples = [at if at.tzinfo else at.replace(tzinfo=UTC) for at in lobby_samples(direct)]
        assert len(samples) == len(set(samples))  # one lobby sample per period, none twice
        gaps = [b - a for a, b in zip(samples, samples[1:])]
        assert max(gaps) < timedelta(seconds=7.5), gaps  # every 5 s sample, through the outage too
        during = [at for at in samples if cut_at < at.timestamp() < restored_at]
        assert len(during) >= 2  # counted while the database was away, written when it was back
        spool = Spool(data / f"worker-spool-{BRANCH.code}.db")
        assert len(spool) == 0
        spool.close()
        db = open_database(direct, migrate=False)
        with db.session() as s:
            states = s.execute(sa.select(m.CameraHealth.camera_id, m.CameraHealth.state)).all()
            cameras = set(s.scalars(sa.select(m.OccupancySample.camera_id).distinct()))
        db.close()
        assert ("CAM1", "online") in states and cameras == {"CAM1"}  # CAM2 stays with the console


def test_a_worker_that_cannot_start_says_why(tmp_path: Path, shared: Path) -> None:
    with fresh_database() as url:
        setup_branch(url, shared)
        cases = [
            (url, ["--camera", "CAM2"], "camera 'CAM2' of branch HZ01 is analysed by the console"),
            (url, ["--camera", "CAM9"], "camera 'CAM9': branch HZ01 has no such camera (cameras: CAM1, CAM2)"),
            (make_url(url).set(password="wrong").render_as_string(hide_password=False), [],
             "password authentication failed"),
        ]
        for i, (db_url, args, message) in enumerate(cases):
            data = tmp_path / f"d{i}"
            data.mkdir()
            process = worker(db_url, data, *args)
            assert process.wait(60) == 2
            stderr = (data / "stderr.txt").read_text()
            assert message in stderr and "Traceback" not in stderr and ":wrong@" not in stderr
        db = open_database(url)  # a console of a later version migrated the database
        with db.engine.begin() as c:
            c.exec_driver_sql("update alembic_version set version_num = '9999'")
        db.close()
        data = tmp_path / "newer"
        data.mkdir()
        process = worker(url, data)
        assert process.wait(60) == 2
        assert "newer version of the console" in (data / "stderr.txt").read_text()


def test_cameras_are_assigned_and_their_passwords_kept_from_the_command_line(tmp_path: Path) -> None:
    from console.domain.permissions import Role
    from console.security.camera_passwords import full_setup
    from console.security.users import UserStore
    from storage import repository
    from tests.cli.test_cli import run
    from tests.gui.conftest import make_env

    env = make_env(tmp_path)
    source = "rtsp://admin:{password}@127.0.0.1:1/Streaming/101"
    apply_now(env.db, SaveBranchSetup(branch=BRANCH), SaveCamera(BRANCH.code, CameraSetup(
        CameraSpec("CAM1", "Door", source, "rtsp"))))
    UserStore(env.db).add("root", "Root", Role.ADMINISTRATOR, "Admin2026pass", "setup")
    env.close()
    login = ("root", "Admin2026pass")
    listed = run("cameras", "list", data_dir=tmp_path, login=login)
    assert listed.returncode == 0 and "CAM1" in listed.stdout and "counted by console" in listed.stdout
    assigned = run("cameras", "assign", "CAM1", "worker", data_dir=tmp_path, login=login)
    assert assigned.returncode == 0, assigned.stderr
    wrong = run("cameras", "assign", "CAM7", "worker", data_dir=tmp_path, login=login)
    assert wrong.returncode == 1 and "camera 'CAM7': branch HZ01 has no such camera (cameras: CAM1)" in wrong.stderr
    env_vars = {**os.environ, "BRANCH_CONSOLE_DATA_DIR": str(tmp_path)}
    env_vars.pop("BRANCH_CONSOLE_DB", None)
    kept = subprocess.run([sys.executable, str(ROOT / "main.py"), "--user", "root", "--password-stdin", "cameras", "password",
                   "CAM1", "--password-stdin"], input="Admin2026pass\nNvr-Pa55\n", capture_output=True, text=True,
                  env=env_vars, cwd=ROOT, timeout=120)
    assert kept.returncode == 0, kept.stderr
    env = make_env(tmp_path)
    try:
        [setup] = repository.load_cameras(env.db, BRANCH.code)
        assert setup.camera.analysed_by == "worker" and setup.camera.source == source  # no password in the database
        assert full_setup(env.secrets, BRANCH.code, setup).camera.source == source.replace("{password}", "Nvr-Pa55")
        assert any(e["action"] == "camera.edit" and e["user"] == "root" and e["after"]["analysed_by"] == "worker"
                   for e in repository.load_audit_chain(env.db))
    finally:
        env.close()
