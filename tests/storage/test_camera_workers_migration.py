"""Migration 0013 on both backends: camera state changes stored twice (same camera and time) are reduced to their
first row, cameras already configured stay with the console, and a change written again is then skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import sqlalchemy as sa
from alembic import command

from console.domain.records import BranchInfo, CameraHealthEvent
from storage import models as m
from storage import repository
from storage.database import open_database
from storage.migrate import alembic_config, head_revision, upgrade_to
from storage.records import CameraSetup, CameraSpec
from storage.tasks import RecordCameraHealth, SaveBranchSetup, SaveCamera
from storage.writer import apply_now

AT = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
BRANCH = BranchInfo("SZ01", "Shenzhen Futian", "Asia/Shanghai", clock_time(9), clock_time(17), 60)


def test_duplicate_camera_states_are_reduced_and_cameras_stay_with_the_console(db_url) -> None:
    db = open_database(db_url)
    try:
        apply_now(db, SaveBranchSetup(branch=BRANCH))
        apply_now(db, SaveCamera(BRANCH.code, CameraSetup(CameraSpec("CAM1", "Door", "usb:0", "usb"))))
        with db.engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0012")
        with db.engine.begin() as connection:
            bid = connection.scalar(sa.text("SELECT id FROM branch WHERE code = :c"), {"c": BRANCH.code})
            for at, state in ((AT, "online"), (AT, "offline"), (AT + timedelta(minutes=5), "online")):
                connection.execute(m.CameraHealth.__table__.insert().values(
                    branch_id=bid, camera_id="CAM1", at=at, state=state, message=""))
        upgrade_to(db.engine, db_url, head_revision())
        with db.session() as s:
            rows = s.execute(sa.select(m.CameraHealth.at, m.CameraHealth.state).order_by(m.CameraHealth.id)).all()
        assert [(r.at.replace(tzinfo=UTC) if r.at.tzinfo is None else r.at, r.state) for r in rows] == [
            (AT, "online"), (AT + timedelta(minutes=5), "online")]
        [setup] = repository.load_cameras(db, BRANCH.code)
        assert setup.camera.analysed_by == "console"
        apply_now(db, RecordCameraHealth(BRANCH.code, CameraHealthEvent("CAM1", AT, "offline", "again")))
        with db.session() as s:
            assert s.scalar(sa.select(sa.func.count()).select_from(m.CameraHealth)) == 2
    finally:
        db.close()
