"""Settings → Privacy: alert snapshots (off by default; heads blurred), their folder, and how many days raw data is
kept (0: forever). ``values`` validates with ``console.settings.validate_privacy``; the dialog saves them. The
running console takes them at its next start (the snapshot taker and the nightly purge are set up at start)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from console.alerts.snapshots import snapshot_folder
from console.settings import RETENTION_MAX_DAYS, PrivacySettings, validate_privacy


class PrivacyGroup(QGroupBox):
    def __init__(self, privacy: PrivacySettings, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Privacy"))
        self.snapshots = QCheckBox(self.tr("Save a snapshot with crowding and camera alerts (faces blurred)"))
        self.snapshots.setChecked(privacy.snapshots)
        self.snapshot_dir = QLineEdit(privacy.snapshot_dir)
        self.snapshot_dir.setPlaceholderText(str(snapshot_folder(PrivacySettings(), data_dir)))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.snapshot_dir, 1)
        folder_row.addWidget(browse)
        self.retention = QSpinBox()
        self.retention.setRange(0, RETENTION_MAX_DAYS)
        self.retention.setSpecialValueText(self.tr("Keep forever"))
        self.retention.setSuffix(self.tr(" days"))
        self.retention.setValue(privacy.retention_days)
        self.retention.setToolTip(self.tr("Older tickets, occupancy samples and snapshots are deleted; daily and "
                                          "half-hourly statistics are kept. 0: keep everything."))
        form = QFormLayout(self)
        form.addRow(self.snapshots)
        form.addRow(self.tr("Snapshot folder"), folder_row)
        form.addRow(self.tr("Keep raw data for"), self.retention)
        form.addRow(QLabel(self.tr("Takes effect at the next start.")))

    @Slot()
    def _browse(self) -> None:
        start = self.snapshot_dir.text() or self.snapshot_dir.placeholderText()
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Snapshot folder"), start)
        if chosen:
            self.snapshot_dir.setText(chosen)

    def values(self) -> PrivacySettings:
        """The settings as entered; ``SettingsError`` names the key and what is wrong."""
        return validate_privacy(PrivacySettings(snapshots=self.snapshots.isChecked(),
                                                snapshot_dir=self.snapshot_dir.text().strip(),
                                                retention_days=self.retention.value()), "privacy")
