"""Settings → Alert delivery: how alerts reach people (console/domain/alert_routing.py says who gets what by
default and why).

- This PC: sound and tray messages on or off for everyone here.
- The branch-wide chat robot (WeCom 企业微信 / DingTalk 钉钉 / generic JSON) and e-mail list get every alert.
- The e-mail server (SMTP); its password goes to the secret store, never to settings.toml (left empty: unchanged).
- Who gets what: for the lobby manager, the security officer and the branch manager, the rule kinds that are theirs,
  the lowest level that reaches them, sound and tray here while they are logged in, and their own robot and e-mail
  addresses. Incidents go to the roles their emergency plan names (File → Emergency plans…).
- Send a test message: one message to every robot and address filled in, on a background thread; each result
  (sent, or why not) is shown under the button. Nothing is saved by a test.

``values()`` gives the new ``AlertSettings`` or raises ``SettingsError`` with a message naming the field (in the
window's language).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.domain.alert_engine import RuleKind
from console.domain.alert_routing import (
    LEVELS,
    ROUTED_ROLES,
    WEBHOOK_FORMATS,
    RoleRoute,
    Routes,
    routes_to_dict,
    valid_email,
)
from console.domain.permissions import Role
from console.settings import AlertSettings, SettingsError, validate_alerts
from widgets import labels


def _emails(text: str) -> list[str]:
    """Addresses typed one after another, separated by commas, semicolons or spaces."""
    return [e for e in text.replace(";", ",").replace(" ", ",").split(",") if e.strip()]


class AlertDeliveryGroup(QWidget):
    """The tab's contents; ``password()``: a new SMTP password typed (None: keep the stored one)."""

    sig_tested = Signal(object)  # list of (target shown, result) from the test thread

    def __init__(self, alerts: AlertSettings, parent: QWidget | None = None, send=None) -> None:
        """``send(settings, password) -> list[(target, result)]``: sends the test message (default
        ``console.alerts.delivery.send_test``)."""
        super().__init__(parent)
        self.alerts = alerts
        self._send = send
        routes = alerts.route_table()
        here = QGroupBox(self.tr("This PC"))
        self.sound = QCheckBox(self.tr("Play a sound for new alerts"))
        self.sound.setChecked(alerts.sound)
        self.tray = QCheckBox(self.tr("Show a tray message for new alerts"))
        self.tray.setChecked(alerts.tray)
        here_row = QHBoxLayout(here)
        here_row.addWidget(self.sound)
        here_row.addWidget(self.tray)
        here_row.addStretch(1)

        branch = QGroupBox(self.tr("Every alert of the branch"))
        self.webhook_url = QLineEdit(alerts.webhook_url)
        self.webhook_url.setPlaceholderText("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…")
        self.webhook_format = self._format_box(alerts.webhook_format)
        self.email_to = QLineEdit(", ".join(alerts.email_to))
        self.email_to.setPlaceholderText(self.tr("addresses, separated by commas"))
        branch_form = QFormLayout(branch)
        robot_row = QHBoxLayout()
        robot_row.addWidget(self.webhook_url, 1)
        robot_row.addWidget(self.webhook_format)
        branch_form.addRow(self.tr("Chat robot"), robot_row)
        branch_form.addRow(self.tr("E-mail to"), self.email_to)

        server = QGroupBox(self.tr("E-mail server (SMTP)"))
        self.smtp_host = QLineEdit(alerts.smtp_host)
        self.smtp_host.setPlaceholderText("smtp.branch.example")
        self.smtp_port = QSpinBox()
        self.smtp_port.setRange(1, 65535)
        self.smtp_port.setValue(alerts.smtp_port)
        self.smtp_starttls = QCheckBox(self.tr("STARTTLS"))
        self.smtp_starttls.setChecked(alerts.smtp_starttls)
        self.smtp_user = QLineEdit(alerts.smtp_user)
        self.smtp_from = QLineEdit(alerts.smtp_from)
        self.smtp_password = QLineEdit()
        self.smtp_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.smtp_password.setPlaceholderText(self.tr("unchanged (kept in the secret store)"))
        server_form = QFormLayout(server)
        host_row = QHBoxLayout()
        host_row.addWidget(self.smtp_host, 1)
        host_row.addWidget(QLabel(self.tr("Port")))
        host_row.addWidget(self.smtp_port)
        host_row.addWidget(self.smtp_starttls)
        server_form.addRow(self.tr("Server"), host_row)
        account_row = QHBoxLayout()
        account_row.addWidget(self.smtp_user, 1)
        account_row.addWidget(QLabel(self.tr("Password")))
        account_row.addWidget(self.smtp_password, 1)
        server_form.addRow(self.tr("User"), account_row)
        server_form.addRow(self.tr("Sender address"), self.smtp_from)

        who = QGroupBox(self.tr("Who gets what"))
        grid = QGridLayout(who)
        grid.setHorizontalSpacing(16)
        for column, role in enumerate(ROUTED_ROLES, start=1):
            head = QLabel(f"<b>{labels.user_role(Role(role))}</b>")
            grid.addWidget(head, 0, column)
        self.kind_boxes: dict[tuple[str, str], QCheckBox] = {}
        row = 1
        for kind in RuleKind:
            grid.addWidget(QLabel(labels.rule_name(kind.value)), row, 0)
            for column, role in enumerate(ROUTED_ROLES, start=1):
                box = QCheckBox()
                box.setChecked(kind.value in routes[role].kinds)
                box.setToolTip(f"{labels.rule_name(kind.value)} → {labels.user_role(Role(role))}")
                self.kind_boxes[(kind.value, role)] = box
                grid.addWidget(box, row, column)
            row += 1
        self.lowest: dict[str, QComboBox] = {}
        self.role_sound: dict[str, QCheckBox] = {}
        self.role_tray: dict[str, QCheckBox] = {}
        self.role_webhook: dict[str, QLineEdit] = {}
        self.role_format: dict[str, QComboBox] = {}
        self.role_email: dict[str, QLineEdit] = {}
        for title, build in ((self.tr("Lowest level"), self._lowest_box),
                             (self.tr("Sound here while logged in"), self._sound_box),
                             (self.tr("Tray message here while logged in"), self._tray_box),
                             (self.tr("Own chat robot"), self._webhook_box),
                             (self.tr("Robot format"), self._role_format_box),
                             (self.tr("Own e-mail addresses"), self._email_box)):
            grid.addWidget(QLabel(title), row, 0)
            for column, role in enumerate(ROUTED_ROLES, start=1):
                grid.addWidget(build(routes[role]), row, column)
            row += 1
        note = QLabel(self.tr("Incidents go at once to the roles their emergency plan names (File → Emergency "
                              "plans…). Administrators and the demo branch see and hear every alert here."))
        note.setWordWrap(True)
        grid.addWidget(note, row, 0, 1, len(ROUTED_ROLES) + 1)

        self.test_button = QPushButton(self.tr("Send a test message"))
        self.test_button.clicked.connect(self.send_test)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.sig_tested.connect(self._tested)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(here)
        layout.addWidget(branch)
        layout.addWidget(server)
        layout.addWidget(who)
        layout.addLayout(test_row)
        layout.addStretch(1)

    # --- the grid's cells ------------------------------------------------------------------------------------

    def _format_box(self, current: str) -> QComboBox:
        box = QComboBox()
        for fmt, words in zip(WEBHOOK_FORMATS, (self.tr("Generic JSON"), self.tr("WeCom robot"),
                                                self.tr("DingTalk robot")), strict=True):
            box.addItem(words, fmt)
        box.setCurrentIndex(max(0, box.findData(current)))
        return box

    def _lowest_box(self, route: RoleRoute) -> QComboBox:
        box = QComboBox()
        for level in LEVELS:
            box.addItem(labels.alert_severity(level), level.value)
        box.setCurrentIndex(max(0, box.findData(route.lowest.value)))
        self.lowest[route.role] = box
        return box

    def _sound_box(self, route: RoleRoute) -> QCheckBox:
        box = QCheckBox()
        box.setChecked(route.sound)
        self.role_sound[route.role] = box
        return box

    def _tray_box(self, route: RoleRoute) -> QCheckBox:
        box = QCheckBox()
        box.setChecked(route.tray)
        self.role_tray[route.role] = box
        return box

    def _webhook_box(self, route: RoleRoute) -> QLineEdit:
        edit = QLineEdit(route.webhook_url)
        edit.setPlaceholderText("https://…")
        edit.setMinimumWidth(220)
        self.role_webhook[route.role] = edit
        return edit

    def _role_format_box(self, route: RoleRoute) -> QComboBox:
        box = self._format_box(route.webhook_format)
        self.role_format[route.role] = box
        return box

    def _email_box(self, route: RoleRoute) -> QLineEdit:
        edit = QLineEdit(", ".join(route.email_to))
        edit.setPlaceholderText(self.tr("addresses, separated by commas"))
        self.role_email[route.role] = edit
        return edit

    # --- values ----------------------------------------------------------------------------------------------

    def _check_url(self, url: str, where: str) -> None:
        if url and not url.startswith(("http://", "https://")):
            raise SettingsError(self.tr("%1: the chat robot's address must start with http:// or https://.")
                                .replace("%1", where))

    def _check_emails(self, emails: list[str], where: str) -> None:
        for e in emails:
            if not valid_email(e):
                raise SettingsError(self.tr("%1: \"%2\" is not an e-mail address.").replace("%1", where)
                                    .replace("%2", e))

    def values(self) -> AlertSettings:
        branch_words = self.tr("Every alert of the branch")
        self._check_url(self.webhook_url.text().strip(), branch_words)
        email_to = _emails(self.email_to.text())
        self._check_emails(email_to, branch_words)
        by_role = {}
        for role in ROUTED_ROLES:
            where = labels.user_role(Role(role))
            url = self.role_webhook[role].text().strip()
            self._check_url(url, where)
            emails = _emails(self.role_email[role].text())
            self._check_emails(emails, where)
            by_role[role] = RoleRoute(
                role, frozenset(k for (k, r), box in self.kind_boxes.items() if r == role and box.isChecked()),
                LEVELS[self.lowest[role].currentIndex()], self.role_sound[role].isChecked(),
                self.role_tray[role].isChecked(), url, str(self.role_format[role].currentData()), tuple(emails))
        host = self.smtp_host.text().strip()
        if (email_to or any(r.email_to for r in by_role.values())) and not host:
            raise SettingsError(self.tr("E-mail addresses are filled in: the e-mail server is needed to send to "
                                        "them."))
        alerts = replace(self.alerts, sound=self.sound.isChecked(), tray=self.tray.isChecked(),
                         webhook_url=self.webhook_url.text().strip(),
                         webhook_format=str(self.webhook_format.currentData()), email_to=email_to, smtp_host=host,
                         smtp_port=self.smtp_port.value(), smtp_starttls=self.smtp_starttls.isChecked(),
                         smtp_user=self.smtp_user.text().strip(), smtp_from=self.smtp_from.text().strip(),
                         routes=self.alerts.routes if Routes(by_role) == self.alerts.route_table()
                         else routes_to_dict(Routes(by_role)))  # untouched routes are not rewritten
        return validate_alerts(alerts, "alerts")

    def password(self) -> str | None:
        return self.smtp_password.text() or None

    # --- test message ----------------------------------------------------------------------------------------

    @Slot()
    def send_test(self) -> None:
        """Send one test message to every robot and address on the form (not saved), on a background thread."""
        try:
            alerts = self.values()
        except SettingsError as exc:
            self.test_result.setText(str(exc))
            return
        send = self._send
        if send is None:
            from console.alerts.delivery import send_test as send
        self.test_button.setEnabled(False)
        self.test_result.setText(self.tr("Sending…"))
        password = self.password()
        emit = self.sig_tested.emit
        at = datetime.now(UTC)
        threading.Thread(target=lambda: emit(send(alerts, password, at)), name="delivery-test",
                         daemon=True).start()

    @Slot(object)
    def _tested(self, results: list[tuple[str, str]]) -> None:
        self.test_button.setEnabled(True)
        if not results:
            self.test_result.setText(self.tr("No chat robot or e-mail address is filled in."))
            return
        lines = [(self.tr("✓ sent to %1") if result == "sent" else self.tr("✗ %1: %2").replace("%2", result))
                 .replace("%1", target) for target, result in results]
        self.test_result.setText("\n".join(lines))
