"""Settings dialog: interface language and the demo's default speed and seed; saved to settings.toml."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from console.bootstrap import Environment
from console.settings import DemoSettings, SettingsError, save_settings


class SettingsDialog(QDialog):
    def __init__(self, env: Environment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.setWindowTitle(self.tr("Settings"))
        self.language = QComboBox()
        self.language.addItem(self.tr("Follow the system"), "system")
        self.language.addItem("简体中文", "zh_CN")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(max(0, self.language.findData(env.settings.ui.language)))
        self.speed = QDoubleSpinBox()
        self.speed.setRange(0.1, 3600)
        self.speed.setDecimals(1)
        self.speed.setSuffix("×")
        self.speed.setValue(env.settings.demo.speed)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2_000_000_000)
        self.seed.setValue(env.settings.demo.seed)
        form = QFormLayout(self)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.tr("Demo speed (next start)"), self.speed)
        form.addRow(self.tr("Demo seed (next start)"), self.seed)
        form.addRow(QLabel(self.tr("Database: %1").replace("%1", env.db.describe())))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.language_changed = False
        self.chosen_language = env.settings.ui.language

    def accept(self) -> None:
        language = str(self.language.currentData())
        try:
            settings = self.env.settings.with_language(language)
            settings = type(settings)(ui=settings.ui, demo=DemoSettings(seed=self.seed.value(), speed=self.speed.value()),
                                      database=settings.database)
            save_settings(self.env.data_dir, settings)
        except (SettingsError, OSError) as exc:
            QMessageBox.warning(self, self.tr("Settings not saved"),
                                self.tr("The settings could not be saved: %1").replace("%1", str(exc)))
            return
        self.language_changed = language != self.env.settings.ui.language
        self.chosen_language = language
        self.env.settings = settings
        super().accept()
