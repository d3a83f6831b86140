"""Secrets in the window: a camera's password goes to the secret store (not the database) and is deleted with the
camera; a store that refuses gives a message and changes nothing; Settings → API shows the token masked."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from console.app.main_window import MainWindow
from console.security.secret_store import API_TOKEN, SecretStore
from storage import repository
from storage.records import CameraSetup, CameraSpec
from tests.gui.dialogs import answer_dialog
from widgets.dialogs.camera_dialogs import CameraListDialog
from widgets.dialogs.settings_dialog import SettingsDialog

pytestmark = pytest.mark.gui

SOURCE = "rtsp://admin:Door-Pa55-x1@127.0.0.1:1/Streaming/101"


def test_camera_password_lives_in_the_secret_store(qtbot, demo_context) -> None:
    manager, env = demo_context.cameras, demo_context.env
    manager.save(CameraSetup(camera=CameraSpec("NVR1", "Door", SOURCE, "rtsp", enabled=False)))
    assert demo_context.writer.flush(10)
    [stored] = repository.load_cameras(env.db, "DEMO")
    assert stored.camera.source == "rtsp://admin:{password}@127.0.0.1:1/Streaming/101"
    assert env.secrets.get("camera.DEMO.NVR1") == '["Door-Pa55-x1"]'
    assert manager.setups["NVR1"].camera.source == SOURCE  # in memory, for capture and the dialog
    manager.remove("NVR1")
    assert env.secrets.get("camera.DEMO.NVR1") is None


def test_a_refusing_store_changes_nothing(qtbot, demo_context) -> None:
    manager = demo_context.cameras
    manager.secrets = SecretStore(demo_context.env.data_dir, "keyring")  # no usable keyring in the tests
    dialog = CameraListDialog(manager)
    qtbot.addWidget(dialog)
    seen: dict = {}

    def read(box: QMessageBox) -> None:
        seen["text"] = box.text()
        box.accept()

    answer_dialog(QMessageBox, read, seen)
    dialog._save(CameraSetup(camera=CameraSpec("NVR2", "Door", SOURCE, "rtsp", enabled=False)))
    assert "could not be stored safely, so nothing was changed" in seen["text"]
    assert "no usable OS keyring" in seen["text"] and "Door-Pa55-x1" not in seen["text"]
    assert "NVR2" not in manager.setups
    assert demo_context.writer.flush(10) and repository.load_cameras(demo_context.env.db, "DEMO") == []


def test_api_group_and_status_line(qtbot, demo_context) -> None:
    env = demo_context.env
    dialog = SettingsDialog(env)
    qtbot.addWidget(dialog)
    assert dialog.api_group.token_label.text() == "none yet" and dialog.rotate_button.isEnabled()
    env.secrets.set(API_TOKEN, "AbCd-the-rest-of-a-long-token")
    dialog.api_group.refresh()
    assert dialog.api_group.token_label.text() == "AbCd…"
    window = MainWindow(demo_context)
    qtbot.addWidget(window)
    assert window.secret_label.text() == "Secrets: encrypted file"  # the suite has no keyring
    assert window.secret_label.toolTip().startswith("no usable OS keyring")
