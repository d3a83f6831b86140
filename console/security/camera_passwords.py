"""Camera passwords live in the secret store (console/security/secret_store.py), not in the database.

The database keeps each camera's source with ``{password}`` where its passwords were (``rtsp://admin:{password}@nvr/
stream``: the user name and address stay readable for support); the passwords, as a JSON list in the order of the
placeholders, are kept under ``camera.<branch code>.<camera id>``.

Where the split and merge happen, and why there: in the console layer. ``storage/`` only stores what it is given
and must not know the secret store; ``camera/`` must not depend on the application. So ``CameraManager.save``
splits before the ``SaveCamera`` task reaches the writer, and keeps the whole setup in memory for capture and the
camera dialog; ``AppContext.start_cameras`` merges what ``repository.load_cameras`` returns. Capture sees the whole
source in memory only (it reaches a camera's child process through a pipe, never a file). The cut itself is
``camera.credentials.split_credentials`` / ``merge_credentials``.

``move_plain_camera_passwords`` runs at every start (console/bootstrap.py): sources written before this existed
(or by hand) have their passwords moved out; sources already split are left alone, so it is idempotent.
No Qt imports.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace

from sqlalchemy import select, text, update

from camera.credentials import PLACEHOLDER, merge_credentials, split_credentials
from console.security.secret_store import SecretError, SecretStore, camera_secret_name
from storage import models as m
from storage.database import Database
from storage.records import CameraSetup

log = logging.getLogger(__name__)


def _passwords(store: SecretStore, branch_code: str, camera_id: str) -> list[str] | None:
    raw = store.get(camera_secret_name(branch_code, camera_id))
    if raw is None:
        return None
    try:
        found = json.loads(raw)
    except ValueError:
        return [raw]  # a bare password put there by hand
    return [str(p) for p in found] if isinstance(found, list) else [raw]


def stored_setup(store: SecretStore, branch_code: str, setup: CameraSetup) -> CameraSetup:
    """The setup as the database may keep it, after storing its passwords (SecretError: nothing was stored)."""
    source, passwords = split_credentials(setup.camera.source)
    name = camera_secret_name(branch_code, setup.camera.camera_id)
    if passwords:
        store.set(name, json.dumps(passwords))
    elif PLACEHOLDER not in source:
        forget(store, branch_code, setup.camera.camera_id)  # the camera no longer has a password
    return replace(setup, camera=replace(setup.camera, source=source))


def full_setup(store: SecretStore, branch_code: str, setup: CameraSetup) -> CameraSetup:
    """The setup with its passwords put back, for capture (in memory only). A password that cannot be read is
    logged, and the camera then fails to log in (shown on its tile) — it is never guessed or dropped."""
    source = setup.camera.source
    if PLACEHOLDER not in source:
        return setup
    camera_id = setup.camera.camera_id
    try:
        passwords = _passwords(store, branch_code, camera_id)
    except SecretError as exc:
        log.error("camera %s: its password cannot be read: %s", camera_id, exc)
        return setup
    if passwords is None:
        log.warning("camera %s: no password in the secret store (%s); type it again in File → Cameras…",
                    camera_id, store.describe())
        return setup
    return replace(setup, camera=replace(setup.camera, source=merge_credentials(source, passwords)))


def forget(store: SecretStore, branch_code: str, camera_id: str) -> None:
    """Delete a removed camera's password; a failure is logged (the secret stays, nothing else is affected)."""
    try:
        store.delete(camera_secret_name(branch_code, camera_id))
    except SecretError as exc:
        log.warning("camera %s: its old password could not be deleted from the secret store: %s", camera_id, exc)


def move_plain_camera_passwords(db: Database, store: SecretStore) -> int:
    """Move passwords still written in camera sources into the secret store; the number of cameras changed.

    A camera whose password cannot be stored keeps its source as it is (logged): nothing is lost. On SQLite the
    rewrite uses ``secure_delete`` and a checkpoint, so the old text does not linger in free pages of the file.
    """
    with db.session() as s:
        rows = s.execute(select(m.Camera.id, m.Branch.code, m.Camera.camera_id, m.Camera.source)
                         .join(m.Branch, m.Branch.id == m.Camera.branch_id)).all()
    moved = 0
    for row_id, code, camera_id, source in rows:
        stored, passwords = split_credentials(source)
        if not passwords:
            continue
        try:
            if PLACEHOLDER in source:  # half split by hand: keep the placeholders' order with the stored ones
                earlier = _passwords(store, code, camera_id) or []
                stored, passwords = split_credentials(merge_credentials(source, earlier))
            store.set(camera_secret_name(code, camera_id), json.dumps(passwords))
        except SecretError as exc:
            log.error("camera %s of branch %s: its password stays in the database for now: %s", camera_id, code, exc)
            continue
        with db.session() as s:
            if db.is_sqlite:
                s.execute(text("PRAGMA secure_delete = ON"))
            s.execute(update(m.Camera).where(m.Camera.id == row_id).values(source=stored))
        moved += 1
        log.info("camera %s of branch %s: its password was moved from the database into the %s", camera_id, code,
                 store.describe())
    if moved and db.is_sqlite:
        with db.engine.connect() as conn:  # outside any transaction, so the checkpoint can finish
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return moved
