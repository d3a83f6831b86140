"""Plain-text secrets found at start — in settings.toml and in camera sources in the database — are moved into the
secret store once, and nothing is lost when the store cannot take them."""

from __future__ import annotations

import argparse
import logging
from dataclasses import replace
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import update

from camera.credentials import PLACEHOLDER, merge_credentials, split_credentials
from console.bootstrap import Environment, prepare
from console.domain.records import BranchInfo
from console.security.camera_passwords import full_setup, move_plain_camera_passwords, stored_setup
from console.security.secret_store import API_TOKEN, SMTP_PASSWORD, SecretStore
from console.settings import load_settings, save_settings
from storage import repository
from storage.models import Camera
from storage.records import CameraSetup, CameraSpec
from storage.tasks import SaveBranchSetup, SaveCamera
from storage.writer import apply_now

TOKEN = "plain-token-found-in-the-file-42"
SMTP = "plain-smtp-password-found-7"
CAM_PASSWORD = "Cam-Pa55-found-in-db"


def start(data_dir: Path) -> Environment:
    return prepare(argparse.Namespace(data_dir=data_dir, db=None, lang=None, log_level="DEBUG"))


def write_settings(data_dir: Path, extra: str = "") -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "settings.toml").write_text(
        f'{extra}[api]\nenabled = true\nport = 8800\ntoken = "{TOKEN}"\n\n'
        f'[alerts]\nsmtp_host = "127.0.0.1"\nsmtp_user = "lobby"\nsmtp_password = "{SMTP}"\n', encoding="utf-8")


def test_settings_secrets_are_moved_once(isolated_data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    write_settings(isolated_data_dir)
    env = start(isolated_data_dir)
    try:
        assert env.secrets.get(API_TOKEN) == TOKEN and env.secrets.get(SMTP_PASSWORD) == SMTP
        text = (isolated_data_dir / "settings.toml").read_text(encoding="utf-8")
        assert TOKEN not in text and SMTP not in text and "token" not in text and "smtp_password" not in text
        assert env.settings.api.port == 8800 and env.settings.alerts.smtp_user == "lobby"  # the rest is kept
        assert load_settings(isolated_data_dir) == env.settings
        assert "[api] token and [alerts] smtp_password moved from" in caplog.text
        assert TOKEN not in caplog.text and SMTP not in caplog.text
    finally:
        env.close()
    caplog.clear()
    env = start(isolated_data_dir)  # idempotent: nothing more to move, the secrets are still there
    try:
        assert "moved from" not in caplog.text and env.secrets.get(API_TOKEN) == TOKEN
    finally:
        env.close()


def test_a_store_that_refuses_loses_nothing(isolated_data_dir: Path) -> None:
    # the settings insist on the OS keyring and there is none (the suite's "fail" backend): the secrets stay in
    # the file, the console still starts and says why, and saving other settings keeps them
    write_settings(isolated_data_dir, '[security]\nsecret_store = "keyring"\n\n')
    env = start(isolated_data_dir)
    try:
        assert env.secret_problem is not None and "no usable OS keyring" in env.secret_problem
        assert TOKEN not in env.secret_problem
        assert TOKEN in (isolated_data_dir / "settings.toml").read_text(encoding="utf-8")
        save_settings(isolated_data_dir, env.settings.with_language("zh_CN"))
        text = (isolated_data_dir / "settings.toml").read_text(encoding="utf-8")
        assert TOKEN in text and SMTP in text and 'language = "zh_CN"' in text
    finally:
        env.close()


def test_settings_never_written_with_a_secret(isolated_data_dir: Path) -> None:
    env = start(isolated_data_dir)
    try:
        save_settings(isolated_data_dir, env.settings)
        text = (isolated_data_dir / "settings.toml").read_text(encoding="utf-8")
        assert "token" not in text and "smtp_password" not in text and 'secret_store = "auto"' in text
    finally:
        env.close()


@pytest.mark.parametrize("source", [
    "rtsp://admin:Pa55@nvr:554/Streaming/Channels/101",
    "rtsp://admin:p@ss/w:rd@10.0.0.5/stream",
    "http://cam.local/video.cgi?user=admin&pwd=Pa55&token=t0k",
    "rtsp://viewer@nvr/stream",
    "usb:0",
    "/srv/videos/lobby.avi",
])
def test_split_and_merge_give_back_the_source(source: str) -> None:
    stored, passwords = split_credentials(source)
    assert merge_credentials(stored, passwords) == source
    for password in passwords:
        assert password not in stored.replace(PLACEHOLDER, "")
    assert split_credentials(stored) == (stored, [])  # splitting twice changes nothing
    assert ("admin" in stored) == ("admin" in source)  # user names stay readable


def branch_with_camera(env: Environment, source: str) -> None:
    """A camera whose source an older console stored with its password (written straight into the row: today's
    ``SaveCamera`` is only ever given sources already split)."""
    apply_now(env.db, SaveBranchSetup(branch=BranchInfo("BJ01", "Xidan", "Asia/Shanghai", time(9), time(17), 60)))
    apply_now(env.db, SaveCamera("BJ01", CameraSetup(camera=CameraSpec("CAM1", "Door", "rtsp://nvr/x", "rtsp"))))
    with env.db.session() as s:
        s.execute(update(Camera).where(Camera.camera_id == "CAM1").values(source=source))


def test_camera_passwords_move_out_of_the_database(isolated_data_dir: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    source = f"rtsp://admin:{CAM_PASSWORD}@127.0.0.1:1/stream"
    env = start(isolated_data_dir)
    try:
        branch_with_camera(env, source)  # as an older console stored it
        assert move_plain_camera_passwords(env.db, env.secrets) == 1
        assert move_plain_camera_passwords(env.db, env.secrets) == 0  # idempotent
        [kept] = repository.load_cameras(env.db, "BJ01")
        assert kept.camera.source == f"rtsp://admin:{PLACEHOLDER}@127.0.0.1:1/stream"
        assert full_setup(env.secrets, "BJ01", kept).camera.source == source
        assert "camera CAM1 of branch BJ01: its password was moved" in caplog.text
        assert CAM_PASSWORD not in caplog.text
    finally:
        env.close()
    db_files = b"".join(p.read_bytes() for p in isolated_data_dir.glob("console.db*"))
    assert CAM_PASSWORD.encode() not in db_files  # not even in free pages (secure_delete and a checkpoint)


def test_camera_password_stays_when_the_store_refuses(isolated_data_dir: Path) -> None:
    source = f"rtsp://admin:{CAM_PASSWORD}@127.0.0.1:1/stream"
    env = start(isolated_data_dir)
    try:
        branch_with_camera(env, source)
        refusing = SecretStore(isolated_data_dir, "keyring")  # no usable keyring in the tests
        assert move_plain_camera_passwords(env.db, refusing) == 0
        assert repository.load_cameras(env.db, "BJ01")[0].camera.source == source  # nothing lost
    finally:
        env.close()


def test_saving_and_forgetting_a_camera_secret(isolated_data_dir: Path) -> None:
    env = start(isolated_data_dir)
    try:
        setup = CameraSetup(camera=CameraSpec("CAM1", "Door", f"rtsp://admin:{CAM_PASSWORD}@nvr/x", "rtsp"))
        stored = stored_setup(env.secrets, "BJ01", setup)
        assert stored.camera.source == f"rtsp://admin:{PLACEHOLDER}@nvr/x"
        assert full_setup(env.secrets, "BJ01", stored) == setup
        assert full_setup(env.secrets, "SH01", stored) == stored  # another branch's camera CAM1: not its password
        no_password = replace(setup, camera=replace(setup.camera, source="rtsp://nvr/x"))
        assert stored_setup(env.secrets, "BJ01", no_password) == no_password
        assert env.secrets.get("camera.BJ01.CAM1") is None  # the old password went with it
    finally:
        env.close()


@pytest.mark.parametrize(("text", "needle"), [
    ("[security]\nsecret_store = 'vault'\n", "security.secret_store must be one of auto, keyring, file, got 'vault'"),
    ("[api]\ntoken = 42\n", "'api.token' must be a str, got int"),
    ("[api]\nenabled = true\ntoken = 'short'\n", "api.token must be at least 16 characters"),
])
def test_bad_secret_settings_name_the_file_and_key(tmp_path: Path, text: str, needle: str) -> None:
    from console.settings import SettingsError

    (tmp_path / "settings.toml").write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(tmp_path)
    assert needle in str(err.value) and str(tmp_path / "settings.toml") in str(err.value)
    assert "short" not in str(err.value)  # the length is told, never the value
