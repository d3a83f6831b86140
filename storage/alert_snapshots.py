"""Where an alert's snapshots are: one row per camera still (its JPEG path), written after the file exists.

The pictures themselves are files (``console/alerts/snapshots.py`` writes them, heads blurred); the database holds
only their paths, so it never carries an image. The retention purge deletes rows and files together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import models as m
from storage.database import Database


@dataclass(frozen=True)
class SaveAlertSnapshots:
    """The stills of one alert: (camera id, file path) pairs taken at ``taken_at`` (UTC). An alert deleted in the
    meantime (its branch removed) makes the task do nothing."""

    alert_id: int
    files: tuple[tuple[str, str], ...]
    taken_at: datetime

    def apply(self, session: Session) -> None:
        if session.get(m.Alert, self.alert_id) is None:
            return
        for camera_id, path in self.files:
            session.add(m.AlertSnapshot(alert_id=self.alert_id, camera_id=camera_id, path=path,
                                        taken_at=self.taken_at))


def load_alert_snapshots(db: Database, alert_ids: Sequence[int]) -> dict[int, list[str]]:
    """Snapshot paths per alert id (only alerts that have any), in the order they were stored."""
    if not alert_ids:
        return {}
    with db.session() as s:
        a = m.AlertSnapshot
        rows = s.execute(select(a.alert_id, a.path).where(a.alert_id.in_(list(alert_ids))).order_by(a.id))
        found: dict[int, list[str]] = {}
        for alert_id, path in rows:
            found.setdefault(alert_id, []).append(path)
        return found
