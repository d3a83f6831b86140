"""Planted secrets never reach a log, the database file or settings.toml.

A real branch console runs with a planted API token, SMTP password and camera password (in the settings file,
where an older console kept them, and in a camera URL). It then does everything that logs or stores them: moves
them at start, saves the camera and fails to capture from it (its host refuses), answers API requests with the
right token, a wrong one and one in the query string, fails to send an alert e-mail (the SMTP server refuses the
login — after receiving the right password, read from the secret store), rotates the token in Settings (the old
one is refused at once) and on the command line, and saves the settings. Everything logged is captured — the root
logger at DEBUG, console.log in the data directory, stdout and stderr of the command-line runs — and searched.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from PySide6.QtWidgets import QMessageBox

from console.app.context import AppContext, SourceOptions
from console.app.i18n import Translations
from console.bootstrap import prepare
from console.domain.alert_engine import ActiveAlert, AlertChange, ChangeKind
from console.domain.permissions import Role
from console.domain.records import AlertRecord, BranchInfo
from console.domain.vocabulary import AlertSeverity, AlertState
from console.security.secret_store import API_TOKEN
from console.security.users import UserStore
from storage.records import CameraSetup, CameraSpec
from storage.tasks import SaveBranchSetup
from storage.writer import apply_now
from tests.camera.mjpeg_server import free_port
from tests.gui.dialogs import answer_dialog
from widgets.dialogs.api_token_group import NewTokenDialog
from widgets.dialogs.settings_dialog import SettingsDialog

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tok-PLANTED-9f8e7d6c5b4a3928"
WRONG_TOKEN = "tok-WRONG-PLANTED-a1b2c3d4e5"
SMTP_PASSWORD = "smtp-PLANTED-pw-5c4b3a"
CAM_PASSWORD = "cam-PLANTED-pw-7e6d5c"
ADMIN_PASSWORD = "Admin2026planted"


class RefusingLogin:
    """An SMTP server that takes the login, remembers the password it was given and refuses it."""

    def __init__(self) -> None:
        self.passwords: list[bytes] = []

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        self.passwords.append(auth_data.password)
        return AuthResult(success=False, handled=False)


def request(port: int, method: str, path: str, token: str | None, body: object = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BRANCH_CONSOLE_DATA_DIR": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("BRANCH_CONSOLE_DB", None)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--log-level", "DEBUG", "--user", "admin",
                           "--password-stdin", *args], input=ADMIN_PASSWORD + "\n", capture_output=True, text=True,
                          timeout=120, env=env, cwd=ROOT)


def test_no_secret_reaches_a_log_or_a_file(qtbot, qapp, isolated_data_dir: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    Translations().install("en")
    login = RefusingLogin()
    smtp_port, api_port, camera_port = free_port(), free_port(), free_port()
    smtp = Controller(object(), hostname="127.0.0.1", port=smtp_port, authenticator=login, auth_require_tls=False)
    smtp.start()
    isolated_data_dir.mkdir(parents=True)
    (isolated_data_dir / "settings.toml").write_text(
        f'[api]\nenabled = true\nport = {api_port}\ntoken = "{TOKEN}"\n\n'
        f'[alerts]\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp_port}\nsmtp_user = "lobby"\n'
        f'smtp_password = "{SMTP_PASSWORD}"\nemail_to = ["manager@branch.example"]\nretries = 0\n', encoding="utf-8")
    env = prepare(argparse.Namespace(data_dir=isolated_data_dir, db=None, lang="en", log_level="DEBUG"))
    apply_now(env.db, SaveBranchSetup(branch=BranchInfo("BJ01", "Xidan", "Asia/Shanghai", time(8), time(18), 80)))
    UserStore(env.db).add("admin", "Wu Gang", Role.ADMINISTRATOR, ADMIN_PASSWORD, by="setup")
    context = AppContext(env, SourceOptions())
    outputs: list[str] = []
    try:
        context.start()
        assert context.ticket_api is not None, context.api_error
        # a camera whose password is in its URL (twice), at an address that refuses: saved, started, failing
        source = f"http://admin:{CAM_PASSWORD}@127.0.0.1:{camera_port}/video.mjpg?pwd={CAM_PASSWORD}"
        context.cameras.save(CameraSetup(camera=CameraSpec("CAM9", "Door", source, "http")))
        assert context.cameras.setups["CAM9"].camera.source == source  # whole in memory, for capture
        qtbot.waitUntil(lambda: "camera CAM9" in caplog.text and "refused" in caplog.text, timeout=60_000)
        # the ticketing system: right token, wrong token, a token in the query string
        api = context.ticket_api.port
        event = {"event_id": "e1", "type": "issued", "ticket_id": "A001", "service_type": "cash",
                 "at": datetime.now(UTC).isoformat()}
        assert request(api, "POST", "/api/v1/events", TOKEN, event) == 200
        assert request(api, "GET", "/api/v1/counter-commands", TOKEN) == 200
        assert request(api, "GET", "/api/v1/counter-commands", WRONG_TOKEN) == 401
        assert request(api, "GET", f"/api/v1/counter-commands?after=0&token={WRONG_TOKEN}", None) == 401
        # an alert e-mail: the server gets the password from the secret store and refuses it
        notifier = context.notifier
        record = AlertRecord(None, "crowding", AlertSeverity.CRITICAL, AlertState.RAISED, "lobby",
                             "crowding lobby: 104 (threshold 100)", datetime.now(UTC), value=104.0, threshold=100.0)
        active = ActiveAlert(record.rule, record.subject, record.severity, record.raised_at, 104, 104, 100)
        notifier.submit(AlertChange(ChangeKind.RAISED, active, record.raised_at), record)
        qtbot.waitUntil(lambda: notifier.failed == 1, timeout=20_000)
        assert set(login.passwords) == {SMTP_PASSWORD.encode()}  # smtplib tries PLAIN, then LOGIN
        assert "SMTPAuthenticationError" in notifier.log[-1][2]
        # Settings → API → Rotate token…: the running feed takes the new token at once, the old one is refused
        dialog = SettingsDialog(env, user="admin")
        qtbot.addWidget(dialog)
        assert dialog.api_group.token_label.text() == TOKEN[:4] + "…"
        seen: dict = {}

        def take_token(shown: NewTokenDialog) -> None:
            seen["token"] = shown.token.text()
            shown.copy()
            shown.reject()

        answer_dialog(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Yes).click(), seen)
        answer_dialog(NewTokenDialog, take_token, seen)
        dialog.rotate_button.click()
        assert "error" not in seen and seen["token"] != TOKEN and len(seen["token"]) == 43
        assert qapp.clipboard().text() == seen["token"]
        assert dialog.api_group.token_label.text() == seen["token"][:4] + "…"
        assert request(api, "GET", "/api/v1/counter-commands", TOKEN) == 401
        assert request(api, "GET", "/api/v1/counter-commands", seen["token"]) == 200
        qapp.clipboard().clear()
        dialog.accept()  # settings saved
        # the command line: show (masked) and rotate (printed once, on stdout)
        shown = cli(isolated_data_dir, "api", "token", "show")
        assert shown.returncode == 0, shown.stderr
        assert f"API token: {seen['token'][:4]}…" in shown.stdout
        rotated = cli(isolated_data_dir, "api", "token", "rotate")
        assert rotated.returncode == 0, rotated.stderr
        cli_token = rotated.stdout.strip()
        assert len(cli_token) == 43 and env.secrets.get(API_TOKEN) == cli_token
        outputs += [shown.stdout, shown.stderr, rotated.stderr]
    finally:
        context.stop()
        smtp.stop()
        env.close()
    con = sqlite3.connect(isolated_data_dir / "console.db")
    rotations = con.execute("select user, after from audit_entry where action = 'api.token_rotate'").fetchall()
    con.close()
    assert [user for user, _ in rotations] == ["admin", "admin"]  # the window's rotation and the command line's
    planted = [TOKEN, WRONG_TOKEN, SMTP_PASSWORD, CAM_PASSWORD, ADMIN_PASSWORD, seen["token"], cli_token]
    logs = caplog.text + "".join(p.read_text(encoding="utf-8", errors="replace")
                                 for p in isolated_data_dir.glob("console.log*"))
    assert "ticket feed" in logs and "camera CAM9" in logs and "moved from" in logs  # the paths did log
    files = {p.name: p.read_bytes() for p in isolated_data_dir.iterdir()
             if p.name.startswith(("console.db", "settings.toml"))}
    assert "console.db" in files and "settings.toml" in files
    for secret in planted:
        assert secret not in logs, f"{secret!r} was logged"
        for text in outputs:
            assert secret not in text, f"{secret!r} was printed"
        for name, data in files.items():
            assert secret.encode() not in data, f"{secret!r} is in {name}"
    assert rotated.stdout.count(cli_token) == 1  # shown once, where it is meant to be
