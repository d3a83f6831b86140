"""Settings → Privacy: snapshots (off by default), their folder and the retention period are saved; a retention
the console cannot use is refused with a message naming the key, and nothing already saved changes."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from console.settings import PrivacySettings, load_settings
from tests.gui.dialogs import answer_dialog
from widgets.dialogs.settings_dialog import SettingsDialog

pytestmark = pytest.mark.gui


def test_privacy_group_saves_and_refuses_a_bad_retention(qtbot, demo_context, tmp_path) -> None:
    env = demo_context.env
    dialog = SettingsDialog(env)
    qtbot.addWidget(dialog)
    group = dialog.privacy_group
    assert group.title() == "Privacy"
    assert not group.snapshots.isChecked() and group.retention.value() == 365 and group.snapshot_dir.text() == ""
    assert group.snapshot_dir.placeholderText() == str(env.data_dir / "snapshots")
    group.snapshots.setChecked(True)
    group.snapshot_dir.setText(str(tmp_path / "pics"))
    group.retention.setValue(30)
    dialog.accept()
    saved = load_settings(env.data_dir).privacy
    assert saved == PrivacySettings(snapshots=True, snapshot_dir=str(tmp_path / "pics"), retention_days=30)
    assert env.settings.privacy == saved

    again = SettingsDialog(env)
    qtbot.addWidget(again)
    assert again.privacy_group.snapshots.isChecked() and again.privacy_group.retention.value() == 30
    again.privacy_group.retention.setValue(0)
    assert again.privacy_group.retention.text() == "Keep forever"
    again.privacy_group.retention.setValue(3)
    seen: dict = {}

    def read(box: QMessageBox) -> None:
        seen["text"] = box.text()
        box.accept()

    answer_dialog(QMessageBox, read, seen)
    again.accept()
    assert "privacy.retention_days must be 0 (keep forever) or between 7 and 3650 days, got 3" in seen["text"]
    assert load_settings(env.data_dir).privacy == saved  # nothing already saved was lost
