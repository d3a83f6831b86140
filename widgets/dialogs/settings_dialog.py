"""Settings dialog, in tabs: General (interface language, the demo's default speed and seed, the idle lock, the
database), Staffing (the service standard, the roster rules, the live staffing advice), Alert delivery (sound, tray,
chat robots and e-mail, per role: widgets/dialogs/alert_delivery_group.py) and Data and privacy (the ticket API's
token, snapshots, retention); saved to settings.toml (other sections are kept as they are) with an audit entry of the
values changed. Controls the logged-in role may not change are disabled with the reason. The "API" group shows the
ticket feed's token masked and rotates it (widgets/dialogs/api_token_group.py; the token is in the secret store, not
settings.toml), and a new SMTP password goes to the secret store too. ``user``: who rotates, for the audit trail
(default: the operating-system account)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.bootstrap import Environment
from console.security.access import console_user
from console.settings import (
    SETTINGS_FILE,
    DemoSettings,
    SecuritySettings,
    Settings,
    SettingsError,
    StaffingSettings,
    save_settings,
    settings_changes,
    validate_security,
    validate_staffing,
)
from storage.tasks import RecordAudit
from storage.writer import apply_now
from widgets.dialogs.alert_delivery_group import AlertDeliveryGroup
from widgets.dialogs.api_token_group import ApiTokenGroup
from widgets.dialogs.privacy_group import PrivacyGroup


def audit_settings(db, old: Settings, new: Settings, user: str) -> None:
    """One audit entry "settings.save" with the changed values (none when nothing changed). Secrets are not
    settings (console/security/secret_store.py), so none can appear here."""
    before, after = settings_changes(old, new)
    if after:
        apply_now(db, RecordAudit(user, "settings.save", "settings", SETTINGS_FILE, before, after, datetime.now(UTC)))


class SettingsDialog(QDialog):
    def __init__(self, env: Environment, parent: QWidget | None = None, user: str | None = None,
                 role=None) -> None:
        """``role``: the logged-in user's (None on the demo branch: everything editable). Groups the role may not
        change are disabled with a tooltip naming the roles that may; the language is everyone's."""
        super().__init__(parent)
        self.env = env
        self.user = user or console_user()
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
        staffing = env.settings.staffing

        def spin(value: float, low: float, high: float, suffix: str, decimals: int = 1) -> QDoubleSpinBox:
            box = QDoubleSpinBox()
            box.setRange(low, high)
            box.setDecimals(decimals)
            box.setSuffix(suffix)
            box.setValue(value)
            return box

        self.target_wait = spin(staffing.target_wait_min, 1, 120, self.tr(" min"))
        self.target_share = spin(staffing.target_share * 100, 5, 99, " %", 0)
        self.max_duty = spin(staffing.max_duty_h, 1, 24, self.tr(" h"))
        self.min_rest = spin(staffing.min_rest_h, 0, 24, self.tr(" h"))
        self.split_gap = spin(staffing.split_gap_h, 0, 12, self.tr(" h"))
        self.advice = QCheckBox(self.tr("Show live staffing advice on the Counters panel"))
        self.advice.setChecked(staffing.advice)
        general_page, general = self._page()
        general.addRow(self.tr("Language"), self.language)
        general.addRow(self.tr("Demo speed (next start)"), self.speed)
        general.addRow(self.tr("Demo seed (next start)"), self.seed)
        self.idle_lock = QSpinBox()
        self.idle_lock.setRange(0, 240)
        self.idle_lock.setSuffix(self.tr(" min"))
        self.idle_lock.setSpecialValueText(self.tr("never"))
        self.idle_lock.setValue(env.settings.security.idle_lock_min)
        general.addRow(self.tr("Lock the window after no input for"), self.idle_lock)
        database = QLabel(self.tr("Database: %1").replace("%1", env.db.describe()))
        database.setWordWrap(True)
        general.addRow(database)
        staffing_page, staffing_form = self._page()
        staffing_form.addRow(self.tr("Service standard: share called"), self.target_share)
        staffing_form.addRow(self.tr("... within"), self.target_wait)
        staffing_form.addRow(self.tr("Longest duty"), self.max_duty)
        staffing_form.addRow(self.tr("Shortest rest between duties"), self.min_rest)
        staffing_form.addRow(self.tr("Gaps shorter than this make one duty"), self.split_gap)
        staffing_form.addRow(self.advice)
        from console.alerts.delivery import send_test, smtp_password

        stored = smtp_password(env.secrets)
        self.delivery = AlertDeliveryGroup(env.settings.alerts, self,
                                           send=lambda alerts, typed, at: send_test(alerts, typed, at, stored))
        data_page, data = self._page()
        self.api_group = ApiTokenGroup(env.secrets, env.db, user or console_user(), self)
        self.rotate_button = self.api_group.rotate_button  # guarded by role in the window
        data.addRow(self.api_group)
        self.privacy_group = PrivacyGroup(env.settings.privacy, env.data_dir, self)
        data.addRow(self.privacy_group)
        self.tabs = QTabWidget()
        self.tabs.addTab(general_page, self.tr("General"))
        self.tabs.addTab(staffing_page, self.tr("Staffing"))
        self.tabs.addTab(self.delivery, self.tr("Alert delivery"))
        self.tabs.addTab(data_page, self.tr("Data and privacy"))
        self._guard(role)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.language_changed = False
        self.chosen_language = env.settings.ui.language

    @staticmethod
    def _page() -> tuple[QWidget, QFormLayout]:
        page = QWidget()
        return page, QFormLayout(page)

    def _guard(self, role) -> None:
        from console.domain.permissions import Permission
        from widgets import labels

        for widgets, permission in (
            ((self.target_wait, self.target_share, self.max_duty, self.min_rest, self.split_gap, self.advice),
             Permission.EDIT_RULES),
            ((self.delivery,), Permission.EDIT_RULES),
            ((self.api_group, self.privacy_group), Permission.MANAGE_DATABASE),
            ((self.idle_lock,), Permission.MANAGE_USERS),
        ):
            why = labels.denied(role, permission)
            if why is not None:
                for w in widgets:
                    w.setEnabled(False)
                    w.setToolTip(why)

    def accept(self) -> None:
        language = str(self.language.currentData())
        try:
            settings = self.env.settings.with_language(language)
            staffing = validate_staffing(StaffingSettings(
                target_wait_min=self.target_wait.value(), target_share=round(self.target_share.value() / 100, 4),
                max_duty_h=self.max_duty.value(), min_rest_h=self.min_rest.value(), split_gap_h=self.split_gap.value(),
                advice=self.advice.isChecked()), "staffing")
            alerts = self.delivery.values() if self.delivery.isEnabled() else self.env.settings.alerts
            settings = replace(settings, demo=DemoSettings(seed=self.seed.value(), speed=self.speed.value()),
                               staffing=staffing, privacy=self.privacy_group.values(), alerts=alerts,
                               security=validate_security(SecuritySettings(idle_lock_min=self.idle_lock.value()),
                                                          "security"))
            password = self.delivery.password() if self.delivery.isEnabled() else None
            if password is not None:
                self._store_password(password)
            save_settings(self.env.data_dir, settings)
            audit_settings(self.env.db, self.env.settings, settings, self.user)
        except (SettingsError, OSError) as exc:
            QMessageBox.warning(self, self.tr("Settings not saved"),
                                self.tr("The settings could not be saved: %1").replace("%1", str(exc)))
            return
        self.delivery_changed = settings.alerts != self.env.settings.alerts
        self.language_changed = language != self.env.settings.ui.language
        self.chosen_language = language
        self.env.settings = settings
        super().accept()

    def _store_password(self, password: str) -> None:
        """The new SMTP password into the secret store, audited without its value; SettingsError when the store
        refuses (nothing is saved then)."""
        from console.security.secret_store import SMTP_PASSWORD, SecretError

        try:
            self.env.secrets.set(SMTP_PASSWORD, password)
        except SecretError as exc:
            raise SettingsError(self.tr("the e-mail server's password could not be kept: %1").replace("%1", str(exc)))
        apply_now(self.env.db, RecordAudit(self.user, "secret.set", "secret", SMTP_PASSWORD, None, None,
                                           datetime.now(UTC)))
